import { environmentNames, environmentParameterEntries, parameterName, parameterPath, readEnvironmentParameters } from '../../shared/environment';

const values = {
  configBucket: 'b', ledgerTable: 't', eventBus: 'default', cluster: 'c', services: ['portal-api', 'kong'], repository: 'r', backupVault: 'v', notificationTopic: 'arn:n', nodeEnv: 'dev', platformVariables: ['NODE_ENV', 'PORTAL_CONFIG_KEY', 'SMTP_HOST'], strictValidation: 'true',
};

describe('environment parameters', () => {
  it.each([
    ['dev', '/wicked/dev/'],
    ['prod-eu', '/wicked/prod-eu/'],
  ])('the path of %s is %s', (env, path) => {
    expect(parameterPath(env)).toBe(path);
  });

  it.each(['', 'Dev', '../x', 'a/b'])('refuses the environment name %j', (env) => {
    expect(() => parameterPath(env)).toThrow(/expected a lowercase name/);
  });

  it('reads back what is written; a StringList becomes a list', () => {
    const entries = environmentParameterEntries('dev', values);
    const read = readEnvironmentParameters('dev', entries.map((e) => ({ Name: e.name, Value: e.value })));
    expect(read).toEqual({ found: values, missing: [] });
    expect(entries.find((e) => e.name === parameterName('dev', 'services'))).toEqual({ name: '/wicked/dev/services', value: 'portal-api,kong', type: 'StringList' });
    expect(entries.find((e) => e.name === parameterName('dev', 'platformVariables'))).toEqual({ name: '/wicked/dev/platform-variables', value: 'NODE_ENV,PORTAL_CONFIG_KEY,SMTP_HOST', type: 'StringList' });
  });

  it('names what is missing and ignores other environments and unknown keys', () => {
    const read = readEnvironmentParameters('dev', [{ Name: '/wicked/dev/cluster', Value: 'c' }, { Name: '/wicked/prod/ledger-table', Value: 't' }, { Name: '/wicked/dev/future', Value: 'x' }]);
    expect(read.found).toEqual({ cluster: 'c' });
    expect(read.missing).toContain('ledgerTable');
  });

  it('finds environment names one level under /wicked/', () => {
    expect(environmentNames([{ Name: '/wicked/prod/cluster' }, { Name: '/wicked/dev/cluster' }, { Name: '/wicked/dev/x/y' }, { Name: '/other/qa/cluster' }])).toEqual(['dev', 'prod']);
  });
});
