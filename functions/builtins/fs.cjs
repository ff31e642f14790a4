// `node:fs` for the Lambda bundles, taken with process.getBuiltinModule instead of an ESM
// import (esbuild --alias, infra/constructs/control-plane-function.ts). An ESM import of it
// reads every getter, ReadStream and WriteStream among them, which loads fs's stream
// implementation at load time. Reached through this module, an export is read only when the
// code uses it.
module.exports = process.getBuiltinModule('node:fs');
