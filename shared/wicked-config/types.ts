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
  /** An `<server>:<method>` reference names a method its auth server does not enable. */
  AuthMethodDisabled: 'AUTH_METHOD_DISABLED',
  /** Two APIs, plans or groups share one id. */
  DuplicateId: 'DUPLICATE_ID',
  /** A document parses but does not have the shape portal-api reads. */
  InvalidShape: 'INVALID_SHAPE',
  /** `PORTAL_API_STATIC_CONFIG` does not resolve to the folder portal-api reads (`/var/portal-api/static`). */
  StaticConfigPath: 'STATIC_CONFIG_PATH',
  /** `PORTAL_API_DYNAMIC_CONFIG` does not resolve to the platform's dynamic data mount. */
  DynamicConfigPath: 'DYNAMIC_CONFIG_PATH',
  /** A variable portal-api's start-up tests for truthiness resolves to an empty string. */
  EmptyRequiredVariable: 'EMPTY_REQUIRED_VARIABLE',
  /** portal-api's configuration update (config-updater, run at every start) would fail on this configuration. */
  MigrationFailed: 'MIGRATION_FAILED',
  /** An encrypted value or `configKeyCheck` does not decrypt with the configuration key at hand. */
  WrongConfigKey: 'WRONG_CONFIG_KEY',
} as const;

/**
 * How bad an issue is, judged by portal-api 1.0's own start-up: `error` when
 * portal-api refuses to start or crashes at start (or the platform cannot run
 * it), `warning` when it starts and only a request or a feature is degraded.
 */
export type Severity = 'error' | 'warning';

/** One of the {@link IssueCode} values. */
export type IssueCodeValue = (typeof IssueCode)[keyof typeof IssueCode];

/** One problem of a configuration, located as precisely as the check allows. */
export interface ValidationIssue {
  /** `error`: portal-api would not start (nothing is built); `warning`: it starts, degraded. */
  readonly severity: Severity;
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

/**
 * An issue as the checks produce it: the severity may be left to the
 * code's default ({@link defaultSeverity}); the report always carries one.
 */
export type IssueDraft = Omit<ValidationIssue, 'severity'> & { readonly severity?: Severity };

/** Whether portal-api would start with one environment (`NODE_ENV`). */
export interface EnvironmentVerdict {
  /** The wicked environment (`NODE_ENV`). */
  readonly env: string;
  /** `true` when no error applies to this environment (warnings allowed, unless strict). */
  readonly runs: boolean;
  readonly errors: number;
  readonly warnings: number;
}

/** The outcome of {@link validateConfig}: every problem at once. */
export interface ValidationReport {
  /**
   * `true` when no issue is an error (with `strict`, when there is no issue at all):
   * portal-api would start in every checked environment.
   */
  readonly valid: boolean;
  /** Number of issues of severity `error`. */
  readonly errorCount?: number;
  /** Number of issues of severity `warning`. */
  readonly warningCount?: number;
  /** Per checked environment: would portal-api start with it as `NODE_ENV`? */
  readonly verdicts?: EnvironmentVerdict[];
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
  /**
   * Warnings count as errors for `valid` and the verdicts.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * The configuration key (`PORTAL_CONFIG_KEY`, the content of `deploy.envkey`),
   * when at hand: encrypted values and `configKeyCheck` are then decrypted
   * as portal-api does, and a wrong key is an error. Never logged or reported.
   * @default not at hand: encrypted values are only checked for shape
   */
  readonly configKey?: string;
  /**
   * Where the platform mounts portal-api's dynamic data; `PORTAL_API_DYNAMIC_CONFIG`
   * must resolve to it.
   * @default '/var/portal-api/dynamic'
   */
  readonly dynamicDataPath?: string;
  /**
   * The name of the platform setting that selects `NODE_ENV`, named in the
   * error when an environment's file is missing.
   * @default 'the wicked environment (NODE_ENV)'
   */
  readonly nodeEnvSetting?: string;
}

/** A parsed `.json` file of the configuration. */
export interface JsonDocument {
  readonly path: string;
  readonly value: unknown;
}
