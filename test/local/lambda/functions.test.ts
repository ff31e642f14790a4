import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { customResourceProvider, serviceTimeoutSeconds } from '../../../local/cloudformation/providers/lambda';
import { AsyncInvoker } from '../../../local/lambda/async-invoke';
import { DeadLetters } from '../../../local/kernel/dead-letters';
import type { FunctionConfig } from '../../../local/lambda/functions';
import { FunctionError, LocalFunctions } from '../../../local/lambda/functions';
import type { ResponseListener } from '../../../local/lambda/responses';
import { RESPONSE_HOST, startResponseListener } from '../../../local/lambda/responses';
import { unzipTo } from '../../../local/lambda/unzip';
import { flush, ManualClock } from '../backup/manual-clock';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'lambda-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

async function code(name: string, source: string, file = 'index.mjs'): Promise<string> {
  const codeDir = join(dir, 'code', name);
  await mkdir(codeDir, { recursive: true });
  await writeFile(join(codeDir, file), source);
  return codeDir;
}

const config = (name: string, codeDir: string, extra: Partial<FunctionConfig> = {}): FunctionConfig => ({
  name, arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, codeDir, handler: 'index.handler', runtime: 'nodejs20.x',
  timeoutSeconds: 5, memoryMb: 128, environment: {}, ...extra,
});

