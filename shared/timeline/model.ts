/**
 * What happened during the last deployments of one environment, as lanes on
 * one time axis: per ECS service the lifetimes of its tasks (pending,
 * running, stopping), the deployment markers from the ledger, the snapshot
 * gate (the pre-deploy backup a deployment waited for) and the gaps when
 * portal-api had no running task. Pure: the CLI gathers the facts (ledger,
 * snapshot jobs, ECS DescribeTasks) and renders the result.
 */

/** A task's lifetime, from DescribeTasks (epoch ms; absent while not reached). */
export interface TaskFacts {
  readonly taskArn: string;
  /** `group` without `service:`. */
  readonly service: string;
  readonly startedBy?: string;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly stoppingAt?: number;
  readonly stoppedAt?: number;
  readonly lastStatus: string;
  readonly stoppedReason?: string;
}

/** One deployment from the ledger (epoch ms). */
export interface DeploymentFacts {
  readonly deploymentId: string;
  readonly state: string;
  readonly createdAt: number;
  readonly finishedAt?: number;
  readonly ecsDeploymentId?: string;
  readonly configHash: string;
  readonly revision?: string;
  readonly reason?: string;
  readonly service?: string;
}

/** One pre-deploy backup job and the deployments that waited for it (epoch ms). */
export interface GateFacts {
  readonly jobId: string;
  readonly deploymentIds: readonly string[];
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly state: string;
}

/** A lifetime segment of a task. */
export interface Segment {
  readonly phase: 'pending' | 'running' | 'stopping';
  readonly from: number;
  readonly to: number;
}

/** A marker on the axis. */
export interface Marker {
  readonly at: number;
  readonly kind: 'requested' | 'rolled' | 'succeeded' | 'failed' | 'rolled-back';
  readonly deploymentId: string;
  readonly label: string;
}

/** The picture, ready to render. */
export interface Timeline {
  readonly env: string;
  readonly from: number;
  readonly to: number;
  readonly lanes: readonly { readonly service: string; readonly tasks: readonly { readonly taskArn: string; readonly segments: readonly Segment[] }[] }[];
  readonly markers: readonly Marker[];
  readonly gates: readonly { readonly from: number; readonly to: number; readonly state: string; readonly deploymentIds: readonly string[] }[];
  /** When portal-api had no RUNNING task (inside the window). */
  readonly portalApiDown: readonly { readonly from: number; readonly to: number }[];
}

/** Deployment states that end a rollout, with the marker they draw. */
const FINAL: Readonly<Record<string, Marker['kind']>> = { succeeded: 'succeeded', failed: 'failed', stuck: 'failed' };

/**
 * Builds the timeline of the last `last` deployments (by creation) at time
 * `now`: the window runs from the first of them (or the first task) to the
 * last event, and only tasks alive in it are drawn.
 *
 * @example
 * const t = buildTimeline({ env: 'dev', now, deployments, tasks, gates, last: 3 });
 * t.portalApiDown // [{ from, to }] while no portal-api task ran
 */
