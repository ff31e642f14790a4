/**
 * The project's one entry to zod: `zod/mini` (functional API, small once bundled)
 * with the English locale configured once, so messages read as zod's defaults.
 *
 * Import it as a namespace, never by name, so esbuild keeps only the parts used:
 *
 * @example
 * import * as z from '../shared/zod';
 * const Env = z.object({ EVENT_BUS_NAME: z.string().check(z.minLength(1)) });
 * Env.safeParse({}).error?.issues[0]?.message // 'Invalid input: expected string, received undefined'
 */
import { config } from 'zod/mini';
// Only the English locale: the `locales` namespace would bring every language along.
import en from 'zod/v4/locales/en.js';

export * from 'zod/mini';

// zod/mini sets no locale (its messages would all be "Invalid input"); classic zod sets English.
config(en());
