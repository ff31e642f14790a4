import { appendFile, cp, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Timeline } from '../../shared/timeline';
import { dumpDom, screenshot } from '../helpers/chromium';
import { countColor, decodePng } from '../helpers/png';
import type { OperatorFixture } from './operator-fixture';
import { startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { FOLLOW_TIMEOUT_S, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import { settle } from '../e2e/deploy-helpers';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
const RUNNING_GREEN = '#3a9d5d';

/** Elements of the dumped DOM whose opening tag matches `tag` and carries every class in `classes`. */
function elements(dom: string, tag: string, classes: readonly string[]): string[] {
  return [...dom.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'g'))].map((m) => m[0]).filter((open) => {
    const cls = /\bclass="([^"]*)"/.exec(open)?.[1]?.split(/\s+/) ?? [];
    return classes.every((c) => cls.includes(c));
  });
}

describe('wickedctl status --timeline / --html against the local emulator', () => {
  let fixture: OperatorFixture;
  let timeline: Timeline;

  beforeAll(async () => {
    fixture = await startOperatorFixture('cli-timeline-');
    // The stack starts portal-api at zero tasks (no image before the first upload): a second config rolls it from
    // the first config's task to a new one.
    const second = join(fixture.dir, 'second');
    await cp(EXAMPLE, second, { recursive: true });
    await appendFile(join(second, 'content', 'contact.md'), '\nsecond config\n');
    for (const config of [EXAMPLE, second]) {
      const deployed = await runCli(['upload', '--config', config, '--env', 'dev', '--follow', '--timeout', FOLLOW_TIMEOUT_S, '--json']);
      expect(lastJson(deployed)).toMatchObject({ outcome: 'deployed' });
    }
    // The deploy functions start the other singletons once portal-api runs a good deployment, after the follow ended:
    // the picture is taken once every singleton runs a task and nothing is in flight, so both views below see the same.
    const { emulator } = fixture;
    const budget = signalBudget();
    for (const service of emulator.resources.singletons) {
      await emulator.bus.waitFor((event) => event['detail-type'] === 'ECS Task State Change' && event.detail.group === `service:${service}` && event.detail.lastStatus === 'RUNNING', budget.left(), `a running task of ${service}`);
    }
    await settle(emulator, budget.left());
    const json = await runCli(['status', '--env', 'dev', '--timeline', '--json']);
    expect(json.code).toBe(0);
    timeline = (lastJson(json) as { timeline: Timeline }).timeline;
  }, SIGNAL_TEST_LIMIT_MS);
  afterAll(async () => { await fixture?.stop(); });

  it('builds the picture from the ledger and ECS DescribeTasks: portal-api tasks, requested and succeeded markers', () => {
    const portalApi = timeline.lanes.find((lane) => lane.service === 'portal-api');
    expect(portalApi?.tasks.length).toBeGreaterThanOrEqual(2);
    expect(portalApi?.tasks.some((t) => t.segments.some((s) => s.phase === 'running'))).toBe(true);
    expect(timeline.lanes.map((l) => l.service)).toEqual(expect.arrayContaining(['portal-api', 'portal', ...fixture.emulator.resources.gateways]));
    expect(timeline.markers.map((m) => m.kind)).toEqual(expect.arrayContaining(['requested', 'rolled', 'succeeded']));
  });

  it('draws it in the terminal on the same axis, plain ASCII when piped', async () => {
    const run = await runCli(['status', '--env', 'dev', '--timeline']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^dev: \d{4}-\d\d-\d\dT[\d:]+Z to /);
    expect(lines.find((l) => l.startsWith('deployments'))).toMatch(/R.*S/);
    expect(lines.some((l) => l.startsWith('portal-api') && l.includes('#'))).toBe(true);
    expect(run.stdout).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it('writes one self-contained page that headless Chromium renders: the screenshot has the size asked for and shows running tasks; the DOM has every task and marker', async () => {
    const file = join(fixture.dir, 'rollout.html');
    const run = await runCli(['status', '--env', 'dev', '--html', file]);
    expect(run.code).toBe(0);
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<script|\bsrc=|\bhref=|@import|url\(/i);

    const png = decodePng(await screenshot(file, 1100, 700));
    expect([png.width, png.height]).toEqual([1100, 700]);
    expect(countColor(png, RUNNING_GREEN)).toBeGreaterThan(100);

    const dom = await dumpDom(file);
    expect(elements(dom, 'svg', [])).toHaveLength(1);
    const taskCount = timeline.lanes.reduce((n, lane) => n + lane.tasks.reduce((m, t) => m + t.segments.length, 0), 0);
    expect(elements(dom, 'rect', ['task'])).toHaveLength(taskCount);
    expect(elements(dom, 'rect', ['task', 'running']).filter((open) => open.includes('data-service="portal-api"')).length).toBeGreaterThanOrEqual(1);
    expect(elements(dom, 'line', ['marker'])).toHaveLength(timeline.markers.length);
    expect(elements(dom, 'line', ['marker', 'succeeded'])).toHaveLength(timeline.markers.filter((m) => m.kind === 'succeeded').length);
  }, 120_000);

  it('refuses --timeline without --env and a bad --last with exit 2', async () => {
    expect((await runCli(['status', '--timeline'])).code).toBe(2);
    const bad = await runCli(['status', '--env', 'dev', '--timeline', '--last', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--last: received 0/);
  });
});
