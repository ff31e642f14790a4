import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { baseImageUri, BUILD_IMAGE_BUNDLING, BUILD_IMAGE_RUNTIME } from '../../../infra/constructs/build-image-function';
import { FUNCTION_BUNDLING } from '../../../infra/constructs/control-plane-function';

describe('baseImageUri', () => {
  it.each([
    [{ account: '123456789012', region: 'eu-west-1', urlSuffix: 'amazonaws.com', repository: 'haufelexware/wicked.api', tag: '1.0.0' },
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/haufelexware/wicked.api:1.0.0'],
    [{ account: '210987654321', region: 'cn-north-1', urlSuffix: 'amazonaws.com.cn', repository: 'library/kong', tag: '3.9' },
      '210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/docker-hub/library/kong:3.9'],
  ])('%j -> %s', (parts, uri) => {
    expect(baseImageUri(parts)).toBe(uri);
  });
});

describe('build-image bundling', () => {
  it('emits one minified ESM file with source maps that can still require() CommonJS', () => {
    expect(BUILD_IMAGE_BUNDLING).toMatchObject({ format: OutputFormat.ESM, minify: true, sourceMap: true, target: 'node24' });
    expect(BUILD_IMAGE_BUNDLING.banner).toBe("import { createRequire } from 'module';const require = createRequire(import.meta.url);");
  });

  it('bundles everything it imports, as every function does (it imports no AWS SDK client), on Node.js 24', () => {
    expect(BUILD_IMAGE_BUNDLING).toBe(FUNCTION_BUNDLING);
    expect(BUILD_IMAGE_BUNDLING.externalModules).toEqual([]);
    expect(BUILD_IMAGE_RUNTIME.name).toBe('nodejs24.x');
  });
});