export function buildTimeline(input: { env: string; now: number; deployments: readonly DeploymentFacts[]; tasks: readonly TaskFacts[]; gates: readonly GateFacts[]; last?: number }): Timeline {
  const deployments = [...input.deployments].sort((a, b) => a.createdAt - b.createdAt).slice(-(input.last ?? 3));
  const ids = new Set(deployments.map((d) => d.deploymentId));
  const firstEvent = Math.min(...deployments.map((d) => d.createdAt), ...(deployments.length ? [] : input.tasks.map((t) => t.createdAt)), input.now);
  const from = firstEvent;
  const gates = input.gates.filter((g) => g.deploymentIds.some((id) => ids.has(id))).map((g) => ({ from: g.startedAt, to: g.endedAt ?? input.now, state: g.state, deploymentIds: g.deploymentIds.filter((id) => ids.has(id)) }));
  const tasks = input.tasks.filter((t) => (t.stoppedAt ?? input.now) >= from);
  const lastEvent = Math.max(from + 1, ...deployments.map((d) => d.finishedAt ?? input.now), ...tasks.map((t) => t.stoppedAt ?? input.now), ...gates.map((g) => g.to));
  const to = Math.min(lastEvent, input.now) > from ? Math.min(lastEvent, input.now) : from + 1;
  const services = [...new Set(tasks.map((t) => t.service))].sort(serviceOrder);
  return {
    env: input.env, from, to,
    lanes: services.map((service) => ({
      service,
      tasks: tasks.filter((t) => t.service === service).sort((a, b) => a.createdAt - b.createdAt).map((t) => ({ taskArn: t.taskArn, segments: segments(t, from, to) })),
    })),
    markers: deployments.flatMap((d) => markers(d, tasks)).sort((a, b) => a.at - b.at),
    gates,
    portalApiDown: gaps(tasks.filter((t) => t.service === 'portal-api').flatMap((t) => segments(t, from, to).filter((s) => s.phase === 'running')), from, to),
  };
}

/** portal-api first, then the other wicked singletons, then gateways. */
function serviceOrder(a: string, b: string): number {
  const rank = (s: string): number => (s === 'portal-api' ? 0 : s.startsWith('portal') ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** A task's pending (created → started), running (started → stopping) and stopping (stopping → stopped) spans, clipped to the window. */
export function segments(t: TaskFacts, from: number, to: number): Segment[] {
  const end = (at: number | undefined): number => Math.min(at ?? to, to);
  const spans: Segment[] = [];
  const add = (phase: Segment['phase'], start: number, stop: number): void => {
    const a = Math.max(start, from);
    const b = Math.min(stop, to);
    if (b > a) spans.push({ phase, from: a, to: b });
  };
  const stopping = t.stoppingAt ?? t.stoppedAt;
  add('pending', t.createdAt, end(t.startedAt ?? stopping));
  if (t.startedAt !== undefined) add('running', t.startedAt, end(stopping));
  if (stopping !== undefined) add('stopping', stopping, end(t.stoppedAt));
  return spans;
}

function markers(d: DeploymentFacts, tasks: readonly TaskFacts[]): Marker[] {
  const what = d.service ? `restart of ${d.service}` : `config ${d.configHash.slice(0, 12)}${d.revision ? ` @${d.revision.slice(0, 12)}` : ''}`;
  const out: Marker[] = [{ at: d.createdAt, kind: 'requested', deploymentId: d.deploymentId, label: `${d.deploymentId} requested (${what})` }];
  // ECS starts the new tasks with startedBy = its deployment id: the first one is when the rollout began.
  const rolled = tasks.filter((t) => d.ecsDeploymentId !== undefined && t.startedBy === d.ecsDeploymentId).map((t) => t.createdAt);
  if (rolled.length > 0) out.push({ at: Math.min(...rolled), kind: 'rolled', deploymentId: d.deploymentId, label: `${d.deploymentId} rolling (${d.ecsDeploymentId})` });
  const final = FINAL[d.state];
  if (final && d.finishedAt !== undefined) {
    const rolledBack = final === 'failed' && /roll(ed)?[ -]?back|circuit breaker/i.test(d.reason ?? '');
    out.push({ at: d.finishedAt, kind: rolledBack ? 'rolled-back' : final, deploymentId: d.deploymentId, label: `${d.deploymentId} ${rolledBack ? 'rolled back' : d.state}${d.reason ? `: ${d.reason}` : ''}` });
  }
  return out;
}

/** The parts of [from, to) that no running span covers. */
export function gaps(running: readonly { from: number; to: number }[], from: number, to: number): { from: number; to: number }[] {
  const sorted = [...running].sort((a, b) => a.from - b.from);
  const out: { from: number; to: number }[] = [];
  let cursor = from;
  for (const span of sorted) {
    if (span.from > cursor) out.push({ from: cursor, to: span.from });
    cursor = Math.max(cursor, span.to);
  }
  if (cursor < to) out.push({ from: cursor, to });
  return out;
}
