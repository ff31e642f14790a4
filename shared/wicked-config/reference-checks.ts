import type { ApiEntry } from './catalog-readers';
import type { Reference } from './shape-reader';
import type { IssueDraft } from './types';
import { IssueCode } from './types';

/** What the configuration defines, for resolving {@link Reference}s. */
export interface Definitions {
  /** Plan ids; `undefined` when plans/plans.json could not be read (references to plans are then not checked). */
  readonly plans: ReadonlySet<string> | undefined;
  /** Group ids; `undefined` when groups/groups.json could not be read. */
  readonly groups: ReadonlySet<string> | undefined;
  /**
   * Auth server name (file name under `auth-servers/` without `.json`) → its
   * method names, `undefined` for a server file that could not be read.
   */
  readonly authServers: ReadonlyMap<string, readonly string[] | undefined>;
  /** Auth server name → its methods that are not `enabled`. @default none */
  readonly disabledMethods?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Files portal-api cannot start without: portal-env resolves the static
 * folder by `globals.json` and reads `env/default.json` in every environment
 * (wicked src/env/env-reader.js); initializer.checkApiPlans `require`s the
 * API and plan catalogs at start (wicked src/api/routes/initializer.js).
 */
export const REQUIRED_FILES: readonly string[] = Object.freeze(['globals.json', 'env/default.json', 'apis/apis.json', 'plans/plans.json']);

/** Templates portal-mailer renders (`templates/email/<name>.mustache`). */
export const MAIL_TEMPLATES: readonly string[] = Object.freeze(['verify_email', 'lost_password', 'pending_approval']);

/**
 * Reports every reference to a plan, group, auth server or auth method that
 * the configuration does not define.
 *
 * @example
 * checkReferences([{ kind: 'plan', name: 'gold', file: 'apis/apis.json', jsonPath: '$.apis[0].plans[0]', owner: 'API "a"' }],
 *   { plans: new Set(['basic']), groups: new Set(), authServers: new Map() }) // one UNKNOWN_PLAN issue
 */
export function checkReferences(references: readonly Reference[], definitions: Definitions): IssueDraft[] {
  const issues: IssueDraft[] = [];
  for (const reference of references) {
    const issue = checkReference(reference, definitions);
    if (issue) issues.push(issue);
  }
  return issues;
}

function checkReference(reference: Reference, definitions: Definitions): IssueDraft | undefined {
  const at = { file: reference.file, jsonPath: reference.jsonPath };
  const { name, owner } = reference;
  switch (reference.kind) {
    case 'plan':
      if (!definitions.plans || definitions.plans.has(name)) return undefined;
      return { ...at, code: IssueCode.UnknownPlan, message: `${owner} names plan "${name}", which plans/plans.json does not define (defined: ${list(definitions.plans)})` };
    case 'group':
      if (!definitions.groups || definitions.groups.has(name)) return undefined;
      return { ...at, code: IssueCode.UnknownGroup, message: `${owner} names group "${name}", which groups/groups.json does not define (defined: ${list(definitions.groups)})` };
    case 'authServer':
      if (definitions.authServers.has(name)) return undefined;
      return { ...at, code: IssueCode.UnknownAuthServer, message: unknownServer(owner, name, definitions) };
    case 'authMethod':
      return checkAuthMethod(reference, definitions);
  }
}

function checkAuthMethod(reference: Reference, definitions: Definitions): IssueDraft | undefined {
  const at = { file: reference.file, jsonPath: reference.jsonPath };
  const parts = reference.name.split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    return { ...at, code: IssueCode.InvalidShape, message: `${reference.owner}: auth method "${reference.name}" must be "<auth server>:<method>", such as "default:local"` };
  }
  const [server, method] = parts as [string, string];
  if (!definitions.authServers.has(server)) return { ...at, code: IssueCode.UnknownAuthServer, message: unknownServer(reference.owner, server, definitions) };
  const methods = definitions.authServers.get(server);
  if (methods?.includes(method) && definitions.disabledMethods?.get(server)?.includes(method)) {
    // swagger-utils.js lookupAuthMethod: "Auth method ... is not enabled, skipping." (a warning at request time).
    return { ...at, code: IssueCode.AuthMethodDisabled, message: `${reference.owner} names auth method "${method}" of auth server "${server}", which is not enabled there ("enabled": true is missing): portal-api skips it` };
  }
  if (!methods || methods.includes(method)) return undefined;
  return {
    ...at,
    code: IssueCode.UnknownAuthMethod,
    message: `${reference.owner} names auth method "${method}" of auth server "${server}", which auth-servers/${server}.json does not define (defined: ${list(methods)})`,
  };
}

