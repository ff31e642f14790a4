import type { ServerResponse } from 'node:http';
import { createRegistryRepository, RegistrySession } from '../../../shared/oci/registry';
import type { BasicCredentials, RegistryRepository } from '../../../shared/oci/registry';
import { json, startTestServer } from './http-server';
import type { SeenRequest, TestServer } from './http-server';
import { testBlob } from './tiny-image';

const USER: BasicCredentials = { username: 'builder', password: 'token-secret' };
const PRESENT = testBlob(Buffer.from('a blob the fake registry holds'));

/**
 * A fake registry that only accepts Bearer tokens it issued itself from
 * /token, each valid for the scopes it was issued for.
 */
class TokenRegistry {
  server!: TestServer;
  readonly issued = new Map<string, string[]>();
  readonly revoked = new Set<string>();
  readonly tokenRequests: { scopes: string[]; service: string | null; authorization: string | undefined }[] = [];
  expiresIn = 300;

  async start(): Promise<void> {
    this.server = await startTestServer((request, res) => this.handle(request, res));
  }

  private handle(request: SeenRequest, res: ServerResponse): void {
    const url = new URL(request.url, `http://${this.server.host}`);
    if (url.pathname === '/token') return this.issue(url, request, res);
    if (url.pathname === '/v2/') return this.challenge(res, []);
    const needed = neededScopes(request.method, url);
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const granted = token && !this.revoked.has(token) ? this.issued.get(token) : undefined;
    if (!granted || !needed.every((scope) => granted.includes(scope))) return this.challenge(res, needed);
    if (request.method === 'HEAD') {
      const present = url.pathname.endsWith(PRESENT.digest);
      res.writeHead(present ? 200 : 404, present ? { 'content-length': String(PRESENT.size) } : {}).end();
    } else if (request.method === 'POST') {
      res.writeHead(url.searchParams.has('mount') ? 201 : 202, { location: `${url.pathname}session-1`, 'content-length': '0' }).end();
    } else {
      res.writeHead(201, { 'content-length': '0' }).end();
    }
  }

  private challenge(res: ServerResponse, scopes: string[]): void {
    const scope = scopes.length > 0 ? `,scope="${scopes.join(' ')}"` : '';
    json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': `Bearer realm="http://${this.server.host}/token",service="fake-registry"${scope}` });
  }

  private issue(url: URL, request: SeenRequest, res: ServerResponse): void {
    const scopes = url.searchParams.getAll('scope');
    this.tokenRequests.push({ scopes, service: url.searchParams.get('service'), authorization: request.headers.authorization });
    const expected = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;
    if (request.headers.authorization !== undefined && request.headers.authorization !== expected) {
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
    }
    const token = `token-${this.issued.size + 1}`;
    this.issued.set(token, scopes.flatMap(expand));
    json(res, 200, { token, expires_in: this.expiresIn });
  }
}

function neededScopes(method: string, url: URL): string[] {
  const repository = /^\/v2\/(.+?)\/(blobs|manifests)\//.exec(url.pathname)?.[1] ?? '';
  const write = method === 'POST' || method === 'PUT';
  const scopes = write ? [`repository:${repository}:pull`, `repository:${repository}:push`] : [`repository:${repository}:pull`];
  const from = url.searchParams.get('from');
  return from ? [...scopes, `repository:${from}:pull`] : scopes;
}

/** `repository:a:pull,push` → `repository:a:pull`, `repository:a:push`. */
function expand(scope: string): string[] {
  const [type, name, actions] = scope.split(':');
  return (actions ?? '').split(',').map((action) => `${type}:${name}:${action}`);
}

