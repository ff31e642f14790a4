import type { EnvironmentVerdict, IssueDraft, Severity, ValidationIssue } from './types';
import { IssueCode } from './types';

/**
 * The severity of each code when the check does not set one. Codes whose
 * severity depends on the case (MISSING_FILE, INVALID_SHAPE, UNKNOWN_API_CONFIG)
 * get it from the check; this is their usual case.
 *
 * Errors are what stops portal-api 1.0 at start (wicked `src/api/bin/api`):
 * - JSON_SYNTAX, UNRESOLVED_VARIABLE: `envReader.sanityCheckDir` parses every
 *   `.json` of the static folder and throws "Environment variables are missing"
 *   (wicked `src/env/env-reader.js`).
 * - UNKNOWN_PLAN: `initializer.checkApiPlans` returns messages, and
 *   `bin/api` exits 1 on them (wicked `src/api/routes/initializer.js`).
 * - STATIC_CONFIG_PATH, EMPTY_REQUIRED_VARIABLE: `checkEnvironment`'s path
 *   sanity check and `bin/api`'s `PORTAL_API_DYNAMIC_CONFIG` / `PORTAL_API_AESKEY` tests.
 * - MIGRATION_FAILED, WRONG_CONFIG_KEY: `envReader.updateConfig` throws "The
 *   Configuration update steps failed" (wicked `src/env/src/config-updater.js`).
 * - DYNAMIC_CONFIG_PATH: the platform's mount; dynamic data elsewhere is lost with the task.
 *
 * Warnings are what portal-api only meets at request time (wicked `src/api/routes/*.js`).
 */
const DEFAULT_SEVERITY: Readonly<Record<string, Severity>> = {
  [IssueCode.MissingFile]: 'error',
  [IssueCode.JsonSyntax]: 'error',
  [IssueCode.UnresolvedVariable]: 'error',
  [IssueCode.UnknownPlan]: 'error',
  [IssueCode.StaticConfigPath]: 'error',
  [IssueCode.DynamicConfigPath]: 'error',
  [IssueCode.EmptyRequiredVariable]: 'error',
  [IssueCode.MigrationFailed]: 'error',
  [IssueCode.WrongConfigKey]: 'error',
  [IssueCode.InvalidEnvFile]: 'warning',
  [IssueCode.EmptyVariable]: 'warning',
  [IssueCode.RecursiveVariable]: 'warning',
  [IssueCode.MalformedVariable]: 'warning',
  [IssueCode.UnknownApiConfig]: 'warning',
  [IssueCode.UnknownGroup]: 'warning',
  [IssueCode.UnknownAuthServer]: 'warning',
  [IssueCode.UnknownAuthMethod]: 'warning',
  [IssueCode.AuthMethodDisabled]: 'warning',
  [IssueCode.DuplicateId]: 'warning',
  [IssueCode.InvalidShape]: 'warning',
};

/**
 * The severity of a code when its check sets none; codes this module does not
 * know (an unreadable or unsafe archive) are errors.
 *
 * @example
 * defaultSeverity('UNKNOWN_GROUP') // 'warning'
 * defaultSeverity('PATH_TRAVERSAL') // 'error'
 */
export function defaultSeverity(code: string): Severity {
  return DEFAULT_SEVERITY[code] ?? 'error';
}

/** The draft with its severity settled. */
export function withSeverity(issue: IssueDraft): ValidationIssue {
  return { ...issue, severity: issue.severity ?? defaultSeverity(issue.code) };
}

/**
 * Per environment, whether portal-api would start: an error without `env`
 * applies to every environment, one with `env` to that one only.
 *
 * @example
 * environmentVerdicts(['docker', 'localhost'], [{ severity: 'error', env: 'localhost', ... }])
 * // [{ env: 'docker', runs: true, errors: 0, warnings: 0 }, { env: 'localhost', runs: false, errors: 1, warnings: 0 }]
 */
export function environmentVerdicts(environments: readonly string[], issues: readonly ValidationIssue[], strict = false): EnvironmentVerdict[] {
  return environments.map((env) => {
    const applying = issues.filter((issue) => issue.env === undefined || issue.env === env);
    const errors = applying.filter((issue) => issue.severity === 'error').length;
    const warnings = applying.length - errors;
    return { env, runs: errors === 0 && (!strict || warnings === 0), errors, warnings };
  });
}

/** Whether a report with these issues passes: no error, and with `strict` no warning either. */
export function passes(issues: readonly ValidationIssue[], strict = false): boolean {
  return issues.every((issue) => issue.severity === 'warning' && !strict);
}
