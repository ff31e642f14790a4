// What the wicked version decides about the component set: which singletons run by default, and whether
// the portal keeps its sessions in Redis.

/** The singletons of the deployment guide (wicked 0.x). */
export const DEFAULT_SINGLETONS = ['portal-api', 'portal', 'portal-mailer', 'portal-kong-adapter', 'portal-chatbot'] as const;

/** Redis's port (wicked's Helm chart `redis-service.yaml`). */
export const REDIS_PORT = 6379;

/**
 * Whether a wicked version is 1.0 or later (`1.0.0`, `1.0.0-rc.14`, `latest`), where
 * portal-auth serves every login and the portal keeps its sessions in Redis
 * (Haufe-Lexware/wicked.haufe.io `wicked/templates/portal-auth-deployment.yaml`,
 * `wicked/templates/redis-deployment.yaml`). A tag that is not a version counts as current.
 *
 * @example
 * isWicked1OrLater('0.12.7') // false
 */
export function isWicked1OrLater(wickedVersion: string): boolean {
  const major = /^v?(\d+)\./.exec(wickedVersion)?.[1];
  return major === undefined || Number(major) >= 1;
}

/**
 * The default singletons of a wicked version: the deployment guide's five, plus
 * portal-auth (port 3010, `haufelexware/wicked.auth`) from 1.0 on.
 *
 * @example
 * defaultSingletons('1.0.0') // [...DEFAULT_SINGLETONS, 'portal-auth']
 */
export function defaultSingletons(wickedVersion: string): readonly string[] {
  return isWicked1OrLater(wickedVersion) ? [...DEFAULT_SINGLETONS, 'portal-auth'] : DEFAULT_SINGLETONS;
}
