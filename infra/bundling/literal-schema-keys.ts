import { readFile } from 'fs/promises';
import type { Plugin } from 'esbuild';

/**
 * The generated schema modules of the AWS SDK clients (`@aws-sdk/client-<service>/dist-es/schemas/schemas_<n>.js`).
 * Only these are rewritten.
 */
export const SDK_SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/** `const _hE = "httpError";`: the module-level string constants the schema modules name their trait keys with. */
const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm;
/** A computed object key that is one identifier: `[_hE]:`. */
const COMPUTED_KEY = /\[(_\w+)\]:/g;

/**
 * Rewrites the computed trait keys of an SDK schema module to the string literals they name:
 * `{ [_e]: _c, [_hE]: 400 }` becomes `{ "error": _c, "httpError": 400 }`, the same object.
 * esbuild cannot prove that a computed key has no side effect (it does not inline a module's
 * constants once the module imports anything), so every schema with a trait object stayed in
 * the bundle with all it references, used or not: about half of S3's 138 KB of schemas for one
 * GetObject (esbuild issue 4373, aws-sdk-js-v3 issue 7607; smithy-typescript's code generator
 * is to emit literal keys). With literal keys, tree shaking drops the schemas of the
 * operations a function never sends. A key naming anything but a string constant of the same
 * module is left as it is.
 *
 * @example
 * literalSchemaKeys('const _hE = "httpError";\nexport var E$ = [-3, n0, _E, { [_hE]: 400 }, [], []];')
 * // 'const _hE = "httpError";\nexport var E$ = [-3, n0, _E, { "httpError": 400 }, [], []];'
 */
export function literalSchemaKeys(code: string): string {
  const strings = new Map<string, string>();
  for (const match of code.matchAll(STRING_CONSTANT)) strings.set(match[1]!, match[2]!);
  return code.replace(COMPUTED_KEY, (key, name: string) => {
    const literal = strings.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
}

/** esbuild plugin applying {@link literalSchemaKeys} to every module matching {@link SDK_SCHEMA_MODULE}. */
export const literalSchemaKeysPlugin: Plugin = {
  name: 'literal-schema-keys',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMA_MODULE }, async (args) => ({ contents: literalSchemaKeys(await readFile(args.path, 'utf8')), loader: 'js' }));
  },
};
