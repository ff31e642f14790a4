import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkEnvFile,
  computeConfigHash,
  environmentLookup,
  hasVariables,
  PLATFORM_VARIABLES,
  REQUIRED_VARIABLES,
  substituteVariables,
  validateConfig,
  visitStrings,
} from '../../shared/wicked-config';
import type { EnvVariables } from '../../shared/wicked-config';
import { directoryBundle } from '../helpers/directory-bundle';

const EXAMPLE = join(__dirname, '../../examples/static');
const ENVIRONMENTS = ['default', 'dev', 'prod'];

function jsonFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) return jsonFiles(dir, path);
    return path.endsWith('.json') ? [path] : [];
  });
}

const read = (path: string): unknown => JSON.parse(readFileSync(join(EXAMPLE, path), 'utf8'));

describe('the example configuration (examples/static)', () => {
  it('validates clean for default, dev and prod', async () => {
    const bundle = directoryBundle(EXAMPLE);
    const report = await validateConfig(bundle);
    expect(report.issues).toEqual([]);
    expect(report).toMatchObject({ valid: true, environments: ENVIRONMENTS });
    expect(report.configHash).toBe(await computeConfigHash(bundle));
  });

  it.each(ENVIRONMENTS)('validates clean for %s alone', async (env) => {
    await expect(validateConfig(directoryBundle(EXAMPLE), { envs: [env] })).resolves.toMatchObject({ valid: true, environments: [env], issues: [] });
  });

  it('holds no deploy key and declares the environments it ships', () => {
    expect(directoryBundle(EXAMPLE).warnings).toEqual([]);
    expect((read('kickstarter.json') as { envs: string[] }).envs).toEqual(ENVIRONMENTS);
    expect(readdirSync(join(EXAMPLE, 'env')).sort()).toEqual(ENVIRONMENTS.map((env) => `${env}.json`));
  });

  describe.each(ENVIRONMENTS)('in %s', (env) => {
    const envFiles = new Map<string, EnvVariables>(ENVIRONMENTS.map((name) => [name, checkEnvFile(`env/${name}.json`, read(`env/${name}.json`)).variables]));
    const lookup = environmentLookup(envFiles, env, PLATFORM_VARIABLES);

    it('resolves every variable of every .json file completely', () => {
      const unresolved: string[] = [];
      for (const file of jsonFiles(EXAMPLE)) {
        visitStrings(read(file), (text, path) => {
          if (!hasVariables(text)) return;
          const result = substituteVariables(text, lookup);
          if (result.stuck || hasVariables(result.value)) unresolved.push(`${file} ${path.join('.')}: ${text} → ${result.value}`);
        });
      }
      expect(unresolved).toEqual([]);
    });

    it('defines what portal-api requires, and the static folder where the image puts it', () => {
      expect(REQUIRED_VARIABLES.filter((name) => lookup(name) === undefined)).toEqual([]);
      expect(substituteVariables('$PORTAL_API_STATIC_CONFIG', lookup).value).toBe('/var/portal-api/static');
      expect(substituteVariables('$PORTAL_API_DYNAMIC_CONFIG', lookup).value).toBe('/var/portal-api/dynamic');
    });
  });

  it('gives each environment its own hosts', () => {
    const envFiles = new Map<string, EnvVariables>(ENVIRONMENTS.map((name) => [name, checkEnvFile(`env/${name}.json`, read(`env/${name}.json`)).variables]));
    const host = (env: string) => substituteVariables('$PORTAL_NETWORK_PORTALHOST', environmentLookup(envFiles, env, PLATFORM_VARIABLES)).value;
    expect(ENVIRONMENTS.map(host)).toEqual(['portal.acme.example', 'portal.dev.acme.example', 'developer.acme.example']);
  });
});
