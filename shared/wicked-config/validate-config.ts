import type { ConfigBundle } from '../config-bundle/types';
import { scanBundle } from './config-hash';
import { checkDocuments } from './document-checks';
import type { EnvVariables } from './env-files';
import { checkEnvFile, environmentNameOf } from './env-files';
import { parseJson } from './json-syntax';
import type { ResolvedOptions } from './options';
import { resolveOptions } from './options';
import { migrate } from './migration';
import { checkRequiredFiles } from './reference-checks';
import { environmentVerdicts, passes, withSeverity } from './severity';
import { checkStartup, checkStaticFiles } from './startup-checks';
import type { JsonDocument, ValidateConfigOptions, IssueDraft, ValidationReport } from './types';
import { IssueCode } from './types';
import { checkVariables } from './variable-checks';

/** The content of a configuration that validation needs, read from a bundle. */
export interface ConfigContents {
  /** Every file path of the configuration. */
  readonly files: ReadonlySet<string>;
  /** Text of every `.json` file, by path. */
  readonly json: ReadonlyMap<string, string>;
  readonly configHash: string;
}

/** Whether portal-api treats the path as JSON (its checks use `endsWith('.json')`). */
export function isJsonPath(path: string): boolean {
  return path.endsWith('.json');
}

/**
 * Validates a wicked static configuration as portal-api will load it and
 * reports every problem at once, with the configuration hash. Reads each
 * entry once; only the `.json` files are kept in memory.
 *
 * @example
 * const report = await validateConfig(bundle, { envs: ['dev', 'prod'] });
 * if (!report.valid) for (const issue of report.issues) console.log(issue.file, issue.code, issue.message);
 */
export async function validateConfig(bundle: ConfigBundle, options: ValidateConfigOptions = {}): Promise<ValidationReport> {
  const resolved = resolveOptions(options);
  const { configHash, kept } = await scanBundle(bundle, isJsonPath);
  const json = new Map(Array.from(kept, ([path, bytes]) => [path, bytes.toString('utf8')] as const));
  return validateContents({ files: new Set(bundle.entries.map((entry) => entry.path)), json, configHash }, resolved);
}

/**
 * The pure part of {@link validateConfig}: every check over already-read
 * contents, on the configuration as portal-api sees it after its update
 * steps ({@link migrate}).
 */
export function validateContents(contents: ConfigContents, options: ValidateConfigOptions | ResolvedOptions = {}): ValidationReport {
  const resolved = resolveOptions(options);
  const issues: IssueDraft[] = [];
  const parsed = parseDocuments(contents.json, issues);
  issues.push(...checkRequiredFiles(contents.files));
  const migration = migrate(new Map(parsed.map((document) => [document.path, document.value])), contents.files);
  issues.push(...migration.issues);
  const documents = [...migration.documents].map(([path, value]) => ({ path, value }));
  const envFiles = readEnvFiles(documents, issues);
  const environments = resolved.envs ? [...resolved.envs] : [...envFiles.keys()].sort(defaultFirst);
  const checkable = checkableEnvironments(environments, envFiles, migration.files, resolved, issues);
  const configKey = resolved.configKey === undefined ? {} : { configKey: resolved.configKey };
  issues.push(...checkDocuments(documents, migration.files));
  issues.push(...checkStaticFiles(migration.files, documents.find((document) => document.path === 'globals.json'), resolved.configKey));
  issues.push(...checkVariables({ documents, envFiles, environments: checkable, platformVariables: resolved.platformVariables, ...configKey }));
  issues.push(...checkStartup({ envFiles, environments: checkable, platformVariables: resolved.platformVariables, dynamicDataPath: resolved.dynamicDataPath, ...configKey }));
  const sorted = sortIssues(issues).map(migrationNote(migration.fromVersion, changedFiles(parsed, migration.documents))).map(withSeverity);
  const errorCount = sorted.filter((issue) => issue.severity === 'error').length;
  return {
    valid: passes(sorted, resolved.strict),
    configHash: contents.configHash,
    environments,
    errorCount,
    warningCount: sorted.length - errorCount,
    verdicts: environmentVerdicts(environments, sorted, resolved.strict),
    issues: sorted,
  };
}

/** Files the update steps added or changed (their issues may concern what a step wrote). */
function changedFiles(parsed: readonly JsonDocument[], migrated: ReadonlyMap<string, unknown>): Set<string> {
  const before = new Map(parsed.map((document) => [document.path, JSON.stringify(document.value)]));
  return new Set([...migrated].filter(([path, value]) => before.get(path) !== JSON.stringify(value)).map(([path]) => path));
}

/** Says, on an issue of a file the update steps changed, that it is judged as portal-api will see it. */
function migrationNote(fromVersion: number, changed: ReadonlySet<string>): (issue: IssueDraft) => IssueDraft {
  return (issue) => changed.has(issue.file) && issue.code !== IssueCode.MigrationFailed
    ? { ...issue, message: `${issue.message} (judged after portal-api's configuration update from config version ${fromVersion}, which changes ${issue.file} at start; wicked src/env/src/config-updater.js)` }
    : issue;
}

function parseDocuments(json: ReadonlyMap<string, string>, issues: IssueDraft[]): JsonDocument[] {
  const documents: JsonDocument[] = [];
  for (const [path, text] of json) {
    const parsed = parseJson(text);
    if (parsed.ok) {
      documents.push({ path, value: parsed.value });
    } else {
      const { line, column, message } = parsed.error;
      issues.push({ file: path, line, column, code: IssueCode.JsonSyntax, message: `invalid JSON: ${message}` });
    }
  }
  return documents;
}

function readEnvFiles(documents: readonly JsonDocument[], issues: IssueDraft[]): Map<string, EnvVariables> {
  const envFiles = new Map<string, EnvVariables>();
  for (const document of documents) {
    const env = environmentNameOf(document.path);
    if (env === undefined) continue;
    const checked = checkEnvFile(document.path, document.value);
    issues.push(...checked.issues);
    envFiles.set(env, checked.variables);
  }
  return envFiles;
}

/**
 * Environments whose variables can be checked: their env file and
 * env/default.json (the base layer) parsed. A requested environment without
 * a file is an error: portal-env's loadEnvironment throws "Could not find
 * environment file" (wicked src/env/env-reader.js). Unparsable files are
 * already reported as JSON_SYNTAX.
 */
function checkableEnvironments(environments: readonly string[], envFiles: ReadonlyMap<string, EnvVariables>, files: ReadonlySet<string>, options: ResolvedOptions, issues: IssueDraft[]): string[] {
  for (const env of environments) {
    if (env !== 'default' && !files.has(`env/${env}.json`)) {
      const present = [...envFiles.keys()].sort(defaultFirst).join(', ') || 'none';
      issues.push({
        file: `env/${env}.json`,
        env,
        code: IssueCode.MissingFile,
        message: `${options.nodeEnvSetting} is "${env}", but env/${env}.json is missing: portal-env refuses to start with NODE_ENV=${env} (environments of this configuration: ${present}); add env/${env}.json or set ${options.nodeEnvSetting} to one of them`,
      });
    }
  }
  return envFiles.has('default') ? environments.filter((env) => envFiles.has(env)) : [];
}

function defaultFirst(a: string, b: string): number {
  if (a === 'default' || b === 'default') return a === 'default' ? (b === 'default' ? 0 : -1) : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Issues grouped by file (byte order of the path), keeping the order of checks within a file. */
function sortIssues<T extends IssueDraft>(issues: readonly T[]): T[] {
  return [...issues].sort((a, b) => Buffer.compare(Buffer.from(a.file), Buffer.from(b.file)));
}
