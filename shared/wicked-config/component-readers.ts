import type { PathSegment } from './json-path';
import type { Reference } from './shape-reader';
import { ShapeReader } from './shape-reader';
import type { IssueDraft } from './types';
import { hasVariables } from './variables';

/** Issues and references found in one document. */
export interface DocumentRead {
  readonly references: Reference[];
  readonly issues: IssueDraft[];
}

/** Config version from which `portal.authMethods` is no longer added by portal-env's update steps (config-updater step 10). */
export const AUTH_METHODS_CONFIG_VERSION = 10;

/**
 * Reads `globals.json`: the group references (`api.apiUserGroup`,
 * `api.echoUserGroup`, `validatedUserGroup`, `initialUsers[].groups`), the
 * portal's auth methods and whether the mailer is on.
 */
export function readGlobals(document: unknown): DocumentRead & { mailerEnabled: boolean } {
  const reader = new ShapeReader('globals.json');
  const root = reader.object(document, [], 'globals.json');
  if (!root) return { references: reader.references, issues: reader.issues, mailerEnabled: false };
  const api = root.api === undefined ? undefined : reader.object(root.api, ['api'], 'api');
  for (const key of ['apiUserGroup', 'echoUserGroup']) {
    if (api) reader.reference('group', reader.string(api, key, ['api'], `api.${key}`), ['api', key], `globals.json api.${key}`);
  }
  reader.reference('group', reader.string(root, 'validatedUserGroup', [], 'validatedUserGroup'), ['validatedUserGroup'], 'globals.json validatedUserGroup');
  readInitialUsers(reader, root.initialUsers);
  readPortalAuthMethods(reader, root);
  const mailer = root.mailer === undefined ? undefined : reader.object(root.mailer, ['mailer'], 'mailer');
  const mailerEnabled = mailer ? reader.boolean(mailer, 'useMailer', ['mailer'], 'mailer.useMailer') === true : false;
  return { references: reader.references, issues: reader.issues, mailerEnabled };
}

function readInitialUsers(reader: ShapeReader, value: unknown): void {
  if (value === undefined) return;
  reader.array(value, ['initialUsers'], 'initialUsers')?.forEach((item, index) => {
    const path: PathSegment[] = ['initialUsers', index];
    const user = reader.object(item, path, `initialUsers[${index}]`);
    if (!user) return;
    const owner = `initial user ${typeof user.email === 'string' ? `"${user.email}"` : `#${index}`}`;
    reader.strings(user, 'groups', path, `${owner} groups`)?.forEach((group, g) => reader.reference('group', group, [...path, 'groups', g], owner));
  });
}

/*
 * After portal-api's update (step 10 adds `portal` when missing), loadApis
 * copies `portal.authMethods` onto the internal APIs at start and throws
 * without an array (wicked src/api/routes/utils.js, injectAuthMethods): an
 * error. Unknown entries are only skipped with a warning by swagger-utils
 * lookupAuthMethod at request time.
 */
function readPortalAuthMethods(reader: ShapeReader, root: Record<string, unknown>): void {
  const why = 'portal-api copies portal.authMethods onto its internal APIs at start and crashes without the array';
  const portal = reader.fatal(why, () => reader.object(root.portal, ['portal'], 'portal'));
  if (!portal) return;
  const methods = reader.fatal(why, () => reader.strings(portal, 'authMethods', ['portal'], 'portal.authMethods', true));
  methods?.forEach((method, index) => reader.reference('authMethod', method, ['portal', 'authMethods', index], 'globals.json portal.authMethods'));
}

/**
 * Reads `auth-servers/<name>.json` and returns the names of its auth methods
 * (`<name>:<method>` references resolve against them).
 */
