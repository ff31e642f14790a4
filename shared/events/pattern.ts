/**
 * Event pattern of control-plane events (`source`) of the given
 * detail-types, of one environment when `env` is given: every environment's
 * stack puts its events on the account's default bus, so a rule that acts for
 * one environment must match `detail.env`.
 *
 * @example
 * controlPlanePattern('wicked.control-plane', ['Portal Stuck Check Due'], 'prod')
 * // { source: ['wicked.control-plane'], 'detail-type': ['Portal Stuck Check Due'], detail: { env: ['prod'] } }
 */
export function controlPlanePattern(source: string, detailTypes: readonly string[], env?: string): Record<string, unknown> {
  return { source: [source], 'detail-type': [...detailTypes], ...(env ? { detail: { env: [env] } } : {}) };
}
