import { execFile } from 'child_process';
import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { promisify } from 'util';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER, FUNCTION_ESBUILD_OPTIONS } from '../../infra/constructs/control-plane-function';
import { BUNDLE_PLUGINS } from '../../infra/bundling/plugins';
import { DEFAULT_FUNCTION_ENTRIES, PACKAGE_ROOT } from '../../infra/props';
import { cachedAssembly, SYNTH_INPUTS } from '../../local/synth-cache';

/**
 * Construct ids of every control-plane function, and the database-users custom resource's function
 * (`DatabaseUsers`, not a configurable entry); each carries the AWS SDK clients it uses in its bundle.
 */
const FUNCTIONS = ['BuildImage', 'DeployServices', 'SnapshotData', 'TrackBackup', 'TrackDeployment', 'DatabaseUsers'];
/** The service id each bundled client's runtime configuration names, per function (what shows a client is bundled). */
const BUNDLED_CLIENTS: Readonly<Record<string, readonly string[]>> = {
  BuildImage: ['S3', 'ECR', 'EventBridge', 'DynamoDB'],
  DeployServices: ['ECS'],
  DatabaseUsers: ['Secrets Manager'],
};
/**
 * Strings only the providers of the SDK's default credential chain carry (setting names they
 * read, their log lines), one per provider: none of them is needed in Lambda.
 */
const DEFAULT_CHAIN_MARKERS: Readonly<Record<string, string>> = {
  sso: 'sso_start_url',
  ini: '@aws-sdk/credential-provider-ini',
  process: 'credential_process',
  'web identity': 'AWS_WEB_IDENTITY_TOKEN_FILE',
  container: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
};

/** The default-chain providers whose markers a bundle carries. */
function defaultChainProviders(code: string): string[] {
  return Object.entries(DEFAULT_CHAIN_MARKERS).filter(([, marker]) => code.includes(marker)).map(([provider]) => provider);
}

interface Bundle { readonly name: string; readonly file: string; readonly code: string; readonly size: number }

// Real bundling of the real handlers, as `cdk synth` does it: one esbuild run per function, from another directory
// (fixtures/bundles-app.ts). The synth cache keeps the cloud assembly until the sources, the fixture or the locked
// dependencies change.
const BUNDLES_APP = 'test/infra/fixtures/bundles-app.ts';
let outdir: string;
let bundles: Bundle[];
function bundle(name: string): Bundle {
  const found = bundles.find((b) => b.name === name);
  if (!found) throw new Error(`no bundle of ${name} among ${bundles.map((b) => b.name).join(', ')}`);
  return found;
}

