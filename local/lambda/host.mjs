// The Lambda runtime stand-in, run as a child process (an execution environment): loads the
// handler from the unpacked asset (LAMBDA_TASK_ROOT), calls it with the event the
// parent sends over IPC, and sends back the result or the error. Plain
// JavaScript so it runs without a TypeScript loader.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// node:http and node:https through require, not import: the ES module face of a built-in module is made
// when it is first imported and takes the values its exports have then, so the handler's
// `import { request } from 'node:https'` gets the patched request below. (syncBuiltinESMExports would do
// the same for every loaded built-in at once, and its walk over node:http's lazy exports loads undici:
// about 30 ms of CPU per cold start that Lambda's own runtime does not spend.)
const require = createRequire(import.meta.url);
const http = require('node:http');
const https = require('node:https');

// Custom resource handlers answer CloudFormation with https.request to the
// response URL's host; the emulator's response endpoint is plain HTTP on
// 127.0.0.1, so requests to the hosts listed here go there instead.
const redirects = JSON.parse(process.env.LOCAL_LAMBDA_HTTPS_REDIRECTS || '{}');
delete process.env.LOCAL_LAMBDA_HTTPS_REDIRECTS;
const originalRequest = https.request;
https.request = function request(first, ...rest) {
  // https.request(url[, options][, callback]) or https.request(options[, callback]).
  const url = typeof first === 'string' ? new URL(first) : first instanceof URL ? first : undefined;
  const host = url ? url.hostname : typeof first === 'object' && first !== null ? first.hostname || first.host : undefined;
  const target = host && redirects[host];
  if (!target) return originalRequest.call(https, first, ...rest);
  const to = new URL(target);
  const options = url ? (typeof rest[0] === 'object' && rest[0] !== null ? rest.shift() : {}) : first;
  const path = url ? url.pathname + url.search : options.path;
  return http.request({ ...options, protocol: 'http:', hostname: to.hostname, host: to.hostname, port: to.port, path, agent: undefined }, ...rest);
};

function handlerFile(root, module) {
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = join(root, module + ext);
    if (existsSync(file)) return file;
  }
  throw new Error(`Runtime.ImportModuleError: Cannot find module '${module}' in ${root} (tried .js, .mjs, .cjs)`);
}

// The runtime went away (the emulator stopped): so does this environment.
process.on('disconnect', () => process.exit(0));
// One invocation at a time per process; the parent reuses it for the next one (a warm start: the module stays loaded).
process.on('message', async ({ event, handler, deadline, requestId, functionArn }) => {
  try {
    const dot = handler.lastIndexOf('.');
    if (dot <= 0) throw new Error(`Runtime.MalformedHandlerName: '${handler}' is not module.function`);
    const mod = await import(pathToFileURL(handlerFile(process.env.LAMBDA_TASK_ROOT, handler.slice(0, dot))).href);
    const name = handler.slice(dot + 1);
    const fn = mod[name] ?? (mod.default && mod.default[name]);
    if (typeof fn !== 'function') throw new Error(`Runtime.HandlerNotFound: ${handler} is undefined or not exported`);
    const context = {
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST', invokedFunctionArn: functionArn,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, awsRequestId: requestId,
      logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`, logStreamName: requestId,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), callbackWaitsForEmptyEventLoop: true,
    };
    const result = await fn(event, context);
    answer(requestId, { ok: true, result: result === undefined ? null : result });
  } catch (error) {
    answer(requestId, { ok: false, errorType: (error && error.name) || 'Error', errorMessage: (error && error.message) || String(error) });
  }
});

// The invocation's last output line on stdout and on stderr, then the answer: the parent reads the pipes
// and the IPC channel separately, so it takes the answer only once both markers arrived (every log line
// of the invocation is then in), and strips them from the logs.
function answer(requestId, message) {
  const marker = `\u0000END ${requestId}\n`;
  let pending = 2;
  const sent = () => { pending -= 1; if (pending === 0) process.send(message); };
  process.stdout.write(marker, sent);
  process.stderr.write(marker, sent);
}