describe('LocalFunctions', () => {
  it('runs the handler with the event, its own environment and the Lambda context, in a process of its own', async () => {
    const fns = new LocalFunctions({ platformEnv: { AWS_REGION: 'us-east-1' }, codeRoot: dir });
    await fns.deploy(config('echo', await code('echo', 'export const handler = async (event, context) => ({ event, env: process.env.GREETING, region: process.env.AWS_REGION, name: context.functionName, left: context.getRemainingTimeInMillis() > 0, pid: process.pid, root: process.env.LAMBDA_TASK_ROOT });'), { environment: { GREETING: 'hi' } }));
    const result = await fns.invoke('echo', { a: 1 }) as Record<string, unknown>;
    expect(result).toMatchObject({ event: { a: 1 }, env: 'hi', region: 'us-east-1', name: 'echo', left: true, root: join(dir, 'code', 'echo') });
    expect(result.pid).not.toBe(process.pid);
    expect(fns.invocations('echo').map((i) => i.outcome)).toEqual(['success']);
  });

  it('reuses a warm execution environment (module scope kept, logs per invocation); an update of the function starts a new one', async () => {
    const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir });
    const source = "let calls = 0; export const handler = async (event) => { calls++; console.log('call', event.n); return { pid: process.pid, calls, greeting: process.env.GREETING }; };";
    const codeDir = await code('warm', source);
    try {
      await fns.deploy(config('warm', codeDir, { environment: { GREETING: 'a' } }));
      const first = await fns.invoke('warm', { n: 1 }) as { pid: number; calls: number };
      const second = await fns.invoke('warm', { n: 2 }) as { pid: number; calls: number };
      expect(second).toEqual({ pid: first.pid, calls: 2, greeting: 'a' });
      expect(fns.invocations('warm').map((i) => i.logs.trim())).toEqual(['call 1', 'call 2']);
      // As UpdateFunctionConfiguration: the next invocation starts cold with the new environment.
      await fns.deploy(config('warm', codeDir, { environment: { GREETING: 'b' } }));
      const updated = await fns.invoke('warm', { n: 3 }) as { pid: number; calls: number };
      expect(updated).toMatchObject({ calls: 1, greeting: 'b' });
      expect(updated.pid).not.toBe(first.pid);
      // Two at once: each invocation has an environment of its own.
      const [x, y] = await Promise.all([fns.invoke('warm', { n: 4 }), fns.invoke('warm', { n: 5 })]) as { pid: number }[];
      expect(x!.pid).not.toBe(y!.pid);
    } finally {
      fns.stop();
    }
  });

  it('keeps every environment of a burst warm: the next burst of as many invocations starts none cold', async () => {
    const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir });
    const barrier = join(dir, 'barrier');
    await mkdir(barrier);
    // Each invocation holds its environment until all of its burst are running: every one needs an environment of its own.
    const source = `import { readdirSync, writeFileSync } from 'node:fs';
      export const handler = async (event) => {
        writeFileSync(\`\${event.barrier}/\${event.wave}-\${event.n}\`, '');
        while (readdirSync(event.barrier).filter((f) => f.startsWith(\`\${event.wave}-\`)).length < event.of) await new Promise((r) => setImmediate(r));
        return process.pid;
      };`;
    const burst = 10;
    try {
      await fns.deploy(config('burst', await code('burst', source)));
      const wave = (n: number): Promise<number[]> => Promise.all(Array.from({ length: burst }, (_, i) => fns.invoke('burst', { barrier, wave: n, n: i, of: burst }) as Promise<number>));
      const first = new Set(await wave(1));
      expect(first.size).toBe(burst);
      expect(new Set(await wave(2))).toEqual(first);
    } finally {
      fns.stop();
    }
  });

  it('shuts down an environment that stayed idle past its idle time; the next invocation starts cold', async () => {
    const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir, idleShutdownMs: 10 });
    const source = 'let calls = 0; export const handler = async () => ({ pid: process.pid, calls: ++calls });';
    try {
      await fns.deploy(config('idle', await code('idle', source)));
      const first = await fns.invoke('idle', {}) as { pid: number; calls: number };
      const alive = (): boolean => { try { process.kill(first.pid, 0); return true; } catch { return false; } };
      while (alive()) await new Promise((r) => setImmediate(r));
      const next = await fns.invoke('idle', {}) as { pid: number; calls: number };
      expect(next.calls).toBe(1);
      expect(next.pid).not.toBe(first.pid);
    } finally {
      fns.stop();
    }
  });

  it('keeps every log line an invocation wrote on stdout and stderr, however its pipes and its answer interleave, and none of the next one', async () => {
    const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir });
    // Large writes on both streams right before the answer: the answer comes over another channel than the pipes.
    const source = "export const handler = async (event) => { for (let i = 0; i < 64; i += 1) { console.log(`out ${event.n} ${i} ${'o'.repeat(4000)}`); console.error(`err ${event.n} ${i} ${'e'.repeat(4000)}`); } return event.n; };";
    try {
      await fns.deploy(config('chatty', await code('chatty', source)));
      for (let n = 1; n <= 5; n += 1) expect(await fns.invoke('chatty', { n })).toBe(n);
      for (const [index, invocation] of fns.invocations('chatty').entries()) {
        const heads = invocation.logs.split('\n').filter((line) => line !== '').map((line) => line.split(' ').slice(0, 3).join(' ')).sort();
        const written = Array.from({ length: 64 }, (_, i) => [`out ${index + 1} ${i}`, `err ${index + 1} ${i}`]).flat().sort();
        expect(heads).toEqual(written);
      }
    } finally {
      fns.stop();
    }
  });

  it('reports a handler error as Lambda does (errorType, errorMessage) with the logs', async () => {
    const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir });
    await fns.deploy(config('boom', await code('boom', "exports.handler = async () => { console.log('about to fail'); throw new TypeError('bad input'); };", 'index.js')));
    const failure = await fns.invoke('boom', {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FunctionError);
    expect(failure).toMatchObject({ errorType: 'TypeError', message: 'boom failed: TypeError: bad input' });
    expect((failure as FunctionError).logs).toContain('about to fail');
  });

  it('kills a function at its timeout', async () => {
    const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir });
    await fns.deploy(config('slow', await code('slow', 'export const handler = () => new Promise(() => setInterval(() => undefined, 1000));'), { timeoutSeconds: 1 }));
    await expect(fns.invoke('slow', {})).rejects.toMatchObject({ errorType: 'Sandbox.Timedout', message: expect.stringContaining('Task timed out after 1.00 seconds') });
  });

  it.each<[string, Partial<FunctionConfig>, RegExp]>([
    ['a runtime that is not Node.js', { runtime: 'python3.12' }, /Runtime "python3.12" is not emulated/],
    ['a Node.js newer than the emulator runs', { runtime: 'nodejs99.x' }, /Runtime nodejs99.x needs Node 99/],
  ])('refuses %s at deploy time', async (_name, extra, message) => {
    const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir });
    await expect(fns.deploy(config('f', dir, extra))).rejects.toThrow(message);
  });

  it('fails an invocation whose handler module is missing, naming what it looked for', async () => {
    const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir });
    await fns.deploy(config('missing', await code('missing', ''), { handler: 'app.main' }));
    await expect(fns.invoke('missing', {})).rejects.toThrow(/Runtime.ImportModuleError: Cannot find module 'app'/);
  });
});

/** Runs `body` with a custom resource response listener of its own, stopped afterwards. */
async function withResponses(body: (responses: ResponseListener) => Promise<void>): Promise<void> {
  const responses = await startResponseListener();
  try {
    await body(responses);
  } finally {
    await responses.stop();
  }
}

