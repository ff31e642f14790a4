import { isPlainObject } from './env-files';
import {
  COPIED_FILES,
  INITIAL_BOX_ENV,
  INITIAL_DEFAULT_AUTH_SERVER,
  INITIAL_DEFAULT_VARIABLES,
  INITIAL_K8S_ENV,
  INITIAL_KICKSTARTER,
  INITIAL_PORTAL,
  INITIAL_STORAGE,
  INITIAL_WICKED_POOL,
} from './initial-config';
import type { IssueDraft } from './types';
import { IssueCode } from './types';

/**
 * portal-api's configuration update, replayed on parsed documents (wicked
 * `src/env/src/config-updater.js`, run by `src/api/bin/api` before the
 * environment sanity check at every start). Each step whose number is above
 * `globals.json`'s `version` runs, in order; a step that throws stops
 * portal-api ("The Configuration update steps failed"). Only what validation
 * observes is replayed: the files, variables and references a step adds, and
 * the inputs on which a step throws. Folders exist when a file is in them.
 */

/** The config version of wicked 1.0's last update step: configurations at it are not migrated. */
export const CURRENT_CONFIG_VERSION = 23;
/** Update steps of config-updater (there is no step 9). */
const STEPS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];

type Docs = Map<string, unknown>;
type Obj = Record<string, unknown>;

/** The configuration as portal-api sees it after its update, and why the update would fail. */
export interface Migration {
  /** `globals.json`'s version before the update (0 when absent). */
  readonly fromVersion: number;
  readonly documents: Docs;
  readonly files: Set<string>;
  readonly issues: IssueDraft[];
}

/**
 * Applies the update steps above the configuration's version to copies of
 * the documents. Without a parsed `globals.json` nothing is migrated (that
 * file's problem is reported elsewhere).
 *
 * @example
 * migrate(new Map([['globals.json', { version: 9, network: {} }], ...]), files).documents.get('globals.json') // portal.authMethods added
 */
export function migrate(input: ReadonlyMap<string, unknown>, inputFiles: ReadonlySet<string>): Migration {
  const documents: Docs = new Map([...input].map(([path, value]) => [path, structuredClone(value)]));
  const files = new Set(inputFiles);
  const globals = documents.get('globals.json');
  const fromVersion = isPlainObject(globals) && typeof globals.version === 'number' && globals.version ? globals.version : 0;
  const issues: IssueDraft[] = [];
  if (!isPlainObject(globals) || fromVersion >= CURRENT_CONFIG_VERSION) return { fromVersion, documents, files, issues };
  for (const step of STEPS.filter((number) => number > fromVersion)) {
    const failure = runStep(step, globals, documents, files);
    if (failure !== undefined) {
      issues.push({ file: failure.file, ...(failure.jsonPath ? { jsonPath: failure.jsonPath } : {}), code: IssueCode.MigrationFailed, message: `config version ${fromVersion}: portal-api's configuration update step ${step} fails: ${failure.message}; portal-api refuses to start ("The Configuration update steps failed")` });
      break;
    }
    globals.version = step;
  }
  return { fromVersion, documents, files, issues };
}

interface StepFailure { readonly file: string; readonly jsonPath?: string; readonly message: string }

function runStep(step: number, globals: Obj, docs: Docs, files: Set<string>): StepFailure | undefined {
  const failure = preconditions(step, globals, docs, files);
  if (failure) return failure;
  apply(step, globals, docs, files);
  return undefined;
}

