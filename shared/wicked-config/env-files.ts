import { formatJsonPath } from './json-path';
import type { IssueDraft } from './types';
import { IssueCode } from './types';

/** One variable of an `env/<name>.json` file. */
export interface EnvVariable {
  /** The value as portal-env puts it into `process.env` (numbers and booleans become strings). */
  readonly value: string;
  /** Encrypted values are hex ciphertext, decrypted with `PORTAL_CONFIG_KEY` at start-up. */
  readonly encrypted: boolean;
}

/** The variables of one environment file, by name. */
export type EnvVariables = ReadonlyMap<string, EnvVariable>;

/**
 * Shortest ciphertext the kickstarter writes: aes-256-ctr keeps the length,
 * and 20 random bytes (40 hex characters of text) precede every value, so the
 * hex ciphertext has at least 80 digits.
 */
export const MIN_CIPHERTEXT_HEX_DIGITS = 80;

/**
 * The environment name of a bundle path: `env/prod.json` → `prod`, anything
 * else (including `env/x/y.json`) → `undefined`.
 */
export function environmentNameOf(path: string): string | undefined {
  const match = /^env\/([^/]+)\.json$/.exec(path);
  return match ? match[1] : undefined;
}

/**
 * Checks the shape portal-env reads (`{ NAME: { value, encrypted? } }`) and
 * returns every variable with the value portal-env puts into `process.env`
 * (numbers and booleans become strings, a missing value the string
 * "undefined"); malformed entries are reported as warnings, since
 * portal-api starts with them (wicked `src/env/env-reader.js`, loadEnvironment).
 *
 * @example
 * checkEnvFile('env/dev.json', { PORT: { value: 8080 } }).variables.get('PORT') // { value: '8080', encrypted: false }
 */
export function checkEnvFile(file: string, document: unknown): { variables: EnvVariables; issues: IssueDraft[] } {
  const variables = new Map<string, EnvVariable>();
  const issues: IssueDraft[] = [];
  if (!isPlainObject(document)) {
    issues.push(invalid(file, [], `expected an object mapping variable names to { "value": ..., "encrypted": ... }, received ${kindOf(document)}; portal-env defines no variable from it`));
    return { variables, issues };
  }
  for (const [name, props] of Object.entries(document)) {
    const checked = checkVariable(file, name, props);
    if (checked.issue) issues.push(checked.issue);
    variables.set(name, checked.variable);
  }
  return { variables, issues };
}

/*
 * portal-env's loadEnvironment (wicked src/env/env-reader.js) assigns
 * `varProps.value` to `process.env`, which stringifies whatever it gets: a
 * missing value becomes the string "undefined", null "null". portal-api
 * starts with them, so a malformed entry is a warning and the variable
 * still counts as defined, with the string portal-api would see.
 */
function checkVariable(file: string, name: string, props: unknown): { variable: EnvVariable; issue?: IssueDraft } {
  const record = isPlainObject(props) ? props : {};
  const encrypted = Boolean(record.encrypted);
  const value = record.value;
  const asEnv = String(value);
  if (!isPlainObject(props)) {
    return { variable: { value: asEnv, encrypted }, issue: invalid(file, [name], `variable ${name}: expected { "value": "...", "encrypted": false }, received ${kindOf(props)}; portal-env sets ${name} to "undefined"`) };
  }
  if (record.encrypted !== undefined && typeof record.encrypted !== 'boolean') {
    return { variable: { value: asEnv, encrypted }, issue: invalid(file, [name, 'encrypted'], `variable ${name}: "encrypted" must be true or false, received ${kindOf(record.encrypted)}`) };
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    return { variable: { value: asEnv, encrypted }, issue: invalid(file, [name, 'value'], `variable ${name}: "value" must be a string, received ${kindOf(value)}; portal-env sets ${name} to ${JSON.stringify(asEnv)}`) };
  }
  if (encrypted && !isCiphertext(value)) {
    const received = ciphertextProblem(value);
    return {
      variable: { value: asEnv, encrypted },
      issue: invalid(file, [name, 'value'], `variable ${name} is marked encrypted: expected kickstarter ciphertext (an even number of at least ${MIN_CIPHERTEXT_HEX_DIGITS} hex digits), received ${received}; portal-api would decrypt it to garbage`),
    };
  }
  return { variable: { value: asEnv, encrypted } };
}

function isCiphertext(value: unknown): boolean {
  return typeof value === 'string' && value.length >= MIN_CIPHERTEXT_HEX_DIGITS && value.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(value);
}

function ciphertextProblem(value: string | number | boolean): string {
  if (typeof value !== 'string') return kindOf(value);
  if (!/^[0-9a-fA-F]*$/.test(value)) return 'a value with characters other than hex digits (plain text?)';
  if (value.length < MIN_CIPHERTEXT_HEX_DIGITS) return `only ${value.length} hex digits`;
  return `an odd number (${value.length}) of hex digits`;
}

function invalid(file: string, path: string[], message: string): IssueDraft {
  return { file, jsonPath: formatJsonPath(path), code: IssueCode.InvalidEnvFile, message };
}

/** Whether a parsed JSON value is an object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a parsed JSON value is named in messages: `an array`, `null`, `the number 3`. */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing (the property is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}
