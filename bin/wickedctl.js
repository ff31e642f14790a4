#!/usr/bin/env node
'use strict';
// Runs the CLI from a bundle that esbuild (a dependency of tsx) builds on first use and
// rebuilds whenever a source file is newer, so `npx wickedctl` works right after `npm ci`
// without install scripts and starts fast. Falls back to running the sources through tsx.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bundle = join(root, 'node_modules', '.cache', 'wickedctl', 'wickedctl.cjs');

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (item.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function loadCli() {
  try {
    // This file's own mtime counts too: a change of the build options below invalidates the bundle.
    const sources = Math.max(statSync(__filename).mtimeMs, ...['cli', 'shared', 'local', 'functions'].map((dir) => newestSource(join(root, dir))));
    if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources) {
      require('esbuild').buildSync({
        entryPoints: [join(root, 'cli', 'main.ts')], outfile: bundle, bundle: true, platform: 'node',
        target: 'node20', format: 'cjs', logLevel: 'silent', minify: true, keepNames: true,
        // Small pure-JS dependencies are bundled (loading them file by file costs more start-up time);
        // the AWS SDK, dynalite and the build tools stay external and load only when a command needs them.
        external: ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*', '@middy/*', 'dynalite', 'esbuild', 'tsx', 'aws-cdk-lib', 'constructs'],
      });
    }
    return require(bundle);
  } catch {
    require('tsx/cjs');
    return require('../cli/main.ts');
  }
}

loadCli().main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`wickedctl: internal error: ${err && err.message ? err.message : err}\n`); process.exitCode = 1; },
);
