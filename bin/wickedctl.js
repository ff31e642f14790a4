#!/usr/bin/env node
'use strict';
// Runs the CLI from a bundle that esbuild (a dependency of tsx) builds on first use and
// rebuilds whenever a source file is newer, so `npx wickedctl` works right after `npm ci`
// without install scripts and starts fast. Falls back to running the sources through tsx.
//
// Start-up is most of a small build's time, so three things keep it short:
// - the AWS SDK stays external and is required lazily, on the first use of one of its exports
//   (a command that never talks to AWS never loads it);
// - a run initializes only the modules of the command it names (cli/main.ts);
// - V8's code cache for the bundle is kept next to it, one per command, so later runs skip compiling
//   what that command runs.
const { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

// The project runs on Node 24 (the `node` dev dependency; README "Two commands"). npm scripts and `npx wickedctl` already find the
// `node` devDependency's Node 24 first on the PATH; a direct `node bin/wickedctl.js` on an older Node hands
// over to that binary, so no command runs on an end-of-life Node (nor prints the AWS SDK's warning about it).
if (Number(process.versions.node.split('.')[0]) < 24) {
  const node24 = join(__dirname, '..', 'node_modules', 'node', 'bin', 'node');
  if (existsSync(node24) && !process.env.WICKEDCTL_NODE_HANDOVER) {
    const child = require('node:child_process').spawn(node24, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, WICKEDCTL_NODE_HANDOVER: '1' } });
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => { process.exitCode = code ?? (signal ? 128 : 1); });
    return;
  }
  process.stderr.write(`wickedctl: running on Node ${process.versions.node}; this project needs Node 24 (npm ci installs it as a dev dependency)\n`);
}

const root = join(__dirname, '..');
const bundle = join(root, 'node_modules', '.cache', 'wickedctl', 'wickedctl.cjs');
// One code cache per command: V8 caches the functions a run compiled, and each command runs other code.
const command = /^[a-z][a-z-]{0,30}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
const codeCache = `${bundle}.${command}.v8cache`;

/** Newest mtime of the `.ts` files under `dir` (synchronous: measured faster than the thread pool here). */
function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (item.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

// Concurrent runs may rebuild at the same time: readers must never see a half-written file.
function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

// Every import of the AWS SDK resolves to a shim next to the bundle that requires the package on the
// first use of one of its exports. The shims are external so that esbuild requires them as they are.
const lazyAwsSdk = {
  name: 'lazy-aws-sdk',
  setup(build) {
    const shims = join(dirname(bundle), 'lazy');
    build.onResolve({ filter: /^@(aws-sdk|smithy)\// }, (args) => {
      // A dynamic import() is lazy already, and needs the package's real named exports.
      if (args.kind === 'dynamic-import') return { path: args.path, external: true };
      const file = join(shims, `${args.path.replace(/[^a-z0-9-]/gi, '_')}.js`);
      mkdirSync(shims, { recursive: true });
      writeAtomically(file, `'use strict';
let m;
const load = () => (m ??= require(${JSON.stringify(require.resolve(args.path, { paths: [args.resolveDir] }))}));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => { const d = Object.getOwnPropertyDescriptor(load(), key); return d && { ...d, configurable: true }; },
});
`);
      return { path: `./lazy/${file.slice(shims.length + 1)}`, external: true };
    });
  },
};

const BUILD_OPTIONS = {
  entryPoints: [join(root, 'cli', 'main.ts')], bundle: true, platform: 'node', write: false,
  target: 'node20', format: 'cjs', logLevel: 'silent', minify: true, keepNames: true,
  // Small pure-JS dependencies are bundled (loading them file by file costs more start-up time);
  // dynalite and the build tools stay external and load only when a command needs them.
  external: ['@aws-lambda-powertools/*', '@middy/*', 'dynalite', 'esbuild', 'tsx', 'aws-cdk-lib', 'constructs'],
  plugins: [lazyAwsSdk],
  // No import() is left in the bundle: a script compiled by vm.Script cannot run one, and with V8's code
  // cache one wired through vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER was seen never to settle.
  supported: { 'dynamic-import': false },
};

/** Loads the bundle through vm.Script with V8's code cache. */
function loadBundle() {
  const vm = require('node:vm');
  const Module = require('node:module');
  const source = readFileSync(bundle, 'utf8');
  const cachedData = existsSync(codeCache) && statSync(codeCache).mtimeMs >= statSync(bundle).mtimeMs ? readFileSync(codeCache) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(dirname(bundle));
  const localRequire = (id) => mod.require(id);
  script.runInThisContext()(mod.exports, localRequire, mod, bundle, dirname(bundle));
  return { cli: mod.exports, script, writeCache: cachedData === undefined || script.cachedDataRejected };
}

/** Writes the code cache of the bundle in use when there was none or V8 rejected it. */
function keepCodeCache(loaded) {
  if (!loaded.writeCache) return loaded.cli;
  // After the run, so that the functions compiled so far are in the cache too.
  process.once('beforeExit', () => {
    try {
      writeAtomically(codeCache, loaded.script.createCachedData());
    } catch {
      // a cache that cannot be written only costs start-up time
    }
  });
  return loaded.cli;
}

async function loadCli() {
  try {
    // This file's own mtime counts too: a change of the build options above invalidates the bundle.
    const sources = Math.max(statSync(__filename).mtimeMs, ...['cli', 'shared', 'local', 'functions'].map((dir) => newestSource(join(root, dir))));
    if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) {
      try {
        return keepCodeCache(loadBundle());
      } catch {
        // a bundle that does not load is rebuilt like a stale one
      }
    }
    // (esbuild's buildSync takes no plugins, hence the asynchronous build.)
    const built = await require('esbuild').build(BUILD_OPTIONS);
    writeAtomically(bundle, built.outputFiles[0].contents);
    return keepCodeCache(loadBundle());
  } catch {
    require('tsx/cjs');
    return require('../cli/main.ts');
  }
}

// A reader that stops early (`wickedctl --help | head`) is not an error of the command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

loadCli().then((cli) => cli.main(process.argv)).then(
  (code) => {
    process.exitCode = code;
    // Once the command is done nothing left may hold the process (say a base image read still retrying for a
    // configuration that was refused): it ends by itself when idle, at the latest 0.1 s later.
    setTimeout(() => process.exit(), 100).unref();
  },
  (err) => { process.stderr.write(`wickedctl: internal error: ${err && err.message ? err.message : err}\n`); process.exitCode = 1; },
);
