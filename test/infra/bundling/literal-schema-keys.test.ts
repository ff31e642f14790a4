import { readFileSync } from 'fs';
import { build } from 'esbuild';
import { literalSchemaKeys, literalSchemaKeysPlugin, SDK_SCHEMA_MODULE } from '../../../infra/bundling/literal-schema-keys';

describe('literalSchemaKeys', () => {
  it.each([
    ['a computed key naming a string constant', 'const _hE = "httpError";\nvar E$ = [-3, n0, _E, { [_hE]: 400 }, [], []];', 'const _hE = "httpError";\nvar E$ = [-3, n0, _E, { "httpError": 400 }, [], []];'],
    ['several keys in one object, values left as they are', 'const _e = "error";\nconst _c = "client";\nconst _hE = "httpError";\nx = { [_e]: _c, [_hE]: 403 };', 'const _e = "error";\nconst _c = "client";\nconst _hE = "httpError";\nx = { "error": _c, "httpError": 403 };'],
    ['a constant with an escaped quote keeps its escape', 'const _q = "a\\"b";\nx = { [_q]: 1 };', 'const _q = "a\\"b";\nx = { "a\\"b": 1 };'],
    ['an array of constants is no key', 'const _B = "Bucket";\nx = [[_B], [_B, 0]];', 'const _B = "Bucket";\nx = [[_B], [_B, 0]];'],
    ['a key naming no string constant of the module stays computed', 'const n = 1;\nx = { [_imported]: 1, [n]: 2 };', 'const n = 1;\nx = { [_imported]: 1, [n]: 2 };'],
    ['a constant that is not a string stays computed', 'const _n = 5;\nx = { [_n]: 1 };', 'const _n = 5;\nx = { [_n]: 1 };'],
  ])('%s', (_case, input, output) => {
    expect(literalSchemaKeys(input)).toBe(output);
  });

  it.each([
    ['/p/node_modules/@aws-sdk/client-s3/dist-es/schemas/schemas_0.js', true],
    ['C:\\p\\node_modules\\@aws-sdk\\client-ecs\\dist-es\\schemas\\schemas_12.js', true],
    ['/p/node_modules/@aws-sdk/client-s3/dist-es/commands/GetObjectCommand.js', false],
    ['/p/node_modules/@aws-sdk/core/dist-es/schemas/schemas_0.js', false],
    ['/p/node_modules/@aws-sdk/client-s3/dist-cjs/schemas/schemas_0.js', false],
  ])('rewrites %s: %s', (file, rewritten) => {
    expect(SDK_SCHEMA_MODULE.test(file)).toBe(rewritten);
  });

  it('lets esbuild drop the S3 schemas of operations never sent, and keeps those of GetObject equal to the SDK\'s', async () => {
    const entry = "import { GetObjectCommand } from '@aws-sdk/client-s3'; export const schema = GetObjectCommand;";
    const bundleWith = async (plugins: typeof literalSchemaKeysPlugin[]): Promise<string> => (await build({
      stdin: { contents: entry, resolveDir: __dirname, loader: 'js' }, bundle: true, write: false, platform: 'node', format: 'esm',
      mainFields: ['module', 'main'], external: ['@smithy/*', '@aws-sdk/core', '@aws-sdk/core/*'], plugins, logLevel: 'silent',
    })).outputFiles[0]!.text;
    const [plain, literal] = [await bundleWith([]), await bundleWith([literalSchemaKeysPlugin])];

    expect([plain.includes('"PutBucketLifecycleConfigurationRequest"'), literal.includes('"PutBucketLifecycleConfigurationRequest"')]).toEqual([true, false]);
    expect(literal.length).toBeLessThan(plain.length / 2);
    // The kept schemas are the SDK's, keys spelled out: GetObject's request, with its HTTP bindings.
    const source = readFileSync(require.resolve('@aws-sdk/client-s3/dist-es/schemas/schemas_0.js'), 'utf8');
    expect(source).toMatch(/\[_hH\]: _/);
    expect(literal).toMatch(/"httpHeader": "If-Match"|"httpHeader": _/);
  });
});
