import { mkdirSync, writeFileSync } from 'fs';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { SINGLETON_COUNTS_HANDLER } from '../../../infra/constructs/singleton-counts';

// The inline handler as Lambda would load it, resolving the SDK from this package (the runtime provides it on AWS).
const dir = path.join(__dirname, '..', '..', '..', 'node_modules', '.cache', 'singleton-counts-handler');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'index.js'), SINGLETON_COUNTS_HANDLER);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require(path.join(dir, 'index.js')) as { handler: (event: unknown, context: unknown) => Promise<void> };

const ecs = mockClient(ECSClient);
let server: Server;
let responses: Record<string, unknown>[];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    request.on('end', () => { responses.push(JSON.parse(body) as Record<string, unknown>); response.end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => new Promise((resolve) => server.close(resolve)));
beforeEach(() => { responses = []; });
afterEach(() => ecs.reset());

const SERVICES = ['portal-api', 'portal', 'portal-auth'];
/** The service properties as CloudFormation sends them (numbers and booleans as strings); only a trigger, never read. */
const carried = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, { serviceName: name, taskDefinition: `arn:aws:ecs:eu-west-1:123456789012:task-definition/wicked-prod-${name}:2`, launchType: 'FARGATE' }]));

function event(requestType: 'Create' | 'Update' | 'Delete', services: readonly string[] = SERVICES, old?: readonly string[]): unknown {
  return {
    RequestType: requestType, ResponseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`, StackId: 'stack', RequestId: 'r-1',
    LogicalResourceId: 'Counts', ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'singleton-counts' }),
    ResourceProperties: { ServiceToken: 'arn:fn', Cluster: 'wicked-prod', Services: [...services], ServiceProperties: carried(services) },
    ...(old ? { OldResourceProperties: { ServiceToken: 'arn:fn', Cluster: 'wicked-prod', Services: [...old], ServiceProperties: carried(old) } } : {}),
  };
}
const context = { logStreamName: 'stream' };

describe('the singleton count reader', () => {
  it('answers 0 for every service on the first create, when none exists yet', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] });

    await handler(event('Create'), context);

    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: { portalapi: '0', portal: '0', portalauth: '0' } })]);
    expect(ecs.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({ cluster: 'wicked-prod', services: ['portal-api', 'portal', 'portal-auth'] });
  });

  it('answers the live count the control plane set, so a later deploy writes it back unchanged', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [
      { serviceName: 'portal-api', desiredCount: 1, status: 'ACTIVE' },
      { serviceName: 'portal', desiredCount: 1, status: 'ACTIVE' },
      { serviceName: 'portal-auth', desiredCount: 0, status: 'ACTIVE' },
    ] });

    await handler(event('Update'), context);

    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'singleton-counts', Data: { portalapi: '1', portal: '1', portalauth: '0' } })]);
  });

  it('on an update that adds a service (a component a new wicked version brings): 0 for the new one, the live count for the others', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: 'portal-api', desiredCount: 1, status: 'ACTIVE' }, { serviceName: 'portal', desiredCount: 1, status: 'ACTIVE' }],
      failures: [{ arn: 'arn:aws:ecs:eu-west-1:123456789012:service/wicked-prod/portal-auth', reason: 'MISSING' }],
    });

    await handler(event('Update', SERVICES, ['portal-api', 'portal']), context);

    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'singleton-counts', Data: { portalapi: '1', portal: '1', portalauth: '0' } })]);
    expect(ecs.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({ cluster: 'wicked-prod', services: SERVICES });
  });

  it('on an update that removes a service: no attribute for it, the live count for the rest', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'portal-api', desiredCount: 1, status: 'ACTIVE' }, { serviceName: 'portal', desiredCount: 1, status: 'ACTIVE' }] });

    await handler(event('Update', ['portal-api', 'portal'], SERVICES), context);

    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: { portalapi: '1', portal: '1' } })]);
    expect(ecs.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({ cluster: 'wicked-prod', services: ['portal-api', 'portal'] });
  });

  it('counts a deleted (INACTIVE) service of the same name as not existing: the re-added service is created with no task', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [
      { serviceName: 'portal-api', desiredCount: 1, status: 'ACTIVE' },
      { serviceName: 'portal', desiredCount: 1, status: 'ACTIVE' },
      { serviceName: 'portal-auth', desiredCount: 1, status: 'INACTIVE' },
    ] });

    await handler(event('Update', SERVICES, ['portal-api', 'portal']), context);

    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: { portalapi: '1', portal: '1', portalauth: '0' } })]);
  });

  it('fails the resource with the reason when ECS cannot be read, rather than guessing a count', async () => {
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('User is not authorized to perform: ecs:DescribeServices'), { name: 'AccessDeniedException' }));
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    await handler(event('Update'), context);

    expect(responses).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('not authorized'), Data: {} })]);
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ name: 'AccessDeniedException' })); // in the function's log too
    logged.mockRestore();
  });

  it('does nothing on delete', async () => {
    await handler(event('Delete'), context);

    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', Data: {} })]);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);
  });
});
