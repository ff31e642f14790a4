// `node:process` for the Lambda bundles, taken with process.getBuiltinModule instead of an
// ESM import (esbuild --alias, infra/constructs/control-plane-function.ts). An ESM import of
// it reads every getter, stdin, stdout and stderr among them, which opens the three streams
// at load time (about 15 ms). Reached through this module, an export is read only when the
// code uses it.
module.exports = process.getBuiltinModule('node:process');
