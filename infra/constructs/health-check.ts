import { Duration } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * The probe timings of wicked's Helm chart, per component
 * (Haufe-Lexware/wicked.haufe.io `wicked/templates/<component>-deployment.yaml`, `livenessProbe`
 * and `readinessProbe`: `httpGet /ping` on the component's port, `periodSeconds` 15 (portal's
 * readiness 10), `timeoutSeconds` 2, `initialDelaySeconds` 5, portal-api's readiness 15).
 * Kubernetes' default `failureThreshold` is 3. ECS takes the slower of the chart's two probes
 * as interval and the longer initial delay as start period: a task is healthy when `/ping`
 * answers 200, and replaced after three misses in a row.
 */
export const CHART_PROBES: Readonly<Record<string, { readonly intervalSeconds: number; readonly startPeriodSeconds: number }>> = {
  'portal-api': { intervalSeconds: 15, startPeriodSeconds: 15 },
  portal: { intervalSeconds: 15, startPeriodSeconds: 5 },
  'portal-kong-adapter': { intervalSeconds: 15, startPeriodSeconds: 5 },
  'portal-mailer': { intervalSeconds: 15, startPeriodSeconds: 5 },
  'portal-chatbot': { intervalSeconds: 15, startPeriodSeconds: 5 },
  'portal-auth': { intervalSeconds: 15, startPeriodSeconds: 5 },
};
/** The chart's `timeoutSeconds`. */
export const PROBE_TIMEOUT_SECONDS = 2;
/** Kubernetes' default `failureThreshold`, which the chart keeps. */
export const PROBE_RETRIES = 3;

/**
 * The command that probes `/ping` inside a wicked container. wicked's images are built on
 * node (`src/api/Dockerfile` is `FROM wicked.env`; `src/.env` sets `BASE_IMAGE_ALPINE=node:10-alpine`)
 * and `src/env/Dockerfile-alpine` installs no curl, so the probe is node's own http client
 * (Node 10 has every feature used): exit 0 on 200, 1 on any other answer, an error or no
 * answer within the timeout.
 *
 * @example
 * pingCommand(3001) // ['CMD', 'node', '-e', '...http://127.0.0.1:3001/ping...']
 */
export function pingCommand(port: number): string[] {
  const script = `require('http').get({host:'127.0.0.1',port:${port},path:'/ping',timeout:${PROBE_TIMEOUT_SECONDS * 1000}},`
    + `(r)=>process.exit(r.statusCode===200?0:1)).on('timeout',()=>process.exit(1)).on('error',()=>process.exit(1))`;
  return ['CMD', 'node', '-e', script];
}

/**
 * The ECS container health check of a wicked component, from the chart's probes.
 *
 * @param component - a key of {@link CHART_PROBES}
 * @param port - the component's port
 */
export function wickedHealthCheck(component: string, port: number): ecs.HealthCheck {
  const probe = CHART_PROBES[component];
  if (probe === undefined) throw new Error(`no probe timings for "${component}": expected one of ${Object.keys(CHART_PROBES).join(', ')}`);
  return {
    command: pingCommand(port),
    interval: Duration.seconds(probe.intervalSeconds),
    timeout: Duration.seconds(PROBE_TIMEOUT_SECONDS),
    retries: PROBE_RETRIES,
    startPeriod: Duration.seconds(probe.startPeriodSeconds),
  };
}

/** Redis answers `PONG` to `redis-cli ping` (the chart probes nothing on Redis; the image carries redis-cli). */
export function redisHealthCheck(): ecs.HealthCheck {
  return {
    command: ['CMD', 'redis-cli', 'ping'],
    interval: Duration.seconds(15),
    timeout: Duration.seconds(PROBE_TIMEOUT_SECONDS),
    retries: PROBE_RETRIES,
    startPeriod: Duration.seconds(5),
  };
}
