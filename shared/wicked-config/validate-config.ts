import type { ConfigBundle } from '../config-bundle/types';
import { scanBundle } from './config-hash';
import { checkDocuments } from './document-checks';
import type { EnvVariables } from './env-files';
import { checkEnvFile, environmentNameOf } from './env-files';
import { parseJson } from './json-syntax';
import type { ResolvedOptions } from './options';
import { resolveOptions } from './options';
import { checkRequiredFiles } from './reference-checks';
import type { JsonDocument, ValidateConfigOptions, ValidationIssue, ValidationReport } from './types';
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

/** The pure part of {@link validateConfig}: every check over already-read contents. */
export function validateContents(contents: ConfigContents, options: ValidateConfigOptions | ResolvedOptions = {}): ValidationReport {
  const resolved = resolveOptions(options);
  const issues: ValidationIssue[] = [];
  const documents = parseDocuments(contents.json, issues);
  issues.push(...checkRequiredFiles(contents.files));
  const envFiles = readEnvFiles(documents, issues);
  const environments = resolved.envs ? [...resolved.envs] : [...envFiles.keys()].sort(defaultFirst);
  const checkable = checkableEnvironments(environments, envFiles, contents.files, issues);
  issues.push(...checkDocuments(documents, contents.files));
  issues.push(...checkVariables({ documents, envFiles, environments: checkable, platformVariables: resolved.platformVariables }));
  const sorted = sortIssues(issues);
  return { valid: sorted.length === 0, configHash: contents.configHash, environments, issues: sorted };
}

function parseDocuments(json: ReadonlyMap<string, string>, issues: ValidationIssue[]): JsonDocument[] {
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

function readEnvFiles(documents: readonly JsonDocument[], issues: ValidationIssue[]): Map<string, EnvVariables> {
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
 * a file is an issue; unparsable files are already reported as JSON_SYNTAX.
 */
function checkableEnvironments(environments: readonly string[], envFiles: ReadonlyMap<string, EnvVariables>, files: ReadonlySet<string>, issues: ValidationIssue[]): string[] {
  for (const env of environments) {
    if (env !== 'default' && !files.has(`env/${env}.json`)) {
      issues.push({ file: `env/${env}.json`, env, code: IssueCode.MissingFile, message: `environment "${env}" was requested, but env/${env}.json is missing: portal-env refuses to start with NODE_ENV=${env}` });
    }
  }
  return envFiles.has('default') ? environments.filter((env) => envFiles.has(env)) : [];
}

function defaultFirst(a: string, b: string): number {
  if (a === 'default' || b === 'default') return a === 'default' ? (b === 'default' ? 0 : -1) : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Issues grouped by file (byte order of the path), keeping the order of checks within a file. */
function sortIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return [...issues].sort((a, b) => Buffer.compare(Buffer.from(a.file), Buffer.from(b.file)));
}
