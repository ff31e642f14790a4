// `node:http` for the Lambda bundles, taken with process.getBuiltinModule instead of an ESM
// import (esbuild --alias, infra/constructs/control-plane-function.ts). An ESM import of a
// builtin builds its namespace from every export, getters included, and node:http's
// WebSocket, CloseEvent and MessageEvent getters load the bundled undici: about 70 ms of a
// cold start for names no function uses. Reached through this module, an export is read
// only when the code uses it.
module.exports = process.getBuiltinModule('node:http');
