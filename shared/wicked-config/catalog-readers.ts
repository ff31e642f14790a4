import { formatJsonPath } from './json-path';
import type { PathSegment } from './json-path';
import type { Reference } from './shape-reader';
import { ShapeReader } from './shape-reader';
import type { IssueDraft } from './types';

/** Bundle paths of the catalog documents portal-api loads with `require`. */
export const CatalogFile = {
  apis: 'apis/apis.json',
  plans: 'plans/plans.json',
  groups: 'groups/groups.json',
} as const;

/** An API of `apis/apis.json`. */
export interface ApiEntry {
  readonly id: string;
  readonly jsonPath: string;
}

/** What a catalog document defines and references. */
export interface CatalogRead {
  /** Ids defined by the document; `undefined` when its list is not even an array. */
  readonly ids: string[] | undefined;
  readonly references: Reference[];
  readonly issues: IssueDraft[];
}

/** What `apis/apis.json` defines and references. */
export interface ApisRead extends CatalogRead {
  readonly apis: ApiEntry[];
}

const API_ID = /^[A-Za-z0-9_-]+$/;

/**
 * Reads `apis/apis.json`: `{ "apis": [ { id, name, plans, auth?, requiredGroup?, authMethods?, tags? } ] }`.
 * portal-api iterates `api.plans` of every API at start-up (errors) and
 * fails the Swagger of an `oauth2` API without `authMethods` (a warning).
 */
export function readApis(document: unknown): ApisRead {
  const reader = new ShapeReader(CatalogFile.apis);
  const ids: Array<{ id: string; path: PathSegment[] }> = [];
  // wicked src/api/routes/utils.js loadApis appends the internal APIs to `apis` at start.
  const list = reader.fatal('portal-api reads this list at start and crashes', () => listOf(reader, document, 'apis', 'the API list'));
  list?.forEach((item, index) => {
    const path: PathSegment[] = ['apis', index];
    const api = reader.object(item, path, `apis[${index}]`);
    if (!api) return;
    const id = reader.string(api, 'id', path, `apis[${index}].id`, true);
    if (id !== undefined && !API_ID.test(id)) {
      reader.fail([...path, 'id'], `API id "${id}" must be letters, digits, "-" and "_" only (it names the folder apis/<id>/)`);
    } else if (id !== undefined) {
      ids.push({ id, path: [...path, 'id'] });
    }
    readApiEntry(reader, api, path, id ?? `#${index}`);
  });
  reader.unique(ids, 'API');
  const firsts = ids.filter((entry, index) => ids.findIndex((other) => other.id === entry.id) === index);
  const apis = firsts.map(({ id, path }) => ({ id, jsonPath: formatJsonPath(path) }));
  return { apis, ids: list && apis.map((api) => api.id), references: reader.references, issues: reader.issues };
}

function readApiEntry(reader: ShapeReader, api: Record<string, unknown>, path: PathSegment[], id: string): void {
  const owner = `API "${id}"`;
  // An empty name only shows in the portal's API list (wicked src/api/routes/content.js builds the list from it): a warning.
  reader.string(api, 'name', path, `${owner} name`, true);
  // initializer.checkApiPlans iterates api.plans at start; an unknown plan makes bin/api exit (wicked src/api/routes/initializer.js).
  const plans = reader.fatal('portal-api checks every API\'s plans at start and exits', () => reader.strings(api, 'plans', path, `${owner} plans`, true));
  plans?.forEach((plan, index) => reader.reference('plan', plan, [...path, 'plans', index], owner));
  reader.reference('group', reader.string(api, 'requiredGroup', path, `${owner} requiredGroup`), [...path, 'requiredGroup'], owner);
  reader.strings(api, 'tags', path, `${owner} tags`);
  reader.boolean(api, 'partner', path, `${owner} partner`);
  const auth = reader.string(api, 'auth', path, `${owner} auth`);
  const methods = reader.strings(api, 'authMethods', path, `${owner} authMethods`);
  methods?.forEach((method, index) => reader.reference('authMethod', method, [...path, 'authMethods', index], owner));
  // swagger-utils injectOpenAPIAuth / injectSwaggerAuth loop over apiInfo.authMethods when the API's documentation is requested: a warning.
  if (auth === 'oauth2' && api.authMethods === undefined) {
    reader.fail([...path, 'authMethods'], `${owner} uses auth "oauth2": expected an "authMethods" array such as ["default:local"], received nothing; its documentation request fails`);
  }
  // `authServers` of an API is not read by portal-api 1.0 (no route or util reads it): not checked.
}

/** Reads `plans/plans.json`: `{ "plans": [ { id, name, requiredGroup?, needsApproval?, config? } ] }`. */
export function readPlans(document: unknown): CatalogRead {
  const reader = new ShapeReader(CatalogFile.plans);
  const ids: Array<{ id: string; path: PathSegment[] }> = [];
  // wicked src/api/routes/utils.js loadPlans appends the internal plans to `plans` at start.
  const list = reader.fatal('portal-api reads this list at start and crashes', () => listOf(reader, document, 'plans', 'the plan list'));
  list?.forEach((item, index) => {
    const path: PathSegment[] = ['plans', index];
    const plan = reader.object(item, path, `plans[${index}]`);
    if (!plan) return;
    const id = reader.string(plan, 'id', path, `plans[${index}].id`, true);
    if (id !== undefined) ids.push({ id, path: [...path, 'id'] });
    const owner = `plan "${id ?? `#${index}`}"`;
    reader.string(plan, 'name', path, `${owner} name`, true);
    reader.boolean(plan, 'needsApproval', path, `${owner} needsApproval`);
    reader.reference('group', reader.string(plan, 'requiredGroup', path, `${owner} requiredGroup`), [...path, 'requiredGroup'], owner);
    if (plan.config !== undefined) {
      const config = reader.object(plan.config, [...path, 'config'], `${owner} config`);
      if (config?.plugins !== undefined) reader.array(config.plugins, [...path, 'config', 'plugins'], `${owner} config.plugins`);
    }
  });
  reader.unique(ids, 'plan');
  return { ids: list && ids.map((entry) => entry.id), references: reader.references, issues: reader.issues };
}

/** Reads `groups/groups.json`: `{ "groups": [ { id, name, adminGroup?, approverGroup?, alt_ids? } ] }`. */
export function readGroups(document: unknown): CatalogRead {
  const reader = new ShapeReader(CatalogFile.groups);
  const ids: Array<{ id: string; path: PathSegment[] }> = [];
  const list = listOf(reader, document, 'groups', 'the group list');
  list?.forEach((item, index) => {
    const path: PathSegment[] = ['groups', index];
    const group = reader.object(item, path, `groups[${index}]`);
    if (!group) return;
    const id = reader.string(group, 'id', path, `groups[${index}].id`, true);
    if (id !== undefined) ids.push({ id, path: [...path, 'id'] });
    const owner = `group "${id ?? `#${index}`}"`;
    reader.string(group, 'name', path, `${owner} name`, true);
    reader.boolean(group, 'adminGroup', path, `${owner} adminGroup`);
    reader.boolean(group, 'approverGroup', path, `${owner} approverGroup`);
    reader.strings(group, 'alt_ids', path, `${owner} alt_ids`);
  });
  reader.unique(ids, 'group');
  return { ids: list && ids.map((entry) => entry.id), references: reader.references, issues: reader.issues };
}

function listOf(reader: ShapeReader, document: unknown, key: string, what: string): unknown[] | undefined {
  const root = reader.object(document, [], reader.file);
  return root ? reader.array(root[key], [key], `${what} ("${key}")`) : undefined;
}
