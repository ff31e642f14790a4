// `node:stream/web` for the Lambda bundles, loaded on first use (esbuild --alias,
// infra/constructs/control-plane-function.ts). Only @middy/core imports it, for handlers that
// stream their response, which no function here does; loading it costs as much as node:zlib
// at every cold start. Each export is a getter that loads the module when the code first
// reads it. The names are node:stream/web's on Node.js 24 (test/infra/constructs/
// control-plane-function.test.ts compares them with the running Node).
const NAMES = [
  'ReadableStream', 'ReadableStreamTee', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest',
  'ReadableByteStreamController', 'ReadableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController',
  'WritableStream', 'WritableStreamDefaultWriter', 'WritableStreamDefaultController', 'ByteLengthQueuingStrategy',
  'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
];
let loaded;
const load = () => (loaded ??= process.getBuiltinModule('node:stream/web'));
module.exports = Object.defineProperties({}, Object.fromEntries(NAMES.map((name) => [name, { enumerable: true, get: () => load()[name] }])));
