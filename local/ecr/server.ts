import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serveAwsJson, writeJson } from '../kernel/aws-json';
import type { Clock } from '../kernel/clock';
import type { EventSink } from '../kernel/events';
import { LOCAL_ACCOUNT } from '../kernel/events';
import { TOKEN_LIFETIME_MS, TokenBook } from './auth';
import type { IssuedToken } from './auth';
import { describeImages, describeRepository } from './descriptions';
import type { ImageDescription, RepositoryDescription } from './descriptions';
import { imageActionEvent } from './events';
import { ecrOperations } from './json-api';
import { checkMutabilityPolicy } from './mutability';
import type { TagMutability } from './mutability';
import { createOciHandler } from './oci-handler';
import { EcrStore } from './store';
import type { PushRecord } from './store';

/** Options of {@link startEcr}. */
export interface EcrEmulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Emulated time: pushedAt, createdAt and token expiry. */
  readonly clock: Clock;
  /** Receives `ECR Image Action` events. */
  readonly bus: EventSink;
  /** State directory; the emulator keeps its files in `<stateDir>/ecr` and finds them again on restart. */
  readonly stateDir: string;
  /** Lifetime of GetAuthorizationToken passwords, in emulated ms. @default 43200000 (12 hours) */
  readonly tokenLifetimeMs?: number;
}

/** Settings of {@link EcrControl.createRepository}. */
export interface CreateRepositoryOptions {
  /** @default 'MUTABLE' */
  readonly imageTagMutability?: TagMutability;
  /** WILDCARD patterns, only with a `*_WITH_EXCLUSION` setting. @default [] */
  readonly exclusionFilters?: readonly string[];
}

/** In-process control of the ECR emulator, for tests and the demo. */
export interface EcrControl {
  /** `127.0.0.1:PORT`, the registry host of every repository URI. */
  readonly registry: string;
  /** Creates a repository, as CreateRepository would. */
  createRepository(name: string, options?: CreateRepositoryOptions): Promise<RepositoryDescription>;
  /** Deletes a repository, as DeleteRepository would (`force` also deletes its images). */
  deleteRepository(name: string, force: boolean): Promise<void>;
  /** The repository's images, as DescribeImages would list them. */
  listImages(repository: string): ImageDescription[];
  /** Every manifest push so far, in order (a copy). */
  pushes(): PushRecord[];
  /** Registry credentials as GetAuthorizationToken would issue them (e.g. for `skopeo --creds AWS:<password>`). */
  issueCredentials(): IssuedToken;
  /**
   * Called before every manifest read (`GET`/`HEAD /v2/<name>/manifests/<reference>`), as a pull-through
   * cache fills a repository on its first pull; the read then finds what it stored. @default none
   */
  onManifestRead(fill: ((repository: string, reference: string) => Promise<unknown>) | undefined): void;
}

/** A running ECR emulator. */
export interface RunningEcr {
  /** `http://127.0.0.1:PORT`: both the ECR API endpoint and the registry. */
  readonly url: string;
  stop(): Promise<void>;
  readonly control: EcrControl;
}

function createControl(store: EcrStore, tokens: TokenBook, clock: Clock, host: string, hooks: { fill?: (repository: string, reference: string) => Promise<unknown> }): EcrControl {
  return {
    onManifestRead: (fill) => { hooks.fill = fill; },
    registry: host,
    createRepository: async (name, settings = {}) => {
      const filters = (settings.exclusionFilters ?? []).map((filter) => ({ filterType: 'WILDCARD', filter }));
      return describeRepository(await store.createRepository(name, checkMutabilityPolicy(settings.imageTagMutability, filters)), host);
    },
    listImages: (repository) => describeImages(store.repository(repository)),
    deleteRepository: (name, force) => store.deleteRepository(name, force),
    pushes: () => [...store.pushes],
    issueCredentials: () => tokens.issue(clock.now()),
  };
}

/**
 * Starts the ECR emulator on 127.0.0.1: the OCI distribution endpoint under
 * `/v2/` and the ECR JSON API (awsJson1_1) on `POST /`, over one store.
 *
 * @example
 * const ecr = await startEcr({ clock: scaledClock(), bus, stateDir });
 * await ecr.control.createRepository('portal-api', { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['*-live'] });
 * const client = new ECRClient({ endpoint: ecr.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
 */
export async function startEcr(options: EcrEmulatorOptions): Promise<RunningEcr> {
  const { clock } = options;
  let host = '127.0.0.1:0';
  const origin = (): string => `http://${host}`;
  const store = await EcrStore.open({ root: join(options.stateDir, 'ecr'), clock, registryId: LOCAL_ACCOUNT, onChange: (change) => options.bus.put(imageActionEvent(change)) });
  const tokens = new TokenBook(options.tokenLifetimeMs ?? TOKEN_LIFETIME_MS);
  const oci = createOciHandler({ store, tokens, clock, origin });
  const operations = ecrOperations({ store, tokens, clock, origin, host: () => host });
  const hooks: { fill?: (repository: string, reference: string) => Promise<unknown> } = {};
  const server = createServer((req, res) => {
    const read = req.method === 'GET' || req.method === 'HEAD' ? /^\/v2\/(.+)\/manifests\/([^/?]+)/.exec(req.url ?? '') : null;
    // A failed fill leaves the read to answer MANIFEST_UNKNOWN, as a pull the upstream cannot serve.
    if (read && hooks.fill) return void hooks.fill(read[1]!, decodeURIComponent(read[2]!)).catch(() => undefined).then(() => oci(req, res));
    if ((req.url ?? '').startsWith('/v2')) return void oci(req, res);
    if (req.method === 'POST' && req.headers['x-amz-target'] !== undefined) return void serveAwsJson(req, res, operations);
    req.resume();
    writeJson(res, 404, { __type: 'UnknownOperationException', message: `${req.method} ${req.url} is neither the registry (/v2/) nor an ECR API call (POST with X-Amz-Target)` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const control = createControl(store, tokens, clock, host, hooks);
  return {
    url: origin(),
    control,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
