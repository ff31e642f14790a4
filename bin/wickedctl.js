#!/usr/bin/env node
'use strict';
// Runs the TypeScript CLI directly, so `npx wickedctl` works right after `npm ci` with no build step.
require('tsx/cjs');
require('../cli/main.ts').main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`wickedctl: internal error: ${err && err.message ? err.message : err}\n`); process.exitCode = 1; },
);
