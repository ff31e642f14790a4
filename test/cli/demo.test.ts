import { lastJson, runCli } from './run-cli';

describe('wickedctl demo', () => {
  it('validates and builds the example, and proves the image valid, reproducible and idempotent', async () => {
    const run = await runCli(['demo', '--json']);
    expect(run.code).toBe(0);
    expect(lastJson(run)).toMatchObject({ rebuildSkipped: true, archiveDigestMatches: true, validationProblems: 0 });
    expect(String(lastJson(run).digest)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