/** What a step reads without guarding it (a missing file, a missing property it dereferences). */
function preconditions(step: number, globals: Obj, docs: Docs, files: Set<string>): StepFailure | undefined {
  if ([3, 6, 7, 10, 13, 23].includes(step)) {
    const failure = apiConfigsReadable(step, docs, files);
    if (failure) return failure;
  }
  if (step === 3 && !Array.isArray((docs.get('plans/plans.json') as Obj | undefined)?.plans)) return { file: 'plans/plans.json', message: 'it reads plans/plans.json\'s "plans" array, which is missing' };
  if ((step === 5 || step === 10) && !isPlainObject(globals.network)) return { file: 'globals.json', jsonPath: '$.network', message: 'it writes into globals.json\'s "network" object, which is missing' };
  if ([2, 8, 16].includes(step) && !hasFolder(files, step === 2 ? 'content/images' : 'content')) return { file: step === 2 ? 'content/images/' : 'content/', message: `it copies files into ${step === 2 ? 'content/images/' : 'content/'}, which does not exist` };
  if ([10, 12, 14, 19, 20].includes(step) && !isPlainObject(docs.get('env/default.json'))) return { file: 'env/default.json', message: 'it reads env/default.json, which is missing or not an object' };
  if ((step === 10 || step === 19) && !Array.isArray((docs.get('kickstarter.json') as Obj | undefined)?.envs)) return { file: 'kickstarter.json', jsonPath: '$.envs', message: 'it reads kickstarter.json\'s "envs" array, which is missing (the kickstarter writes kickstarter.json; keep it in the configuration)' };
  if (step === 21 && isPlainObject(globals.chatbot) && globals.chatbot.targets === undefined && !Array.isArray(globals.chatbot.hookUrls)) return { file: 'globals.json', jsonPath: '$.chatbot.hookUrls', message: 'it converts chatbot.hookUrls into chatbot.targets, and neither exists' };
  return undefined;
}

/** Steps 3, 6, 7, 10, 13 and 23 read `apis/apis.json` and every API's `config.json` (13 and 23 its `api` object). */
function apiConfigsReadable(step: number, docs: Docs, files: Set<string>): StepFailure | undefined {
  const apis = (docs.get('apis/apis.json') as Obj | undefined)?.apis;
  if (!Array.isArray(apis)) return { file: 'apis/apis.json', message: 'it reads apis/apis.json\'s "apis" array, which is missing' };
  if (step === 10) return undefined;
  for (const [index, api] of apis.entries()) {
    const id = isPlainObject(api) ? api.id : undefined;
    const file = `apis/${String(id)}/config.json`;
    if (!files.has(file)) return { file: 'apis/apis.json', jsonPath: `$.apis[${index}].id`, message: `it reads ${file} of API ${JSON.stringify(id)}, which is missing` };
    if ((step === 13 || step === 23) && docs.has(file) && !isPlainObject((docs.get(file) as Obj | undefined)?.api)) return { file, jsonPath: '$.api', message: `it reads the "api" object of ${file}, which is missing` };
  }
  return undefined;
}

