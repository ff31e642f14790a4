import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { DEFAULT_FUNCTION_ENTRIES } from '../../infra/props';
import { testStack } from './helpers';

/** The asset budget of every control-plane function (see the benchmark in bench/lambda-assets.ts). */
const SIZE_LIMIT = 500 * 1024;

// Real bundling of the real handlers, as `cdk synth` does it: one esbuild run per function.
let outdir: string;
let bundles: { name: string; code: string; size: number }[];

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'lambda-bundles-'));
  const app = new App({ outdir });
  testStack({ envName: 'dev', functionEntries: DEFAULT_FUNCTION_ENTRIES }, app);
  app.synth();
  bundles = readdirSync(outdir).filter((d) => d.startsWith('asset.') && readdirSync(path.join(outdir, d)).includes('index.mjs')).map((d) => {
    const file = path.join(outdir, d, 'index.mjs');
    return { name: d, code: readFileSync(file, 'utf8'), size: statSync(file).size };
  });
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it('are one ESM file per function', () => {
    expect(bundles).toHaveLength(Object.keys(DEFAULT_FUNCTION_ENTRIES).length);
    for (const bundle of bundles) expect(bundle.code).toMatch(/export\s*\{[^}]*\bas handler\b/);
  });

  it('stay under 500 KB each', () => {
    expect(bundles.filter((b) => b.size >= SIZE_LIMIT).map((b) => `${b.name}: ${b.size} bytes`)).toEqual([]);
  });

  it('leave the AWS SDK to the runtime and zod\'s locales out', () => {
    for (const bundle of bundles) {
      expect(bundle.code).toMatch(/from\s*"@aws-sdk\/client-/);
      expect(bundle.code).not.toContain('@smithy/');
      // A message only zod's German locale carries: the locales are dropped by importing zod as a namespace.
      expect(bundle.code).not.toContain('Eingabe: erwartet');
    }
  });
});
