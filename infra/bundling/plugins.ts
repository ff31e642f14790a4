import type { Plugin } from 'esbuild';
import { literalSchemaKeysPlugin } from './literal-schema-keys';
import { staticEventStreamsPlugin } from './static-event-streams';

/** The esbuild plugins every function is bundled with (see each one's module for why). */
export const BUNDLE_PLUGINS: readonly Plugin[] = [literalSchemaKeysPlugin, staticEventStreamsPlugin];
