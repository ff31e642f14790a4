import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BUNDLE_FILE, functionCode } from '../../../infra/bundling/function-code';
import { FUNCTION_ESBUILD_OPTIONS, FUNCTION_HANDLER, FUNCTION_RUNTIME } from '../../../infra/constructs/control-plane-function';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'function-code-'));
  writeFileSync(path.join(dir, 'a.ts'), "export const handler = async (): Promise<string> => 'from a';\n");
  writeFileSync(path.join(dir, 'b.ts'), "export const handler = async (): Promise<string> => 'from b';\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bundle each function of a synthesized stack got, by construct id. */
function bundles(entries: Record<string, string>): Record<string, string> {
  const app = new App({ outdir: path.join(dir, `out-${Object.keys(entries).join('-')}`) });
  const stack = new Stack(app, 'S');
  for (const [id, entry] of Object.entries(entries)) {
    new lambda.Function(stack, id, { code: functionCode(entry, FUNCTION_ESBUILD_OPTIONS), handler: FUNCTION_HANDLER, runtime: FUNCTION_RUNTIME });
  }
  const assembly = app.synth();
  const template = assembly.getStackByName('S').template as { Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string } } }> };
  return Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => [logicalId.replace(/[0-9A-F]{8}$/, ''), readFileSync(path.join(assembly.directory, `asset.${r.Properties.Code.S3Key.replace(/\.zip$/, '')}`, BUNDLE_FILE), 'utf8')]));
}

describe('functionCode', () => {
  it('gives each function its own bundle, though CDK keys its staging cache on the bundling options (local bundling is not part of them)', () => {
    const code = bundles({ A: path.join(dir, 'a.ts'), B: path.join(dir, 'b.ts') });

    expect([code.A!.includes('from a'), code.A!.includes('from b'), code.B!.includes('from b'), code.B!.includes('from a')]).toEqual([true, false, true, false]);
    expect(code.A).toMatch(/export\s*\{[^}]*as handler\b/);
  }, 60_000);

  it('gives the same asset (hash and bytes) whatever the depth of the output directory: a later cdk deploy into another cdk.out updates no function', () => {
    const asset = (outdir: string): { key: string; map: string } => {
      const app = new App({ outdir });
      const stack = new Stack(app, 'S');
      new lambda.Function(stack, 'A', { code: functionCode(path.join(dir, 'a.ts'), FUNCTION_ESBUILD_OPTIONS), handler: FUNCTION_HANDLER, runtime: FUNCTION_RUNTIME });
      const assembly = app.synth();
      const template = assembly.getStackByName('S').template as { Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string } } }> };
      const key = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!.Properties.Code.S3Key;
      return { key, map: readFileSync(path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`, `${BUNDLE_FILE}.map`), 'utf8') };
    };
    const shallow = asset(path.join(dir, 'depth-1'));
    const deep = asset(path.join(dir, 'depth', 'two', 'three'));

    expect(deep.key).toBe(shallow.key);
    expect(deep.map).toBe(shallow.map);
  }, 60_000);

  it('fails synth with a typed error naming the entry and esbuild\'s message when esbuild fails', () => {
    const missing = path.join(dir, 'missing.ts');
    const error = ((): unknown => { try { bundles({ M: missing }); return undefined; } catch (e) { return e; } })();

    // CDK wraps what local bundling throws in its own FailedToBundleAsset error, keeping the name and message.
    expect(String(error)).toContain(`FunctionBundlingError: bundling ${missing}: esbuild exited with 1: `);
    expect(String(error)).toContain(`Could not resolve "${missing}"`);
  }, 60_000);
});
