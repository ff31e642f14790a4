/**
 * What portal-api's configuration update copies from wicked's own initial
 * configuration into an older configuration (wicked
 * `src/env/initial-config/static`, used as the "source" of
 * `src/env/src/config-updater.js`). Only what validation can observe is
 * described here: the files that appear, the variables and references they
 * bring. Values are the initial configuration's, restated.
 */

/** One env file variable as the update writes it. */
export interface InitialVariable {
  readonly value: string;
}

const k8sUrl = (service: string, port: number): InitialVariable => ({ value: `http://\${HELM_NAME}-${service}.\${K8S_NAMESPACE}.svc.cluster.local:${port}` });
const local = (port: number): InitialVariable => ({ value: `http://localhost:${port}` });

/** Variables of the initial `env/default.json` that update steps copy one by one. */
export const INITIAL_DEFAULT_VARIABLES: Readonly<Record<string, InitialVariable>> = {
  PORTAL_AUTHSERVER_URL: { value: 'http://portal-auth:3010' },
  HELM_NAME: { value: 'undefined-undefined' },
  K8S_NAMESPACE: { value: 'default' },
  PORTAL_ECHO_URL: { value: 'http://portal-api:3009' },
  PORTAL_STORAGE_PGHOST: { value: 'wicked-database' },
  PORTAL_STORAGE_PGPASSWORD: { value: 'kong' },
  PORTAL_STORAGE_PGPORT: { value: '5432' },
  PORTAL_STORAGE_PGUSER: { value: 'kong' },
  PORTAL_STORAGE_PGDATABASE: { value: 'wicked' },
  DOCKER_HOST: { value: 'not-defined' },
};

/** The initial `env/k8s.json` (step 10 copies it when the configuration has none). */
export const INITIAL_K8S_ENV: Readonly<Record<string, InitialVariable>> = {
  PORTAL_API_URL: k8sUrl('api', 3001),
  PORTAL_ECHO_URL: k8sUrl('api', 3009),
  PORTAL_CHATBOT_URL: k8sUrl('chatbot', 3004),
  PORTAL_AUTHSERVER_URL: k8sUrl('auth', 3010),
  PORTAL_KONG_ADAPTER_URL: k8sUrl('kong-adapter', 3002),
  PORTAL_KONG_ADMIN_URL: k8sUrl('kong', 8001),
  PORTAL_KONG_PROXY_URL: k8sUrl('kong', 8000),
  PORTAL_MAILER_URL: k8sUrl('mailer', 3003),
  PORTAL_PORTAL_URL: k8sUrl('portal', 3000),
  PORTAL_SESSIONSTORE_HOST: { value: '${HELM_NAME}-redis.${K8S_NAMESPACE}.svc.cluster.local' },
  PORTAL_STORAGE_PGHOST: { value: '${HELM_NAME}-kong-database.${K8S_NAMESPACE}.svc.cluster.local' },
};

/** The initial `env/box.json` (step 19 copies it when the configuration has none). */
export const INITIAL_BOX_ENV: Readonly<Record<string, InitialVariable>> = {
  PORTAL_NETWORK_SCHEMA: { value: 'http' },
  PORTAL_NETWORK_APIHOST: { value: 'localhost:8000' },
  PORTAL_NETWORK_PORTALHOST: { value: 'localhost:3000' },
  PORTAL_API_URL: local(3001),
  PORTAL_ECHO_URL: local(3009),
  PORTAL_CHATBOT_URL: local(3004),
  PORTAL_AUTHSERVER_URL: local(3010),
  PORTAL_KONG_ADAPTER_URL: local(3002),
  PORTAL_KONG_ADMIN_URL: local(8001),
  PORTAL_KONG_PROXY_URL: local(8000),
  PORTAL_MAILER_URL: local(3003),
  PORTAL_PORTAL_URL: local(3000),
  PORTAL_SESSIONSTORE_HOST: { value: 'localhost' },
  PORTAL_STORAGE_PGHOST: { value: '${DOCKER_HOST}' },
  DOCKER_HOST: { value: 'host.docker.internal' },
};

/** The initial `globals.json` `portal` (step 10 sets it when missing): seven methods of the default auth server. */
export const INITIAL_PORTAL = { authMethods: ['default:local', 'default:google', 'default:github', 'default:twitter', 'default:oauth2', 'default:facebook', 'default:adfs'] };

/** The initial `globals.json` `storage` (step 14 sets it when missing): Postgres, every setting a variable. */
export const INITIAL_STORAGE = {
  type: 'postgres',
  pgHost: '$PORTAL_STORAGE_PGHOST',
  pgPort: '$PORTAL_STORAGE_PGPORT',
  pgUser: '$PORTAL_STORAGE_PGUSER',
  pgPassword: '$PORTAL_STORAGE_PGPASSWORD',
  pgDatabase: '$PORTAL_STORAGE_PGDATABASE',
};

/** The initial `auth-servers/default.json` (step 10 copies it when missing): one method, `local`, behind `/auth`. */
export const INITIAL_DEFAULT_AUTH_SERVER = {
  id: 'default-auth',
  authMethods: [{ enabled: true, name: 'local', type: 'local', config: { trustUsers: false } }],
  config: { api: { name: 'default-auth', upstream_url: '$PORTAL_AUTHSERVER_URL', routes: [{ paths: ['/auth'], strip_path: false, preserve_host: false }] }, plugins: [] },
};

/** The initial `pools/wicked.json` (step 11 copies it when missing), reduced to what portal-api checks. */
export const INITIAL_WICKED_POOL = { id: 'wicked', name: 'Portal Users', properties: [{ id: 'name', type: 'string', required: true }] };

/** The initial `kickstarter.json` (step 1 copies it into configurations older than version 1). */
export const INITIAL_KICKSTARTER = { envs: ['default', 'k8s', 'box'] };

/** Files steps 1, 2, 8 and 16 copy without reading them back (their content does not matter to validation). */
export const COPIED_FILES: Readonly<Record<number, readonly string[]>> = {
  1: ['templates/chatbot.json', 'templates/email/lost_password.mustache', 'templates/email/pending_approval.mustache', 'templates/email/verify_email.mustache'],
  2: ['content/images/wicked-40.png', 'content/images/wicked-auth-page-120.png', 'content/terms-and-conditions.jade', 'content/terms-and-conditions.json', 'content/privacy-policy.jade', 'content/privacy-policy.json'],
  8: ['content/wicked.css'],
  16: ['content/swagger-override.css.mustache'],
};
