import type { EnvVariables } from './env-files';
import { environmentNameOf } from './env-files';
import type { PathSegment } from './json-path';
import { formatJsonPath, visitStrings } from './json-path';
import type { JsonDocument, IssueDraft } from './types';
import { IssueCode } from './types';
import { simulateProcessEnv } from './process-env';
import { hasVariables, malformedReferences, referencedVariables, substituteVariables } from './variables';

/** Input of {@link checkVariables}. */
export interface VariableCheckInput {
  /** Every parsed `.json` document of the configuration, env files included. */
  readonly documents: readonly JsonDocument[];
  /** Environment name → its well-formed variables (`default` included). */
  readonly envFiles: ReadonlyMap<string, EnvVariables>;
  /** Environments to check; each must have an env file (report a missing one before). */
  readonly environments: readonly string[];
  readonly platformVariables: readonly string[];
  /** `PORTAL_CONFIG_KEY`, when at hand: encrypted values take part with their plain text. */
  readonly configKey?: string;
}

interface Usage {
  readonly file: string;
  readonly jsonPath: string;
  readonly text: string;
  readonly names: string[];
}

/**
 * Files whose strings portal-api substitutes (`utils.replaceEnvVars`); other
 * `.json` files only need their references defined.
 */
export function isSubstitutedFile(path: string): boolean {
  return /^(globals\.json|apis\/apis\.json|plans\/plans\.json|groups\/groups\.json|apis\/[^/]+\/config\.json|auth-servers\/[^/]+\.json)$/.test(path);
}

/**
 * Checks, for every environment, that every variable referenced anywhere in
 * the configuration is defined (env/default.json, env/<env>.json, the
 * platform or portal-env itself): portal-api's sanityCheckDir refuses to
 * start otherwise (an error; wicked `src/env/env-reader.js`). Substitution
 * that does not complete in the files portal-api substitutes (empty,
 * recursive or malformed references) only leaves a literal `$...` in one
 * setting: a warning (wicked `src/api/routes/utils.js`, replaceEnvVars).
 */
export function checkVariables(input: VariableCheckInput): IssueDraft[] {
  const usages = collectUsages(input.documents);
  const issues = checkMalformed(usages);
  for (const env of input.environments) {
    const lookup = environmentLookup(input.envFiles, env, input.platformVariables, input.configKey);
    issues.push(...checkUsages(env, usages, lookup));
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

/**
 * The value portal-api would see for a name in `env` (see
 * {@link simulateProcessEnv}), `undefined` when not defined.
 */
export function environmentLookup(envFiles: ReadonlyMap<string, EnvVariables>, env: string, platform: readonly string[], configKey?: string): (name: string) => string | undefined {
  const simulated = simulateProcessEnv({ envFiles, env, platformVariables: platform, ...(configKey === undefined ? {} : { configKey }) });
  return (name) => simulated.get(name);
}

function checkUsages(env: string, usages: readonly Usage[], lookup: (name: string) => string | undefined): IssueDraft[] {
  const issues: IssueDraft[] = [];
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

function unresolved(env: string, usage: Usage, name: string): IssueDraft {
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

function checkMalformed(usages: readonly Usage[]): IssueDraft[] {
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
