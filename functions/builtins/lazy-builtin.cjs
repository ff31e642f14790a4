// Shared by the builtin modules of the Lambda bundles that load a Node.js builtin on first use
// (see infra/constructs/control-plane-function.ts, BUILTIN_SHIMS): an object with one getter
// per export name, each loading the builtin with process.getBuiltinModule when the code first
// reads it. esbuild's interop copies the names into getters of its own without reading them,
// so requiring the module loads nothing. The names are those of the Node.js version the tests
// run on (test/infra/constructs/control-plane-function.test.ts compares them); a name missing
// here would read as undefined, as it would from a Node.js without it.
exports.lazyBuiltin = (id, names) => {
  let loaded;
  const load = () => (loaded ??= process.getBuiltinModule(id));
  return Object.defineProperties({}, Object.fromEntries(names.map((name) => [name, { enumerable: true, get: () => load()[name] }])));
};
