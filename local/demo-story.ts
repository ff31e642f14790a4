import { join } from 'node:path';
import type { ImageBuiltDetail } from '../shared/events';
import { runDemo } from './demo';
import { gatedDeploy } from './demo-gate';
import { restoreSnapshot, scheduledSnapshot } from './demo-snapshot';
import type { StoryAction, StoryContext } from './story';
import { STEP_TIMEOUT_MS, deployConfig, packConfig, runningDigest, short, uploadConfig, waitForCompanions, waitForEvent, withLedger } from './story';

function expectThat(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

const firstDeploy: StoryAction = async (context) => {
  const { stack } = context;
  const { cluster, singletons } = stack.resources;
  context.digests.kongDesired = String(stack.control.ecs.getDesiredCount(cluster, stack.resources.gateways[0]!));
  // As the stack creates them: the components that wait for portal-api have no task before its first good deployment.
  const early = singletons.filter((name) => name !== 'portal-api' && stack.control.ecs.getDesiredCount(cluster, name) !== 0);
  expectThat(early.length === 0, `${early.join(', ')} had tasks before portal-api's first deployment`);
  const built = await deployConfig(context, await packConfig(context, 'example'), 'config/dev/example.tgz');
  const companions = await waitForCompanions(stack);
  expectThat(runningDigest(stack) === built.digest, `portal-api runs ${short(runningDigest(stack))}, expected ${short(built.digest)}`);
  const overlap = stack.control.ecs.maxConcurrentTasks(stack.resources.cluster, 'portal-api');
  expectThat(overlap === 1, `portal-api had ${overlap} tasks at once`);
  context.digests.first = built.digest;
  return `portal-api rolled to ${short(built.digest)}, stop-before-start (never 2 tasks); then ${companions.length} singletons brought up from 0 to 1 task`;
};

const secondDeploy: StoryAction = async (context) => {
  const built = await deployConfig(context, await packConfig(context, 'changed', { page: 'New opening hours.' }), 'config/dev/changed.tgz');
  expectThat(built.digest !== context.digests.first, 'the changed config gave the same digest');
  expectThat(runningDigest(context.stack) === built.digest, `portal-api runs ${short(runningDigest(context.stack))}`);
  context.digests.good = built.digest;
  return `portal-api rolled again to ${short(built.digest)}`;
};

const brokenConfig: StoryAction = async (context) => {
  const { stack } = context;
  const deployments = stack.control.ecs.deployments(stack.resources.cluster, 'portal-api').length;
  const versionId = await uploadConfig(context.stack, await packConfig(context, 'broken', { brokenGlobals: true }), 'config/dev/broken.tgz');
  const rejected = await waitForEvent(context, 'Portal Config Rejected', { key: 'config/dev/broken.tgz', ...(versionId ? { versionId } : {}) });
  const issues = (rejected.detail as { issues: { file: string; code: string; line?: number }[] }).issues;
  await stack.bus.idle();
  expectThat(stack.control.ecs.deployments(stack.resources.cluster, 'portal-api').length === deployments, 'a deployment started for a rejected config');
  expectThat(runningDigest(stack) === context.digests.good, 'portal-api changed after a rejected config');
  const first = issues[0];
  return `rejected: ${first ? `${first.file}:${first.line ?? ''} ${first.code}` : 'no issue?'}; services untouched`;
};

const failingDeploy: StoryAction = async (context) => {
  const { stack } = context;
  let failing: string | undefined;
  const built = stack.bus.waitFor((event) => {
    if (event['detail-type'] !== 'Portal Image Built' || (event.detail as unknown as ImageBuiltDetail).key !== 'config/dev/unhealthy.tgz') return false;
    failing = (event.detail as unknown as ImageBuiltDetail).digest;
    stack.control.ecs.failHealth(failing);
    return true;
  }, STEP_TIMEOUT_MS, 'Portal Image Built of unhealthy.tgz');
  // Awaited below; a failure before that (the upload) must not leave it rejected unhandled.
  built.catch(() => undefined);
  await uploadConfig(context.stack, await packConfig(context, 'unhealthy', { page: 'This release fails its health check.' }), 'config/dev/unhealthy.tgz');
  await built;
  const failed = await waitForEvent(context, 'Portal Deployment Failed', { digest: failing });
  await stack.control.ecs.waitForSteadyState(stack.resources.cluster, 'portal-api', STEP_TIMEOUT_MS);
  const cause = (failed.detail as { cause?: string }).cause;
  expectThat(runningDigest(stack) === context.digests.good, `portal-api runs ${short(runningDigest(stack))} after the rollback`);
  const lastGood = await withLedger(stack, async (ledger) => (await ledger.getEnvironment('dev'))?.lastGood?.digest);
  expectThat(lastGood === context.digests.good, 'the ledger lost the last good digest');
  const succeeded = stack.bus.timeline.some((entry) => entry.event['detail-type'] === 'Portal Deployment Succeeded' && (entry.event.detail as { digest?: string }).digest === failing);
  expectThat(!succeeded, 'the failed deployment was reported as a success');
  const deploymentId = (failed.detail as { deploymentId?: string }).deploymentId;
  const notified = await stack.control.sns.waitFor((message) => message.attributes.deploymentId === deploymentId, STEP_TIMEOUT_MS, `the notification of ${deploymentId ?? 'the failed deployment'}`);
  return `circuit breaker (${cause}) rolled back to ${short(context.digests.good)}; reported as Portal Deployment Failed and notified on SNS: "${notified.subject ?? ''}"`;
};

const invariants: StoryAction = async (context) => {
  const { stack } = context;
  await stack.bus.idle();
  const overlap = stack.control.ecs.maxConcurrentTasks(stack.resources.cluster, 'portal-api');
  const kong = String(stack.control.ecs.getDesiredCount(stack.resources.cluster, stack.resources.gateways[0]!));
  expectThat(overlap === 1, `portal-api had ${overlap} tasks at once`);
  expectThat(kong === context.digests.kongDesired, `the gateway's desired count moved from ${context.digests.kongDesired} to ${kong}`);
  const { cluster, singletons } = stack.resources;
  const counts = singletons.map((name) => stack.control.ecs.getDesiredCount(cluster, name));
  expectThat(counts.every((count) => count === 1), `singletons at desired counts ${counts.join(', ')}, expected 1 each`);
  const failures = stack.bus.timeline.flatMap((entry) => entry.deliveries.filter((d) => d.status !== 'delivered'));
  expectThat(failures.length === 0, `${failures.length} event deliveries failed`);
  // A delivery to a Lambda target only queues the event (202): what the function made of it is Lambda's asynchronous invocation.
  let handled = 'every event delivered';
  if ('lambdaAsync' in stack) {
    await stack.lambdaAsync.idle();
    const invocations = stack.lambdaAsync.invocations();
    const unhandled = invocations.filter((i) => i.status !== 'succeeded');
    expectThat(unhandled.length === 0, `${unhandled.length} of ${invocations.length} function invocations did not succeed: ${unhandled.map((i) => `${i.functionName} ${i.status} after ${i.attempts} attempts (${i.error ?? ''})`).join('; ')}`);
    handled = `every event delivered and handled (${invocations.length} function invocations)`;
  }
  return `portal-api never ran 2 tasks; gateway desired count stayed ${kong}; every singleton at 1; ${handled}`;
};

/** The image build on its own: valid, idempotent and the same from a directory or a .tar.gz. */
function imageBuild(root: string): StoryAction {
  return async (context) => {
    const summary = await runDemo(root, () => undefined, join(context.work, 'image-build'));
    expectThat(summary.validationProblems === 0, `${summary.validationProblems} digest/size problems in the built image`);
    expectThat(summary.rebuildSkipped, 'a rebuild uploaded again');
    expectThat(summary.archiveDigestMatches, 'the .tar.gz of the same files gave another digest');
    context.log(`        ${summary.image}`);
    return `daemonless build verified: digests and sizes match, rebuild uploads nothing, dir and .tar.gz give ${short(summary.digest)}`;
  };
}

/** The story of `npm run demo`, in order. */
export function demoSteps(root: string): readonly [string, StoryAction][] {
  return [
  ['build the portal-api image without a daemon', imageBuild(root)],
  ['upload the example config', firstDeploy],
  ['scheduled snapshot of the dynamic data', scheduledSnapshot],
  ['upload a changed config', secondDeploy],
  ['gated deploy: snapshot first (the prod default)', gatedDeploy],
  ['upload a broken config', brokenConfig],
  ['deploy an image that fails its health check', failingDeploy],
  ['restore the last snapshot', restoreSnapshot],
  ['invariants over the whole run', invariants],
  ];
}

/** For tests: the context type of the steps. */
export type { StoryContext };
