// `node:zlib` for the Lambda bundles, loaded on first use (esbuild --alias,
// infra/constructs/control-plane-function.ts). Every SDK client brings @smithy/core's checksum
// module, which imports zlib's crc32 for S3's flexible checksums: the deploy and snapshot
// functions call no S3 and never load it; build-image loads it at its first build (gzip of the
// layer, gunzip of a .tgz upload).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS module, as esbuild's interop needs
const { lazyBuiltin } = require('./lazy-builtin.cjs');

module.exports = lazyBuiltin('node:zlib', [
  'crc32', 'Deflate', 'Inflate', 'Gzip', 'Gunzip', 'DeflateRaw', 'InflateRaw', 'Unzip', 'BrotliCompress',
  'BrotliDecompress', 'ZstdCompress', 'ZstdDecompress', 'deflate', 'deflateSync', 'gzip', 'gzipSync',
  'deflateRaw', 'deflateRawSync', 'unzip', 'unzipSync', 'inflate', 'inflateSync', 'gunzip', 'gunzipSync',
  'inflateRaw', 'inflateRawSync', 'brotliCompress', 'brotliCompressSync', 'brotliDecompress',
  'brotliDecompressSync', 'zstdCompress', 'zstdCompressSync', 'zstdDecompress', 'zstdDecompressSync',
  'createDeflate', 'createInflate', 'createDeflateRaw', 'createInflateRaw', 'createGzip', 'createGunzip',
  'createUnzip', 'createBrotliCompress', 'createBrotliDecompress', 'createZstdCompress',
  'createZstdDecompress', 'constants', 'codes'
]);