describe('Bearer token flow against a token-issuing fake registry', () => {
  let registry: TokenRegistry;
  let now: number;
  const open = (credentials?: BasicCredentials): RegistryRepository =>
    createRegistryRepository({ host: registry.server.host, repository: 'wicked/portal-api', insecure: true, credentials, runtime: { now: () => now } });

  beforeEach(async () => {
    registry = new TokenRegistry();
    await registry.start();
    now = 1_000_000;
  });
  afterEach(async () => {
    await registry.server.stop();
  });

  it('fetches a pull token with Basic credentials and reuses it for the same scope', async () => {
    const target = open(USER);

    expect(await target.statBlob(PRESENT.digest)).toBe(PRESENT.size);
    expect(await target.statBlob(`sha256:${'9'.repeat(64)}`)).toBeUndefined();

    expect(registry.tokenRequests).toEqual([
      { scopes: ['repository:wicked/portal-api:pull'], service: 'fake-registry', authorization: `Basic ${Buffer.from('builder:token-secret').toString('base64')}` },
    ]);
  });

  it('asks for pull,push on the target for uploads, and pull on the source for mounts', async () => {
    const target = open(USER);
    const blob = testBlob(Buffer.from('new layer'));

    await target.pushBlob(blob.digest, blob.size, blob.open);
    expect(await target.mountBlob(PRESENT.digest, 'wicked/base')).toBe(true);

    expect(registry.tokenRequests.map((request) => request.scopes)).toEqual([
      ['repository:wicked/portal-api:pull,push'],
      ['repository:wicked/portal-api:pull,push', 'repository:wicked/base:pull'],
    ]);
  });

  it('shares the version check and each scope\'s token between the repositories of one session', async () => {
    const session = new RegistrySession();
    const openIn = (repository: string, within?: RegistrySession): RegistryRepository =>
      createRegistryRepository({ host: registry.server.host, repository, insecure: true, credentials: USER, runtime: { now: () => now }, ...(within ? { session: within } : {}) });
    const pings = (): number => registry.server.requests.filter((request) => request.url === '/v2/').length;

    const [base, target, again] = [openIn('wicked/base', session), openIn('wicked/portal-api', session), openIn('wicked/portal-api', session)];
    await base.statBlob(PRESENT.digest);
    await target.statBlob(PRESENT.digest);
    await again.statBlob(PRESENT.digest);
    expect(pings()).toBe(1);
    // tokens stay per scope: base and target each need their own, the third repository reuses the target's
    expect(registry.tokenRequests.map((request) => request.scopes)).toEqual([['repository:wicked/base:pull'], ['repository:wicked/portal-api:pull']]);

    await openIn('wicked/portal-api').statBlob(PRESENT.digest); // outside the session: its own check and token
    expect(pings()).toBe(2);
    expect(registry.tokenRequests).toHaveLength(3);
  });

  it('renews a token once it is within the margin of its expiry', async () => {
    registry.expiresIn = 120;
    const target = open(USER);

    await target.statBlob(PRESENT.digest);
    now += 109_000;
    await target.statBlob(PRESENT.digest);
    expect(registry.tokenRequests).toHaveLength(1);
    now += 2_000;
    await target.statBlob(PRESENT.digest);
    expect(registry.tokenRequests).toHaveLength(2);
  });

  it('treats a lifetime under 60 s as 60 s, as the token specification says', async () => {
    registry.expiresIn = 1;
    const target = open(USER);
    await target.statBlob(PRESENT.digest);
    now += 45_000;
    await target.statBlob(PRESENT.digest);
    expect(registry.tokenRequests).toHaveLength(1);
  });

  it('gets a fresh token once when the registry rejects a cached one', async () => {
    const target = open(USER);
    await target.statBlob(PRESENT.digest);
    registry.revoked.add('token-1');

    expect(await target.statBlob(PRESENT.digest)).toBe(PRESENT.size);
    expect(registry.tokenRequests).toHaveLength(2);
  });

  it('requests anonymous tokens without an Authorization header', async () => {
    const target = open();
    expect(await target.statBlob(PRESENT.digest)).toBe(PRESENT.size);
    expect(registry.tokenRequests[0]?.authorization).toBeUndefined();
  });

  it('fails with UNAUTHORIZED, without retrying, when the token server refuses the credentials', async () => {
    const target = open({ username: 'builder', password: 'wrong' });
    const error = await target.statBlob(PRESENT.digest).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, retryable: false });
    expect((error as Error).message).toMatch(/GET \/token\?service=fake-registry&scope=.* answered 401 \(UNAUTHORIZED bad credentials\), expected 200 with a token/);
    expect(registry.tokenRequests).toHaveLength(1);
  });
});
