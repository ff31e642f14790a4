import { baseImageUri, BUILD_IMAGE_ESBUILD_OPTIONS, BUILD_IMAGE_RUNTIME } from '../../../infra/constructs/build-image-function';
import { FUNCTION_ESBUILD_OPTIONS } from '../../../infra/constructs/control-plane-function';

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
    expect(BUILD_IMAGE_ESBUILD_OPTIONS).toMatchObject({ bundle: true, platform: 'node', format: 'esm', minify: true, sourcemap: true, target: 'node24' });
    expect(BUILD_IMAGE_ESBUILD_OPTIONS.banner).toEqual({ js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" });
  });

  it('bundles everything it imports, AWS SDK clients included, as every function does, on Node.js 24', () => {
    expect(BUILD_IMAGE_ESBUILD_OPTIONS).toBe(FUNCTION_ESBUILD_OPTIONS);
    expect(BUILD_IMAGE_ESBUILD_OPTIONS.external).toEqual([]);
    expect(BUILD_IMAGE_RUNTIME.name).toBe('nodejs24.x');
  });
});