beforeAll(async () => {
  outdir = await cachedAssembly({ root: PACKAGE_ROOT, app: `npx tsx ${BUNDLES_APP}`, inputs: [...SYNTH_INPUTS, 'test/infra/fixtures', 'test/infra/helpers.ts'] });
  const template = JSON.parse(readFileSync(path.join(outdir, 'wicked-dev.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: unknown } } }> };
  bundles = Object.entries(template.Resources).flatMap(([logicalId, resource]) => {
    const key = resource.Properties.Code?.S3Key;
    const dir = typeof key === 'string' ? path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`) : undefined;
    if (resource.Type !== 'AWS::Lambda::Function' || dir === undefined || !readdirSync(dir).includes('index.mjs')) return [];
    const file = path.join(dir, 'index.mjs');
    // The function's construct id, as in `PlatformDeployDeployServicesFunction1A2B3C4D`.
    const name = /PostgresUsersHandler[0-9A-F]{8}$/.test(logicalId) ? 'DatabaseUsers' : FUNCTIONS.find((id) => new RegExp(`${id}Function[0-9A-F]{8}$`).test(logicalId)) ?? logicalId;
    return [{ name, file, code: readFileSync(file, 'utf8'), size: statSync(file).size }];
  });
}, 300_000);

describe('Lambda bundles', () => {
  it('are one ESM file per function', () => {
    expect(bundles.map((b) => b.name).sort()).toEqual([...FUNCTIONS].sort());
    expect(bundles).toHaveLength(Object.keys(DEFAULT_FUNCTION_ENTRIES).length + 1);
    for (const b of bundles) expect(b.code).toMatch(/export\s*\{[^}]*\bas handler\b/);
  });

  it('carry the AWS SDK in every function, with none of the default credential chain\'s providers', () => {
    for (const name of FUNCTIONS) {
      const { code } = bundle(name);
      // Imports of the runtime's SDK (an SDK error message quotes `[require("@aws-sdk/signature-v4-crt");]`: not one).
      expect([name, code.match(/from\s*"@aws-sdk\/[^"]+"|import\("@aws-sdk\/[^"]+"\)|(?<!\[)require\("@aws-sdk\/[^"]+"\)/g)]).toEqual([name, null]);
      expect(code).toContain('@smithy/');
      expect([name, defaultChainProviders(code)]).toEqual([name, []]);
    }
  });

  it('find the default chain\'s providers by those markers: the same handler bundled without the alias carries every one', async () => {
    const { outputFiles } = await build({
      entryPoints: [DEFAULT_FUNCTION_ENTRIES.trackBackup], bundle: true, write: false, outdir, platform: 'node', format: 'esm', target: 'node24',
      minify: true, mainFields: ['module', 'main'], banner: { js: ESM_REQUIRE_BANNER }, logLevel: 'silent',
    });
    const code = outputFiles.map((file) => file.text).join('\n');

    expect(defaultChainProviders(code)).toEqual(Object.keys(DEFAULT_CHAIN_MARKERS));
  });

  it('bundle the SDK clients build-image calls (S3, ECR, EventBridge, DynamoDB), as deploy-services bundles ECS and database-users Secrets Manager', () => {
    for (const [name, services] of Object.entries(BUNDLED_CLIENTS)) {
      const code = bundle(name).code;
      expect([name, services.filter((service) => !code.includes(`serviceId??"${service}"`))]).toEqual([name, []]);
    }
  });

  it('keep of ECR in build-image only the one operation it sends: no whole-namespace import of the client', () => {
    // build-image asks ECR for an authorization token and talks to the registry over OCI; a dynamic import() of
    // @aws-sdk/client-ecr (or of a module importing it) would keep every command, paginator and waiter and evaluate them at load.
    const { code } = bundle('BuildImage');
    expect(['GetAuthorizationToken', 'DescribeImageScanFindings', 'ListImages', 'StartImageScan'].map((operation) => [operation, code.includes(`"${operation}"`)]))
      .toEqual([['GetAuthorizationToken', true], ['DescribeImageScanFindings', false], ['ListImages', false], ['StartImageScan', false]]);
  });

  it('keep of S3 in build-image the schemas of GetObject, not those of operations it never sends (schema trait keys made literal at bundling)', () => {
    // With the SDK's computed trait keys (`{ [_hH]: ... }`) esbuild kept every S3 schema that has a trait, for all ~100 operations.
    const { code } = bundle('BuildImage');
    expect(['GetObjectOutput', 'GetObjectRequest', 'PutBucketLifecycleConfigurationRequest', 'ListObjectsV2Output', 'SelectObjectContentRequest'].map((schema) => [schema, code.includes(`"${schema}"`)]))
      .toEqual([['GetObjectOutput', true], ['GetObjectRequest', true], ['PutBucketLifecycleConfigurationRequest', false], ['ListObjectsV2Output', false], ['SelectObjectContentRequest', false]]);
  });

  it('wrap no module in a lazy initialiser: @smithy/core\'s event-stream module is imported statically (without the plugin, its graph is wrapped)', async () => {
    // Unminified, so that esbuild's helper keeps its name; the same options and plugins as the assets otherwise.
    const bundleOf = async (plugins: typeof BUNDLE_PLUGINS): Promise<string> => (await build({
      ...FUNCTION_ESBUILD_OPTIONS, entryPoints: [DEFAULT_FUNCTION_ENTRIES.buildImage], write: false, outdir, minify: false, sourcemap: false, plugins: [...plugins], logLevel: 'silent',
    })).outputFiles.map((file) => file.text).join('\n');
    const wrapped = (code: string): number => (code.match(/= __esm\(\{/g) ?? []).length;

    expect(wrapped(await bundleOf(BUNDLE_PLUGINS))).toBe(0);
    expect(wrapped(await bundleOf(BUNDLE_PLUGINS.filter((p) => p.name !== 'static-event-streams')))).toBeGreaterThan(100);
  });

  it('reach node:http, node:process, node:fs, node:stream/web and node:zlib through functions/builtins, never through an ESM import', () => {
    for (const b of bundles) {
      const esmImports = b.code.match(/(?:from\s*|import\s*\(\s*)"(?:node:)?(?:http|process|fs|fs\/promises|stream\/web|zlib)"/g);
      expect([b.name, esmImports]).toEqual([b.name, null]);
    }
    // The SDK's HTTP handler uses node:http and the SDK's checksums node:zlib: their modules are in every bundle. middy imports
    // node:stream/web: its module is in every bundle but database-users, the provider framework's handler, which has no middy.
    for (const b of bundles) {
      const middy = b.name !== 'DatabaseUsers';
      expect([b.name, b.code.includes('getBuiltinModule("node:http")'), b.code.includes('"node:stream/web"'), b.code.includes('"node:zlib"')]).toEqual([b.name, true, middy, true]);
    }
  });

  it('keep zod\'s English locale and no other', () => {
    for (const b of bundles) {
      // A message only zod's German locale carries: shared/zod configures English alone, imported as a namespace.
      expect(b.code).not.toContain('Eingabe: erwartet');
      // ...and English is there: zod/mini has no default locale, so every message would read "Invalid input".
      expect(b.code).toContain('Invalid input: expected');
    }
  });
});
/** Every TypeScript source of the package (what a bundle or the CLI can reach, and the tests). */
function sources(): string[] {
  return ['shared', 'functions', 'cli', 'infra', 'local', 'test', 'bench']
    .flatMap((dir) => readdirSync(path.join(PACKAGE_ROOT, dir), { recursive: true, encoding: 'utf8' }).map((file) => path.join(dir, file)))
    .filter((file) => file.endsWith('.ts'));
}

/** Import and export statements with a module specifier, dynamic imports and requires: `[bindings, specifier]`. */
function importsOf(code: string): [string, string][] {
  const statements = [...code.matchAll(/^\s*(?:import|export)\s+([^;]*?)\s*from\s*'([^']+)'/gm)].map((m): [string, string] => [m[1]!, m[2]!]);
  const calls = [...code.matchAll(/\b(?:import|require)\(\s*'([^']+)'\s*\)/g)].map((m): [string, string] => ['(call)', m[1]!]);
  return [...statements, ...calls];
}

describe('zod imports', () => {
  const ZOD_MODULE = path.join('shared', 'zod.ts');

  it('go through shared/zod, as a namespace, so esbuild keeps only what is used', () => {
    const problems: string[] = [];
    for (const file of sources()) {
      if (file === ZOD_MODULE) continue;
      for (const [bindings, specifier] of importsOf(readFileSync(path.join(PACKAGE_ROOT, file), 'utf8'))) {
        if (/^zod(\/|$)/.test(specifier)) problems.push(`${file}: imports '${specifier}' (use shared/zod)`);
        const target = specifier.startsWith('.') ? path.relative(PACKAGE_ROOT, path.resolve(PACKAGE_ROOT, path.dirname(file), specifier)) : specifier;
        if (target === path.join('shared', 'zod') && !/^(type\s+)?\*\s+as\s+z$/.test(bindings)) problems.push(`${file}: ${bindings} from '${specifier}' (expected * as z)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('configure the English locale alone, on zod/mini', () => {
    const imports = importsOf(readFileSync(path.join(PACKAGE_ROOT, ZOD_MODULE), 'utf8')).map(([, specifier]) => specifier).sort();
    expect(imports).toEqual(['zod/mini', 'zod/mini', 'zod/v4/locales/en.js']);
  });
});

/** What a bundled handler did in its own node process: its result, or the error it threw. */
type Invocation = { result: unknown } | { error: { name: string; message: string } };

/** Imports a bundle in a fresh node (nothing of this process's modules or SDK) and invokes its handler once. */
async function invokeBundle(file: string, event: unknown, env: Record<string, string>): Promise<Invocation> {
  const context = { functionName: 'bundle-check', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:bundle-check', memoryLimitInMB: '512', awsRequestId: 'bundle-check-1' };
  const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
const context = { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 60000 };
let outcome;
try { outcome = { result: await handler(${JSON.stringify(event)}, context) }; } catch (error) { outcome = { error: { name: error.name, message: error.message } }; }
console.log('INVOCATION ' + JSON.stringify(outcome));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env, cwd: path.dirname(file), timeout: 60_000 });
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('INVOCATION '));
  if (!line) throw new Error(`the bundle printed no outcome: ${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('INVOCATION '.length)) as Invocation;
}

// The bundles' work against AWS's APIs is exercised on the deployed stack: every e2e test runs the functions from the
// assets `cdk deploy` published (test/helpers/deployed.ts). What only a bare invocation shows stays here.
describe('a bundled handler invoked with what Lambda gives it', () => {
  it('fails with the environment provider\'s error when Lambda\'s credential variables are missing', async () => {
    // snapshot-data's variables as the stack sets them; the endpoints lead nowhere: no call may be sent without credentials.
    const env = {
      PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_SERVICE_NAME: 'snapshot-data', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      WICKED_ENV: 'dev', LEDGER_TABLE_NAME: 'wicked-dev-ledger', EVENT_BUS_NAME: 'default', BACKUP_VAULT_NAME: 'wicked-dev', BACKUP_ROLE_ARN: 'arn:aws:iam::000000000000:role/wicked-dev-backup',
      EFS_FILE_SYSTEM_ARN: 'arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/fs-0123456789abcdef0', SNAPSHOT_SCHEDULE: 'cron(0 3 * * ? *)', SNAPSHOT_DELETE_AFTER_DAYS: '35',
      NOTIFY_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:wicked-dev-notifications',
    };
    const scheduled = { id: 'schedule-1', source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: new Date().toISOString() };

    const invocation = await invokeBundle(bundle('SnapshotData').file, scheduled, env);

    expect(invocation).toEqual({ error: expect.objectContaining({ message: expect.stringContaining('reading AWS credentials from the environment: expected AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY') }) });
  }, 60_000);
});
