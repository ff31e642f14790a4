// `node:stream/web` for the Lambda bundles, loaded on first use (esbuild --alias,
// infra/constructs/control-plane-function.ts). Only @middy/core imports it, for handlers that
// stream their response, which no function here does.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS module, as esbuild's interop needs
const { lazyBuiltin } = require('./lazy-builtin.cjs');

module.exports = lazyBuiltin('node:stream/web', [
  'ReadableStream', 'ReadableStreamTee', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest',
  'ReadableByteStreamController', 'ReadableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController',
  'WritableStream', 'WritableStreamDefaultWriter', 'WritableStreamDefaultController', 'ByteLengthQueuingStrategy',
  'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
]);
