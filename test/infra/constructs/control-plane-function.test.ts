import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUILTIN_SHIMS, ENV_CREDENTIAL_PROVIDER, FUNCTION_BUNDLING } from '../../../infra/constructs/control-plane-function';
import { PACKAGE_ROOT } from '../../../infra/props';

describe('control-plane function bundling', () => {
  it('bundles the AWS SDK by default, its default credential chain aliased to the environment-only provider of this package', () => {
    expect(FUNCTION_BUNDLING).toMatchObject({ format: OutputFormat.ESM, minify: true, sourceMap: true, target: 'node24', externalModules: [] });
    const shims = Object.entries(BUILTIN_SHIMS).flatMap(([name, file]) => [`${name}=${file}`, `node:${name}=${file}`]);
    expect(FUNCTION_BUNDLING.esbuildArgs).toEqual({ '--legal-comments': 'none', '--alias': [`@aws-sdk/credential-provider-node=${ENV_CREDENTIAL_PROVIDER}`, ...shims] });
    // Absolute and inside this package, like the handler entries: the same file whatever directory synth runs from.
    expect(ENV_CREDENTIAL_PROVIDER).toBe(path.join(PACKAGE_ROOT, 'functions', 'credentials', 'env-provider.ts'));
    expect(existsSync(ENV_CREDENTIAL_PROVIDER)).toBe(true);
    expect(Object.keys(BUILTIN_SHIMS).sort()).toEqual(['fs', 'fs/promises', 'http', 'process', 'stream/web']);
  });

  it.each(['http', 'process', 'fs', 'fs/promises'])('takes node:%s with process.getBuiltinModule: the builtin itself', (name) => {
    const file = BUILTIN_SHIMS[name]!;
    expect(path.dirname(file)).toBe(path.join(PACKAGE_ROOT, 'functions', 'builtins'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require(file)).toBe(process.getBuiltinModule(`node:${name}`));
  });

  it('loads node:stream/web on first use, with every export of the running Node\'s module', () => {
    const script = `const m = require(${JSON.stringify(BUILTIN_SHIMS['stream/web'])});
      const loaded = () => process.moduleLoadList.some((l) => l.includes('webstreams/readablestream'));
      const before = loaded();
      const web = process.getBuiltinModule('node:stream/web');
      console.log(JSON.stringify({ before, names: Object.keys(m), expected: Object.keys(web), same: Object.keys(web).every((k) => m[k] === web[k]) }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { before: boolean; names: string[]; expected: string[]; same: boolean };

    expect(out.before).toBe(false); // requiring the shim did not load it
    expect(out.names).toEqual(out.expected);
    expect(out.same).toBe(true);
  });
});
