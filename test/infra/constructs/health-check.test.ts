import { execFile } from 'child_process';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { promisify } from 'util';
import { pingCommand, PROBE_TIMEOUT_SECONDS } from '../../../infra/constructs/health-check';

/** Runs the health check's command as ECS would inside the container (`CMD node -e <script>`), returning its exit code. */
async function probe(port: number): Promise<number> {
  const [, binary, flag, script] = pingCommand(port) as [string, string, string, string];
  try {
    await promisify(execFile)(binary === 'node' ? process.execPath : binary, [flag, script], { timeout: 20_000 });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/** A server answering /ping with `status`, or never answering when `status` is undefined. */
async function serve(status: number | undefined): Promise<{ server: Server; port: number; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    if (status === undefined) return; // hangs: the probe's own timeout must end it
    response.writeHead(request.url === '/ping' ? status : 404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, paths };
}

describe('the /ping health check command', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each<[string, number | undefined, number]>([
    ['healthy on 200', 200, 0],
    ['unhealthy on 503', 503, 1],
    ['unhealthy when /ping does not answer within the timeout', undefined, 1],
  ])('is %s', async (_case, status, exitCode) => {
    const { server, port, paths } = await serve(status);
    servers.push(server);

    expect(await probe(port)).toBe(exitCode);
    expect(paths).toEqual(['/ping']);
  }, 30_000);

  it('is unhealthy when nothing listens', async () => {
    const { server, port } = await serve(200);
    await new Promise((resolve) => server.close(resolve));

    expect(await probe(port)).toBe(1);
  });

  it('needs nothing but node (no curl, no wget) and times out within the chart\'s timeout', () => {
    const command = pingCommand(3001);
    expect(command.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(command[3]).toContain(`timeout:${PROBE_TIMEOUT_SECONDS * 1000}`);
  });
});
