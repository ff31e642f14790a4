import type { EnvVariables } from './env-files';
import { environmentNameOf } from './env-files';
import type { PathSegment } from './json-path';
import { formatJsonPath, visitStrings } from './json-path';
import type { JsonDocument, ValidationIssue } from './types';
import { IssueCode } from './types';
import { hasVariables, malformedReferences, referencedVariables, REQUIRED_VARIABLES, substituteVariables } from './variables';

/** Input of {@link checkVariables}. */
export interface VariableCheckInput {
  /** Every parsed `.json` document of the configuration, env files included. */
  readonly documents: readonly JsonDocument[];
  /** Environment name → its well-formed variables (`default` included). */
  readonly envFiles: ReadonlyMap<string, EnvVariables>;
  /** Environments to check; each must have an env file (report a missing one before). */
  readonly environments: readonly string[];
  readonly platformVariables: readonly string[];
}

interface Usage {
  readonly file: string;
  readonly jsonPath: string;
  readonly text: string;
  readonly names: string[];
}

/** Stand-in for values unknown before run time (platform and encrypted variables). */
const OPAQUE = '<set at run time>';

/**
 * Files whose strings portal-api substitutes (`utils.replaceEnvVars`); other
 * `.json` files only need their references defined.
 */
export function isSubstitutedFile(path: string): boolean {
  return /^(globals\.json|apis\/apis\.json|plans\/plans\.json|groups\/groups\.json|apis\/[^/]+\/config\.json|auth-servers\/[^/]+\.json)$/.test(path);
}

/**
 * Checks, for every environment, that every variable referenced anywhere in
 * the configuration is defined (env/default.json, env/<env>.json or the
 * platform), that portal-api's own required variables are, and that
 * substitution in the files portal-api substitutes completes.
 */
export function checkVariables(input: VariableCheckInput): ValidationIssue[] {
  const usages = collectUsages(input.documents);
  const issues = checkMalformed(usages);
  for (const env of input.environments) {
    const lookup = environmentLookup(input.envFiles, env, input.platformVariables);
    issues.push(...checkRequired(env, lookup), ...checkUsages(env, usages, lookup));
  }
  return issues;
}

function collectUsages(documents: readonly JsonDocument[]): Usage[] {
  const usages: Usage[] = [];
  for (const document of documents) {
    visitStrings(document.value, (text: string, path: readonly PathSegment[]) => {
      if (hasVariables(text)) usages.push({ file: document.path, jsonPath: formatJsonPath(path), text, names: referencedVariables(text) });
    });
  }
  return usages;
}

/** The value portal-api would see for a name in `env`, `undefined` when not defined. */
export function environmentLookup(envFiles: ReadonlyMap<string, EnvVariables>, env: string, platform: readonly string[]): (name: string) => string | undefined {
  const layers = env === 'default' ? [envFiles.get('default')] : [envFiles.get(env), envFiles.get('default')];
  const platformNames = new Set(platform);
  return (name) => {
    if (platformNames.has(name)) return OPAQUE;
    for (const layer of layers) {
      const variable = layer?.get(name);
      if (variable) return variable.encrypted ? OPAQUE : variable.value;
    }
    return undefined;
  };
}

function checkRequired(env: string, lookup: (name: string) => string | undefined): ValidationIssue[] {
  return REQUIRED_VARIABLES.filter((name) => lookup(name) === undefined).map((name) => ({
    file: 'env/default.json',
    env,
    code: IssueCode.UnresolvedVariable,
    message: `portal-api requires variable ${name} in every environment, but it is not defined for "${env}": add it to env/default.json${env === 'default' ? '' : ` or env/${env}.json`}`,
  }));
}

function checkUsages(env: string, usages: readonly Usage[], lookup: (name: string) => string | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const usage of usages) {
    const missing = usage.names.filter((name, index) => lookup(name) === undefined && usage.names.indexOf(name) === index);
    for (const name of missing) issues.push(unresolved(env, usage, name));
    if (missing.length > 0 || !isSubstitutedFile(usage.file)) continue;
    const stuck = substituteVariables(usage.text, lookup).stuck;
    if (stuck?.reason === 'empty') {
      issues.push({ ...at(usage, env), code: IssueCode.EmptyVariable, message: `variable ${stuck.name} is empty for "${env}": portal-api only substitutes non-empty values, so ${JSON.stringify(usage.text)} keeps the reference` });
    } else if (stuck?.reason === 'recursive') {
      issues.push({ ...at(usage, env), code: IssueCode.RecursiveVariable, message: `${JSON.stringify(usage.text)} does not resolve for "${env}" within portal-api's 10 substitution rounds: the variables reference each other in a cycle` });
    }
  }
  return issues;
}

function unresolved(env: string, usage: Usage, name: string): ValidationIssue {
  const hints: string[] = [];
  const otherEnv = environmentNameOf(usage.file);
  if (otherEnv !== undefined && otherEnv !== env && otherEnv !== 'default') {
    hints.push(`portal-api checks the references of every env file, ${usage.file} included, whatever NODE_ENV is`);
  }
  if (usage.text.startsWith('$') && !usage.text.startsWith('${') && !/^[A-Za-z0-9_]+$/.test(name)) {
    hints.push('a value starting with "$" is one variable name up to the end of the string; write ${NAME} inside longer strings');
  }
  const where = env === 'default' ? 'env/default.json' : `env/default.json or env/${env}.json`;
  const hint = hints.length > 0 ? ` (${hints.join('; ')})` : '';
  return { ...at(usage, env), code: IssueCode.UnresolvedVariable, message: `variable ${JSON.stringify(name)} is not defined for "${env}": define it in ${where}${hint}` };
}

function checkMalformed(usages: readonly Usage[]): ValidationIssue[] {
  return usages
    .filter((usage) => isSubstitutedFile(usage.file))
    .flatMap((usage) =>
      malformedReferences(usage.text).map((fragment) => ({
        file: usage.file,
        jsonPath: usage.jsonPath,
        code: IssueCode.MalformedVariable,
        message: `${JSON.stringify(fragment)} is not a variable reference portal-api substitutes: expected \${NAME} with NAME of letters, digits and "_"`,
      })),
    );
}

function at(usage: Usage, env: string): { file: string; jsonPath: string; env: string } {
  return { file: usage.file, jsonPath: usage.jsonPath, env };
}
