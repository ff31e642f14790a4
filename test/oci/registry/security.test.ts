import { createRegistryRepository, InsecureRegistryError, isLoopbackHost, registryOrigin, RegistryOptionsError } from '../../../shared/oci/registry';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.0.0.1:5000', true],
    ['127.255.255.254:80', true],
    ['127.1', true],
    ['localhost', true],
    ['LOCALHOST:5000', true],
    ['[::1]', true],
    ['[::1]:5000', true],
    ['[0:0:0:0:0:0:0:1]:5000', true],
    ['128.0.0.1', false],
    ['10.0.0.1:5000', false],
    ['0.0.0.0:5000', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.example', false],
    ['[::2]', false],
    ['registry.example', false],
    ['', false],
  ])('%j → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('registryOrigin', () => {
  it.each([
    ['registry.example', false, 'https://registry.example'],
    ['registry.example:5443', false, 'https://registry.example:5443'],
    ['127.0.0.1:5000', false, 'https://127.0.0.1:5000'],
    ['127.0.0.1:5000', true, 'http://127.0.0.1:5000'],
    ['localhost:5000', true, 'http://localhost:5000'],
    ['[::1]:5000', true, 'http://[::1]:5000'],
  ])('%s insecure=%s → %s', (host, insecure, origin) => {
    expect(registryOrigin(host, insecure)).toBe(origin);
  });

  it.each(['registry.example', '10.1.2.3:5000', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', '0.0.0.0:5000'])('refuses plain HTTP to %s', (host) => {
    expect(() => registryOrigin(host, true)).toThrow(InsecureRegistryError);
    expect(() => registryOrigin(host, true)).toThrow(`refusing plain HTTP to ${host}: insecure: true was given for a non-loopback registry`);
  });

  it.each(['', 'http://registry.example', 'registry.example/path', 'user@registry.example', 'registry.example?x', 'registry.example:99999x'])('refuses the malformed host %j', (host) => {
    expect(() => registryOrigin(host, false)).toThrow(RegistryOptionsError);
  });

  it('is checked when a repository is created, before any request', () => {
    const fetch = jest.fn();
    expect(() => createRegistryRepository({ host: 'registry.example:5000', repository: 'portal-api', insecure: true, fetch })).toThrow(
      expect.objectContaining({ code: 'INSECURE_NOT_ALLOWED', host: 'registry.example:5000' }),
    );
    expect(fetch).not.toHaveBeenCalled();
  });
});
