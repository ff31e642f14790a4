import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';
import { BUILTIN_SHIMS, ENV_CREDENTIAL_PROVIDER, FUNCTION_ESBUILD_OPTIONS } from '../../../infra/constructs/control-plane-function';
import { PACKAGE_ROOT } from '../../../infra/props';

describe('control-plane function bundling', () => {
  it('bundles the AWS SDK by default, its default credential chain aliased to the environment-only provider of this package', () => {
    expect(FUNCTION_ESBUILD_OPTIONS).toMatchObject({ format: 'esm', minify: true, sourcemap: true, sourcesContent: false, target: 'node24', external: [], legalComments: 'none' });
    const shims = Object.entries(BUILTIN_SHIMS).flatMap(([name, file]) => [[name, file], [`node:${name}`, file]]);
    expect(FUNCTION_ESBUILD_OPTIONS.alias).toEqual(Object.fromEntries([['@aws-sdk/credential-provider-node', ENV_CREDENTIAL_PROVIDER], ...shims]));
    // Absolute and inside this package, like the handler entries: the same file whatever directory synth runs from.
    expect(ENV_CREDENTIAL_PROVIDER).toBe(path.join(PACKAGE_ROOT, 'functions', 'credentials', 'env-provider.ts'));
    expect(existsSync(ENV_CREDENTIAL_PROVIDER)).toBe(true);
    expect(Object.keys(BUILTIN_SHIMS).sort()).toEqual(['fs', 'fs/promises', 'http', 'process', 'stream/web', 'zlib']);
  });

  it.each(['http', 'process', 'fs', 'fs/promises'])('takes node:%s with process.getBuiltinModule: the builtin itself', (name) => {
    const file = BUILTIN_SHIMS[name]!;
    expect(path.dirname(file)).toBe(path.join(PACKAGE_ROOT, 'functions', 'builtins'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require(file)).toBe(process.getBuiltinModule(`node:${name}`));
  });

  it.each([
    ['stream/web', 'webstreams/readablestream'],
    ['zlib', 'NativeModule zlib'],
  ])('loads node:%s on first use, with every export of the running Node\'s module', (name, internal) => {
    const script = `const m = require(${JSON.stringify(BUILTIN_SHIMS[name])});
      const loaded = () => process.moduleLoadList.some((l) => l.includes(${JSON.stringify(internal)}));
      const before = loaded();
      const first = Object.keys(m)[0];
      const value = m[first];
      const after = loaded();
      const real = process.getBuiltinModule(${JSON.stringify(`node:${name}`)});
      console.log(JSON.stringify({ before, after, firstIsReal: value === real[first], names: Object.keys(m), expected: Object.keys(real), same: Object.keys(real).every((k) => m[k] === real[k]) }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<string, unknown>;

    expect(out).toEqual({ before: false, after: true, firstIsReal: true, names: out.expected, expected: expect.any(Array), same: true });
  });
});
