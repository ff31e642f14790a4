import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { DEFAULT_FUNCTION_ENTRIES, PACKAGE_ROOT } from '../../infra/props';
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
      // A message only zod's German locale carries: shared/zod configures English alone, imported as a namespace.
      expect(bundle.code).not.toContain('Eingabe: erwartet');
      // ...and English is there: zod/mini has no default locale, so every message would read "Invalid input".
      expect(bundle.code).toContain('Invalid input: expected');
    }
  });
});

/** Every TypeScript source of the package (what a bundle or the CLI can reach, and the tests). */
function sources(): string[] {
  return ['shared', 'functions', 'cli', 'infra', 'local', 'test', 'bench']
    .flatMap((dir) => readdirSync(path.join(PACKAGE_ROOT, dir), { recursive: true, encoding: 'utf8' }).map((file) => path.join(dir, file)))
    .filter((file) => file.endsWith('.ts'));
}

/** Import and export statements with a module specifier, dynamic imports and requires: `[bindings, specifier]`. */
function importsOf(code: string): [string, string][] {
  const statements = [...code.matchAll(/^\s*(?:import|export)\s+([^;]*?)\s*from\s*'([^']+)'/gm)].map((m): [string, string] => [m[1]!, m[2]!]);
  const calls = [...code.matchAll(/\b(?:import|require)\(\s*'([^']+)'\s*\)/g)].map((m): [string, string] => ['(call)', m[1]!]);
  return [...statements, ...calls];
}

describe('zod imports', () => {
  const ZOD_MODULE = path.join('shared', 'zod.ts');

  it('go through shared/zod, as a namespace, so esbuild keeps only what is used', () => {
    const problems: string[] = [];
    for (const file of sources()) {
      if (file === ZOD_MODULE) continue;
      for (const [bindings, specifier] of importsOf(readFileSync(path.join(PACKAGE_ROOT, file), 'utf8'))) {
        if (/^zod(\/|$)/.test(specifier)) problems.push(`${file}: imports '${specifier}' (use shared/zod)`);
        const target = specifier.startsWith('.') ? path.relative(PACKAGE_ROOT, path.resolve(PACKAGE_ROOT, path.dirname(file), specifier)) : specifier;
        if (target === path.join('shared', 'zod') && !/^(type\s+)?\*\s+as\s+z$/.test(bindings)) problems.push(`${file}: ${bindings} from '${specifier}' (expected * as z)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('configure the English locale alone, on zod/mini', () => {
    const imports = importsOf(readFileSync(path.join(PACKAGE_ROOT, ZOD_MODULE), 'utf8')).map(([, specifier]) => specifier).sort();
    expect(imports).toEqual(['zod/mini', 'zod/mini', 'zod/v4/locales/en.js']);
  });
});