describe('custom resources over the request/response protocol', () => {
  /** A provider's handler; `importStyle` is how it takes https.request (the CDK's CommonJS framework uses the default's property). */
  const providerSource = (importStyle: 'default' | 'named'): string => `
${importStyle === 'default' ? "import https from 'node:https';" : "import { request } from 'node:https'; const https = { request };"}
export const handler = async (event) => {
  const body = JSON.stringify(event.ResourceProperties.Fail
    ? { Status: 'FAILED', Reason: 'the upstream said no', PhysicalResourceId: 'x', StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId }
    : { Status: 'SUCCESS', PhysicalResourceId: 'res-' + event.ResourceProperties.Size, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: { Seen: event.RequestType + ':' + (event.OldResourceProperties?.Size ?? '-') } });
  const url = new URL(event.ResponseURL);
  await new Promise((resolve, reject) => {
    const req = https.request({ hostname: url.hostname, path: url.pathname + url.search, method: 'PUT', headers: { 'content-length': Buffer.byteLength(body) } }, resolve);
    req.on('error', reject); req.end(body);
  });
};`;
  const context = { stackName: 's', stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/s/1', logicalId: 'Thing', resourceType: 'Custom::Thing', account: '000000000000', region: 'us-east-1' };

  /** The custom resource provider of a cloud whose functions are `fns`, invoked asynchronously as CloudFormation does, on a manual clock. */
  const asyncProvider = (fns: LocalFunctions, responses: ResponseListener, clock = new ManualClock()) => {
    const invoker = new AsyncInvoker({ clock, run: (name, event) => fns.invoke(name, event), functionArn: (name) => fns.get(name)?.arn, deadLetters: new DeadLetters() });
    return { provider: customResourceProvider({ async: invoker, clock, awaitResponse: responses.awaitResponse }), invoker, clock };
  };

  it.each(['default', 'named'] as const)('sends Create and Update requests and reads PhysicalResourceId and Data from the response PUT (https imported as %s)', async (importStyle) => {
    await withResponses(async (responses) => {
      const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir, httpsRedirects: { [RESPONSE_HOST]: responses.url } });
      await fns.deploy(config('provider', await code(`provider-${importStyle}`, providerSource(importStyle))));
      const { provider, invoker } = asyncProvider(fns, responses);
      const token = 'arn:aws:lambda:us-east-1:000000000000:function:provider';
      const created = await provider.create({ ServiceToken: token, Size: 1 }, context);
      expect(created).toEqual({ physicalId: 'res-1', attributes: { Seen: 'Create:-' } });
      const updated = await provider.update!({ ServiceToken: token, Size: 2 }, { physicalId: 'res-1', properties: { ServiceToken: token, Size: 1 }, attributes: {} }, context);
      expect(updated).toEqual({ physicalId: 'res-2', attributes: { Seen: 'Update:1' } });
      await expect(provider.create({ ServiceToken: token, Fail: true }, context)).rejects.toThrow('the upstream said no');
      // Each request went through Lambda's asynchronous queue (InvocationType Event), as CloudFormation invokes
      // (the resource is done once the answer came; the invocation, once the handler returned).
      await invoker.idle();
      expect(invoker.invocations('provider').map((i) => [(i.event as { RequestType: string }).RequestType, i.status])).toEqual([['Create', 'succeeded'], ['Update', 'succeeded'], ['Create', 'succeeded']]);
    });
  });

  it('a handler that fails is retried by Lambda a minute later, and its answer then creates the resource', async () => {
    await withResponses(async (responses) => {
      const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir, httpsRedirects: { [RESPONSE_HOST]: responses.url } });
      // The first attempt throws before answering (a throttled API call); the execution environment is reused for the retry.
      const flaky = providerSource('default').replace('export const handler = async (event) => {', "let attempts = 0;\nexport const handler = async (event) => {\n  attempts += 1; if (attempts === 1) throw new Error('Rate exceeded');");
      await fns.deploy(config('flaky', await code('flaky', flaky)));
      const { provider, clock, invoker } = asyncProvider(fns, responses);
      const created = provider.create({ ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:flaky', Size: 3 }, context);
      await fns.waitFor((i) => i.functionName === 'flaky' && i.outcome === 'error', 10_000, 'the first attempt failing');
      await flush();
      clock.advance(60_000);
      expect(await created).toEqual({ physicalId: 'res-3', attributes: { Seen: 'Create:-' } });
      await invoker.idle();
      expect(fns.invocations('flaky').map((i) => i.outcome)).toEqual(['error', 'success']);
    });
  });

  it('a handler that answers nothing fails the resource once its ServiceTimeout passed (an hour by default), with CloudFormation\'s message', async () => {
    await withResponses(async (responses) => {
      const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir });
      await fns.deploy(config('mute', await code('mute', 'export const handler = async () => undefined;')));
      const { provider, clock } = asyncProvider(fns, responses);
      for (const [props, seconds] of [[{}, 3600], [{ ServiceTimeout: '300' }, 300]] as const) {
        let settled = false;
        const created = provider.create({ ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:mute', ...props }, context);
        created.then(() => undefined, () => undefined).finally(() => { settled = true; });
        const before = fns.invocations('mute').length;
        await fns.waitFor((i) => i.functionName === 'mute' && fns.invocations('mute').length > before, 10_000, 'the handler having run');
        await flush();
        clock.advance(seconds * 1000 - 1);
        await flush();
        expect(settled).toBe(false);
        clock.advance(1);
        await expect(created).rejects.toThrow(/^CloudFormation did not receive a response from your Custom Resource\. Please check your logs for requestId \[[0-9a-f-]{36}\]\.$/);
      }
    });
  });

  it('a ServiceTimeout that passes on the emulated clock while the handler runs (a fast clock) waits for that attempt to end', async () => {
    await withResponses(async (responses) => {
      const fns = new LocalFunctions({ platformEnv: {}, codeRoot: dir, httpsRedirects: { [RESPONSE_HOST]: responses.url } });
      await fns.deploy(config('provider', await code('provider', providerSource('default'))));
      await fns.deploy(config('mute', await code('mute', 'export const handler = async () => undefined;')));
      const { provider, clock } = asyncProvider(fns, responses);
      // The whole second passes before the handler's process has even started: its answer still counts.
      const created = provider.create({ ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:provider', ServiceTimeout: '1', Size: 4 }, context);
      clock.advance(1000);
      expect(await created).toEqual({ physicalId: 'res-4', attributes: { Seen: 'Create:-' } });
      // One that ends its attempt without answering fails the resource as soon as that attempt ended.
      const mute = provider.create({ ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:mute', ServiceTimeout: '1' }, context);
      clock.advance(1000);
      await expect(mute).rejects.toThrow(/^CloudFormation did not receive a response from your Custom Resource/);
      expect(fns.invocations('mute').map((i) => i.outcome)).toEqual(['success']);
    });
  });

  it('refuses a ServiceToken that is not a function, a function that does not exist, and a ServiceTimeout outside 1 to 3600', async () => {
    await withResponses(async (responses) => {
      const { provider } = asyncProvider(new LocalFunctions({ platformEnv: {}, codeRoot: dir }), responses);
      await expect(provider.create({ ServiceToken: 'arn:aws:sns:us-east-1:000000000000:topic' }, context)).rejects.toThrow(/is not a Lambda function ARN/);
      await expect(provider.create({ ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:gone' }, context)).rejects.toThrow('Function not found: gone');
      await expect(provider.create({ ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:gone', ServiceTimeout: '3601' }, context)).rejects.toThrow('ServiceTimeout must be an integer from 1 to 3600 (seconds); received "3601"');
    });
    expect([serviceTimeoutSeconds(undefined), serviceTimeoutSeconds('1'), serviceTimeoutSeconds(600)]).toEqual([3600, 1, 600]);
    expect(() => serviceTimeoutSeconds('0')).toThrow(/received "0"/);
    expect(() => serviceTimeoutSeconds('1.5')).toThrow(/received "1.5"/);
  });
});

describe('unzipTo', () => {
  const zip = (entries: Record<string, string>): Promise<Buffer> => new Promise((resolve) => {
    const z = new yazl.ZipFile();
    for (const [name, body] of Object.entries(entries)) z.addBuffer(Buffer.from(body), name);
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
    z.end();
  });

  it('unpacks a deployment package', async () => {
    expect(await unzipTo(await zip({ 'index.mjs': 'x', 'lib/a.js': 'y' }), join(dir, 'out'))).toEqual(['index.mjs', join('lib', 'a.js')]);
  });

  it('refuses an entry that escapes the code directory', async () => {
    const bytes = await zip({ 'ok.js': 'x', 'evil.js': 'y' });
    // yazl refuses to write "../" names, so patch one into the archive's local and central headers.
    const evil = Buffer.from(bytes.toString('latin1').split('evil.js').join('../e.js'), 'latin1');
    // The zip reader refuses it first ("invalid relative path"); unzipTo's own check stands behind it.
    await expect(unzipTo(evil, join(dir, 'out'))).rejects.toThrow(/^unpacking the deployment package into .*: invalid relative path: \.\.\/e\.js$/);
  });
});
