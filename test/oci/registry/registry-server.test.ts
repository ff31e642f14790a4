import { existsSync } from 'node:fs';
import { startRegistry } from '../../helpers/registry-server';

describe('startRegistry (test harness)', () => {
  it('serves the distribution API anonymously and cleans up on stop', async () => {
    const registry = await startRegistry();
    try {
      expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
      const response = await fetch(`http://${registry.host}/v2/`);
      expect(response.status).toBe(200);
    } finally {
      await registry.stop();
    }
    expect(existsSync(registry.dataDir)).toBe(false);
    await expect(fetch(`http://${registry.host}/v2/`)).rejects.toThrow();
  });

  it('asks for Basic credentials when auth is on and accepts the right ones', async () => {
    const registry = await startRegistry({ auth: { username: 'alice', password: 's3cret' } });
    try {
      const anonymous = await fetch(`http://${registry.host}/v2/`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="test-registry"/);
      const wrong = await fetch(`http://${registry.host}/v2/`, { headers: { authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`http://${registry.host}/v2/`, { headers: { authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` } });
      expect(right.status).toBe(200);
    } finally {
      await registry.stop();
    }
  });
});
