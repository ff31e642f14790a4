/**
 * Stable codes of {@link ValidationIssue}. They are part of the contract with
 * the CLI, the `Portal Config Rejected` event and operators' scripts: add
 * codes, never rename them.
 */
export const IssueCode = {
  /** A file portal-api requires is not in the configuration. */
  MissingFile: 'MISSING_FILE',
  /** A `.json` file does not parse with `JSON.parse` (portal-api parses every one at start-up). */
  JsonSyntax: 'JSON_SYNTAX',
  /** An `env/<name>.json` file does not map names to `{ value, encrypted? }`. */
  InvalidEnvFile: 'INVALID_ENV_FILE',
  /** A `$VAR` / `${VAR}` is not defined for an environment. */
  UnresolvedVariable: 'UNRESOLVED_VARIABLE',
  /** A variable is defined but empty: portal-api's substitution leaves the reference in place. */
  EmptyVariable: 'EMPTY_VARIABLE',
  /** Substitution does not finish within portal-api's 10 rounds (a cycle). */
  RecursiveVariable: 'RECURSIVE_VARIABLE',
  /** `${...}` that is not `${NAME}` with NAME of `[A-Za-z0-9_]`: portal-api never substitutes it. */
  MalformedVariable: 'MALFORMED_VARIABLE',
  /** An API of `apis/apis.json` has no `apis/<id>/config.json`. */
  UnknownApiConfig: 'UNKNOWN_API_CONFIG',
  /** A plan named by an API is not in `plans/plans.json`. */
  UnknownPlan: 'UNKNOWN_PLAN',
  /** A group named by an API, plan, page or `globals.json` is not in `groups/groups.json`. */
  UnknownGroup: 'UNKNOWN_GROUP',
  /** An auth server referenced by an API or `globals.json` has no `auth-servers/<name>.json`. */
  UnknownAuthServer: 'UNKNOWN_AUTH_SERVER',
  /** An `<server>:<method>` reference names a method its auth server does not define. */
  UnknownAuthMethod: 'UNKNOWN_AUTH_METHOD',
  /** Two APIs, plans or groups share one id. */
  DuplicateId: 'DUPLICATE_ID',
  /** A document parses but does not have the shape portal-api reads. */
  InvalidShape: 'INVALID_SHAPE',
} as const;

/** One of the {@link IssueCode} values. */
export type IssueCodeValue = (typeof IssueCode)[keyof typeof IssueCode];

/** One problem of a configuration, located as precisely as the check allows. */
export interface ValidationIssue {
  /** Path relative to the static root (`apis/apis.json`). */
  readonly file: string;
  /** JSONPath of the offending value (`$.apis[1].plans[0]`). */
  readonly jsonPath?: string;
  /** 1-based line, for syntax errors. */
  readonly line?: number;
  /** 1-based column in characters, for syntax errors. */
  readonly column?: number;
  /** A stable {@link IssueCode}. */
  readonly code: string;
  /** What was received and what was expected. */
  readonly message: string;
  /** The environment the problem applies to, for environment-specific checks. */
  readonly env?: string;
}

/** The outcome of {@link validateConfig}: every problem at once. */
export interface ValidationReport {
  /** `true` when `issues` is empty. */
  readonly valid: boolean;
  /** The hash portal-api reports at `GET /confighash` for this static folder. */
  readonly configHash: string;
  /** The environments whose variables were resolved, in the order checked. */
  readonly environments: string[];
  readonly issues: ValidationIssue[];
}

/** Options of {@link validateConfig}; unknown keys are rejected. */
export interface ValidateConfigOptions {
  /**
   * Environments to resolve variables for (`NODE_ENV` values).
   * @default every `env/<name>.json` of the bundle, `default` included
   */
  readonly envs?: readonly string[];
  /**
   * Variables set in the container at run time rather than by the
   * configuration. Replaces the default list; spread {@link PLATFORM_VARIABLES}
   * to extend it.
   * @default PLATFORM_VARIABLES
   */
  readonly platformVariables?: readonly string[];
}

/** A parsed `.json` file of the configuration. */
export interface JsonDocument {
  readonly path: string;
  readonly value: unknown;
}