function unknownServer(owner: string, server: string, definitions: Definitions): string {
  return `${owner} names auth server "${server}", but auth-servers/${server}.json does not exist (defined: ${list(definitions.authServers.keys())})`;
}

/**
 * Reports each of {@link REQUIRED_FILES} that is absent (errors), and a
 * missing `groups/groups.json` (a warning: portal-api only loads it when a
 * request needs the groups; wicked src/api/routes/utils.js, loadGroups).
 */
export function checkRequiredFiles(files: ReadonlySet<string>): IssueDraft[] {
  const issues: IssueDraft[] = REQUIRED_FILES.filter((file) => !files.has(file)).map((file) => ({
    file,
    code: IssueCode.MissingFile,
    message: `${file} is missing: portal-api cannot start without it`,
  }));
  if (!files.has(GROUPS_FILE)) {
    issues.push({ file: GROUPS_FILE, severity: 'warning', code: IssueCode.MissingFile, message: `${GROUPS_FILE} is missing: portal-api starts, but every request that lists or checks groups fails` });
  }
  return issues;
}

const GROUPS_FILE = 'groups/groups.json';

/**
 * Every API needs `apis/<id>/config.json` (the Kong definition; portal-api
 * fails the API's requests without it) and `apis/<id>/swagger.json`.
 */
export function checkApiFiles(apis: readonly ApiEntry[], files: ReadonlySet<string>): IssueDraft[] {
  const issues: IssueDraft[] = [];
  for (const api of apis) {
    const config = `apis/${api.id}/config.json`;
    if (!files.has(config)) {
      // At the current config version only the API's requests read it (wicked src/api/routes/apis.js, loadApiConfig): a warning.
      // Older versions fail in the update steps that read it (see migration.ts).
      issues.push({ file: 'apis/apis.json', jsonPath: api.jsonPath, code: IssueCode.UnknownApiConfig, message: `API "${api.id}" is listed in apis/apis.json, but ${config} is missing: its configuration and documentation requests fail` });
    }
    const swagger = `apis/${api.id}/swagger.json`;
    if (!files.has(swagger)) {
      issues.push({ file: swagger, severity: 'warning', code: IssueCode.MissingFile, message: `API "${api.id}" has no ${swagger}: portal-api answers its documentation with 404 "the Swagger definition must be there"` });
    }
  }
  return issues;
}

/**
 * With `templates/chatbot.json` present, portal-api serves every template
 * from the configuration's `templates/` folder, so a mailer that is switched
 * on needs all of {@link MAIL_TEMPLATES} there.
 */
export function checkMailTemplates(files: ReadonlySet<string>, mailerEnabled: boolean): IssueDraft[] {
  if (!mailerEnabled || !files.has('templates/chatbot.json')) return [];
  return MAIL_TEMPLATES.map((name) => `templates/email/${name}.mustache`)
    .filter((file) => !files.has(file))
    .map((file) => ({ file, severity: 'warning' as const, code: IssueCode.MissingFile, message: `${file} is missing: globals.json turns the mailer on and templates/chatbot.json makes portal-api read templates from this configuration` }));
}

function list(names: Iterable<string>): string {
  const sorted = Array.from(names).sort();
  return sorted.length === 0 ? 'none' : sorted.map((name) => `"${name}"`).join(', ');
}