export function readAuthServer(file: string, document: unknown): DocumentRead & { methods: string[]; disabled: string[] } {
  const reader = new ShapeReader(file);
  const methods: string[] = [];
  const disabled: string[] = [];
  const root = reader.object(document, [], file);
  if (root?.authMethods !== undefined) {
    reader.array(root.authMethods, ['authMethods'], 'authMethods')?.forEach((item, index) => {
      const path: PathSegment[] = ['authMethods', index];
      const method = reader.object(item, path, `authMethods[${index}]`);
      if (!method) return;
      const name = reader.string(method, 'name', path, `authMethods[${index}].name`, true);
      if (name !== undefined) methods.push(name);
      // swagger-utils.js lookupAuthMethod skips a method unless `enabled` is truthy.
      if (name !== undefined && !method.enabled) disabled.push(name);
      reader.string(method, 'type', path, `auth method "${name ?? index}" type`, true);
      reader.boolean(method, 'enabled', path, `auth method "${name ?? index}" enabled`);
      if (method.config !== undefined) reader.object(method.config, [...path, 'config'], `auth method "${name ?? index}" config`);
    });
  }
  if (root?.config !== undefined) {
    const config = reader.object(root.config, ['config'], 'config');
    if (config?.api !== undefined) readKongApi(reader, config.api, ['config', 'api']);
  }
  return { references: reader.references, issues: reader.issues, methods, disabled };
}

/** Reads `apis/<id>/config.json`: `{ "api": { upstream_url, routes: [ { paths } ] }, "plugins": [] }`. */
export function readApiConfig(file: string, document: unknown): DocumentRead {
  const reader = new ShapeReader(file);
  const root = reader.object(document, [], file);
  if (root) {
    readKongApi(reader, root.api, ['api']);
    if (root.plugins !== undefined) reader.array(root.plugins, ['plugins'], 'plugins');
  }
  return { references: reader.references, issues: reader.issues };
}

function readKongApi(reader: ShapeReader, value: unknown, path: PathSegment[]): void {
  const api = reader.object(value, path, 'the Kong API definition');
  if (!api) return;
  const upstream = reader.string(api, 'upstream_url', path, 'upstream_url', true);
  if (upstream !== undefined && !hasVariables(upstream) && !URL.canParse(upstream)) {
    reader.fail([...path, 'upstream_url'], `upstream_url: expected an absolute URL such as "http://backend:8080/v1", received ${JSON.stringify(upstream)}`);
  }
  if (api.routes === undefined) {
    if (api.uris === undefined && api.request_path === undefined) {
      reader.fail([...path, 'routes'], 'expected "routes": [ { "paths": ["/my-api"] } ] (Kong needs a request path), received nothing');
    }
    return;
  }
  reader.array(api.routes, [...path, 'routes'], 'routes')?.forEach((item, index) => {
    const routePath: PathSegment[] = [...path, 'routes', index];
    const route = reader.object(item, routePath, `routes[${index}]`);
    const paths = route ? reader.strings(route, 'paths', routePath, `routes[${index}].paths`, true) : undefined;
    if (paths !== undefined && paths.length === 0) reader.fail([...routePath, 'paths'], `routes[${index}].paths: expected at least one path, received an empty array`);
  });
}

/** Reads `apis/<id>/swagger.json`: a Swagger 2.0 or OpenAPI 3 document, or `{ "href": "<url>" }`. */
export function readSwagger(file: string, document: unknown): DocumentRead {
  const reader = new ShapeReader(file);
  const root = reader.object(document, [], file);
  if (root && root.swagger === undefined && root.openapi === undefined && typeof root.href !== 'string') {
    reader.fail([], 'expected a "swagger" or "openapi" property, or "href" with the URL of the definition; received none of them');
  }
  return { references: reader.references, issues: reader.issues };
}

/** Reads a content page's `.json` (`content/**`, `index.json`): its `requiredGroup`. */
export function readContentPage(file: string, document: unknown): DocumentRead {
  const reader = new ShapeReader(file);
  const root = reader.object(document, [], file);
  if (root) reader.reference('group', reader.string(root, 'requiredGroup', [], 'requiredGroup'), ['requiredGroup'], `page ${file}`);
  return { references: reader.references, issues: reader.issues };
}

/** Reads `pools/<id>.json`: portal-api refuses a pool whose `properties` is not an array. */
export function readPool(file: string, document: unknown): DocumentRead {
  const reader = new ShapeReader(file);
  const root = reader.object(document, [], file);
  if (root) reader.array(root.properties, ['properties'], 'properties');
  return { references: reader.references, issues: reader.issues };
}
