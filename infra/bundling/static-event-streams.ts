import { readFile } from 'fs/promises';
import type { Plugin } from 'esbuild';

/** The module of `@smithy/core` that loads the event-stream support with a dynamic `import()`. */
export const SMITHY_HTTP_PROTOCOL = /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]protocols[\\/]HttpProtocol\.js$/;

const DYNAMIC_IMPORT = 'await import("@smithy/core/event-streams")';
const NAMESPACE = '__smithyEventStreams';

/**
 * Turns `@smithy/core`'s one dynamic `import("@smithy/core/event-streams")` (in `HttpProtocol`,
 * for operations with event streams) into a static namespace import. In a single-file bundle
 * esbuild cannot leave a dynamically imported module out: it inlines it, and to keep its
 * evaluation lazy it wraps that module and its whole static graph (182 modules of
 * `@smithy/core`, most of which every client loads at start anyway) in lazy initialisers, which
 * also keeps them out of tree shaking. Imported statically, the event-stream module (about
 * 13 KB) is evaluated at load and everything else is bundled plainly: measured on build-image,
 * about 25 M fewer instructions for a cold import than the wrapped graph (docs/benchmarks.md).
 * The module's text is left as it is when the import is not found (another SDK version);
 * `test/infra/lambda-bundles.test.ts` then fails on the wrappers.
 *
 * @example
 * staticEventStreams('const { EventStreamSerde } = await import("@smithy/core/event-streams");')
 * // 'import * as __smithyEventStreams from "@smithy/core/event-streams";\nconst { EventStreamSerde } = __smithyEventStreams;'
 */
export function staticEventStreams(code: string): string {
  if (!code.includes(DYNAMIC_IMPORT)) return code;
  return `import * as ${NAMESPACE} from "@smithy/core/event-streams";\n${code.split(DYNAMIC_IMPORT).join(NAMESPACE)}`;
}

/** esbuild plugin applying {@link staticEventStreams} to `@smithy/core`'s `HttpProtocol` module. */
export const staticEventStreamsPlugin: Plugin = {
  name: 'static-event-streams',
  setup(build) {
    build.onLoad({ filter: SMITHY_HTTP_PROTOCOL }, async (args) => ({ contents: staticEventStreams(await readFile(args.path, 'utf8')), loader: 'js' }));
  },
};
