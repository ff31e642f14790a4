import { existsSync } from 'fs';
import * as path from 'path';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUILTIN_SHIMS, ENV_CREDENTIAL_PROVIDER, FUNCTION_BUNDLING } from '../../../infra/constructs/control-plane-function';
import { PACKAGE_ROOT } from '../../../infra/props';

describe('control-plane function bundling', () => {
  it('bundles the AWS SDK by default, its default credential chain aliased to the environment-only provider of this package', () => {
    expect(FUNCTION_BUNDLING).toMatchObject({ format: OutputFormat.ESM, minify: true, sourceMap: true, target: 'node24', externalModules: [] });
    expect(FUNCTION_BUNDLING.esbuildArgs).toEqual({
      '--legal-comments': 'none',
      '--alias': [
        `@aws-sdk/credential-provider-node=${ENV_CREDENTIAL_PROVIDER}`,
        `http=${BUILTIN_SHIMS.http}`, `node:http=${BUILTIN_SHIMS.http}`, `process=${BUILTIN_SHIMS.process}`, `node:process=${BUILTIN_SHIMS.process}`,
      ],
    });
    // Absolute and inside this package, like the handler entries: the same file whatever directory synth runs from.
    expect(ENV_CREDENTIAL_PROVIDER).toBe(path.join(PACKAGE_ROOT, 'functions', 'credentials', 'env-provider.ts'));
    expect(existsSync(ENV_CREDENTIAL_PROVIDER)).toBe(true);
    for (const [name, file] of Object.entries(BUILTIN_SHIMS)) {
      expect(file).toBe(path.join(PACKAGE_ROOT, 'functions', 'builtins', `${name}.cjs`));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(require(file)).toBe(process.getBuiltinModule(`node:${name}`)); // the builtin itself, nothing else
    }
  });
});
