import * as z from '../zod';

/** Raised at cold start when the function's environment is incomplete. */
export class EnvironmentError extends Error {
  readonly code = 'INVALID_ENVIRONMENT';
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/**
 * Reads a function's environment once, against a schema: every missing or
 * malformed variable is named in one error.
 *
 * @example
 * const env = readEnvironment(z.object({ EVENT_BUS_NAME: z.string().min(1) }), process.env);
 */
export function readEnvironment<T extends z.ZodMiniType>(schema: T, env: NodeJS.ProcessEnv, fn: string): z.output<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new EnvironmentError(`${fn}: environment is incomplete: ${problems}`);
}

/** The build-image function's environment. */
export const BuildImageEnvironmentSchema = z.object({
  CONFIG_BUCKET: z.string().check(z.minLength(3)),
  TARGET_REPOSITORY_URI: z.string().check(z.regex(/^[^/]+\/[a-z0-9._/-]+$/, 'expected HOST/REPOSITORY')),
  BASE_IMAGE: z.string().check(z.regex(/^[^/]+\/.+[:@].+$/, 'expected HOST/REPOSITORY:TAG or @DIGEST')),
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  PLATFORM: z._default(z.string().check(z.regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/)), 'linux/amd64'),
  /** Plain HTTP to a loopback registry: only for the local emulator. */
  REGISTRY_INSECURE: z._default(z.enum(['true', 'false']), 'false'),
  /** The deployment ledger: where a base image change finds the deployed config. Without it, base changes are refused. */
  LEDGER_TABLE_NAME: z.optional(z.string().check(z.minLength(3))),
  /** wicked's NODE_ENV of the environment (the `nodeEnv` prop); configurations are validated for it. Default: the environment's name. */
  WICKED_NODE_ENV: z.optional(z.string().check(z.regex(/^[^/\\]+$/))),
  /** Comma-separated names the portal-api task definition sets (platform, Postgres, `containerEnvironment`, `containerSecrets`). */
  WICKED_PLATFORM_VARIABLES: z.optional(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*(,[A-Za-z_][A-Za-z0-9_]*)*$/, 'expected NAME,NAME,...'))),
  /** `true`: warnings reject a configuration too (the `strictValidation` prop). */
  WICKED_STRICT_VALIDATION: z._default(z.enum(['true', 'false']), 'false'),
});
/** The build-image function's environment, parsed. */
export type BuildImageEnvironment = z.output<typeof BuildImageEnvironmentSchema>;
