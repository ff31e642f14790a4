// `node:fs/promises` for the Lambda bundles: its own alias, because the alias of `fs`
// (functions/builtins/fs.cjs) would otherwise rewrite `fs/promises` to a path under it.
module.exports = process.getBuiltinModule('node:fs/promises');