function apply(step: number, globals: Obj, docs: Docs, files: Set<string>): void {
  for (const file of COPIED_FILES[step] ?? []) add(docs, files, file, file.endsWith('.json') ? {} : undefined);
  const env = (name: string): Obj | undefined => docs.get(`env/${name}.json`) as Obj | undefined;
  const fill = (target: Obj | undefined, names: string[], source: Readonly<Record<string, { value: string }>> = INITIAL_DEFAULT_VARIABLES): void => {
    for (const name of names) if (target && !target[name] && source[name]) target[name] = { ...source[name] };
  };
  switch (step) {
    case 1:
      add(docs, files, 'kickstarter.json', structuredClone(INITIAL_KICKSTARTER));
      break;
    case 4:
      // Step 4 writes a fresh configKeyCheck with the key portal-api runs with, so the check after the update passes.
      delete globals.configKeyCheck;
      break;
    case 6:
    case 23:
      forEachKongApi(docs, (api) => convertRoutes(api, step));
      break;
    case 10:
      if (!globals.portal) globals.portal = structuredClone(INITIAL_PORTAL);
      if (!files.has('auth-servers/default.json')) add(docs, files, 'auth-servers/default.json', structuredClone(INITIAL_DEFAULT_AUTH_SERVER));
      fill(env('default'), ['PORTAL_AUTHSERVER_URL', 'HELM_NAME', 'K8S_NAMESPACE']);
      if (env('k8s')) fill(env('k8s'), ['PORTAL_AUTHSERVER_URL'], INITIAL_K8S_ENV);
      else add(docs, files, 'env/k8s.json', structuredClone(INITIAL_K8S_ENV));
      fill(env('localhost'), ['PORTAL_AUTHSERVER_URL'], { PORTAL_AUTHSERVER_URL: { value: 'http://${LOCAL_IP}:3010' } });
      break;
    case 11:
      if (!files.has('pools/wicked.json')) add(docs, files, 'pools/wicked.json', structuredClone(INITIAL_WICKED_POOL));
      break;
    case 12:
      fill(env('default'), ['PORTAL_ECHO_URL']);
      fill(env('k8s'), ['PORTAL_ECHO_URL'], INITIAL_K8S_ENV);
      fill(env('localhost'), ['PORTAL_ECHO_URL'], { PORTAL_ECHO_URL: { value: 'http://${LOCAL_IP}:3009' } });
      break;
    case 14:
      if (globals.storage) break;
      globals.storage = structuredClone(INITIAL_STORAGE);
      fill(env('default'), ['PORTAL_STORAGE_PGHOST', 'PORTAL_STORAGE_PGPASSWORD']);
      fill(env('k8s'), ['PORTAL_STORAGE_PGHOST'], INITIAL_K8S_ENV);
      fill(env('localhost'), ['PORTAL_STORAGE_PGHOST'], { PORTAL_STORAGE_PGHOST: { value: '${LOCAL_IP}' } });
      break;
    case 15:
      if (isPlainObject(globals.storage) && !globals.storage.pgDatabase) globals.storage.pgDatabase = 'wicked';
      break;
    case 18:
      if (!isPlainObject(globals.api)) globals.api = {};
      for (const key of ['apiUserGroup', 'echoUserGroup']) if (!Object.hasOwn(globals.api as Obj, key)) (globals.api as Obj)[key] = '';
      break;
    case 19:
      if (!env('box')) add(docs, files, 'env/box.json', structuredClone(INITIAL_BOX_ENV));
      fill(env('default'), ['DOCKER_HOST']);
      break;
    case 20:
      variablesForStorageDefaults(globals, env('default'));
      break;
    default:
      break;
  }
}

/** Step 20: the storage defaults still written as literals become variables, defined in env/default.json. */
function variablesForStorageDefaults(globals: Obj, defaults: Obj | undefined): void {
  if (!isPlainObject(globals.storage) || !defaults) return;
  const storage = globals.storage;
  const rules: Array<[key: string, literal: string, variable: string]> = [['pgPort', '5432', 'PORTAL_STORAGE_PGPORT'], ['pgUser', 'kong', 'PORTAL_STORAGE_PGUSER'], ['pgDatabase', 'wicked', 'PORTAL_STORAGE_PGDATABASE']];
  for (const [key, literal, variable] of rules) {
    // config-updater compares with ==, so the number 5432 matches too.
    if (String(storage[key]) !== literal || Object.hasOwn(defaults, variable)) continue;
    storage[key] = `$${variable}`;
    defaults[variable] = { ...INITIAL_DEFAULT_VARIABLES[variable] };
  }
}

function forEachKongApi(docs: Docs, visit: (api: Obj) => void): void {
  for (const [path, document] of docs) {
    if (/^apis\/[^/]+\/config\.json$/.test(path) && isPlainObject(document) && isPlainObject(document.api)) visit(document.api);
    if (/^auth-servers\/[^/]+\.json$/.test(path) && isPlainObject(document) && isPlainObject(document.config) && isPlainObject(document.config.api)) visit(document.config.api);
  }
}

/** Step 6: Kong 0.10's `uris` replace `request_path`; step 23: `routes` replace `uris` (steps/routes-services-update.js). */
function convertRoutes(api: Obj, step: number): void {
  if (step === 6) {
    if (api.request_path) api.uris = [api.request_path];
    delete api.request_path;
    return;
  }
  if (!api.routes) api.routes = [{ paths: api.uris, strip_path: api.strip_uri, preserve_host: api.preserve_host }];
  delete api.uris;
  delete api.strip_uri;
  delete api.preserve_host;
}

function add(docs: Docs, files: Set<string>, path: string, document: unknown): void {
  files.add(path);
  if (document !== undefined) docs.set(path, document);
}

function hasFolder(files: ReadonlySet<string>, folder: string): boolean {
  return [...files].some((file) => file.startsWith(`${folder}/`));
}
