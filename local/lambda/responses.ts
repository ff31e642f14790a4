import { createServer } from 'node:http';
import { readBody } from '../kernel/aws-json';
import type { LocalListener } from '../kernel/listen';
import { listenLocal } from '../kernel/listen';

/** What a custom resource handler PUTs to its ResponseURL ("Custom resource response objects", CloudFormation User Guide). */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId?: string;
  readonly StackId?: string;
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
}

/**
 * The host CloudFormation's response URLs name (a presigned S3 URL in us-east-1);
 * the function runtime sends requests for it to the local listener.
 */
export const RESPONSE_HOST = 'cloudformation-custom-resource-response-useast1.s3.amazonaws.com';

/** The response to one request, once it came (`response`), and a way to stop waiting for it. */
export interface AwaitedResponse {
  readonly response: Promise<CustomResourceResponse>;
  /** Forgets the request: a response that comes later is answered 200 and dropped, as a timed-out stack operation's is. */
  cancel(): void;
}

/** The response listener of a local cloud. */
export interface ResponseListener extends LocalListener {
  /** The response to a request id, as soon as its handler PUT it (at once if it already did). */
  awaitResponse(requestId: string): AwaitedResponse;
}

/**
 * Receives custom resource responses: each request id's PUT body, handed to
 * whoever awaits it (kept until then). A body that is not a response object
 * is answered 400 and kept as a FAILED response naming the problem, so the
 * stack fails rather than waits.
 */
export async function startResponseListener(port = 0): Promise<ResponseListener> {
  const received = new Map<string, CustomResourceResponse>();
  const waiting = new Map<string, (response: CustomResourceResponse) => void>();
  const forgotten = new Set<string>();
  const deliver = (requestId: string, response: CustomResourceResponse): void => {
    if (forgotten.delete(requestId)) return;
    const waiter = waiting.get(requestId);
    if (!waiter) { received.set(requestId, response); return; }
    waiting.delete(requestId);
    waiter(response);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const requestId = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.split('/').pop() ?? '');
      const body = (await readBody(req)).toString('utf8');
      let parsed: CustomResourceResponse;
      try {
        parsed = JSON.parse(body) as CustomResourceResponse;
        if (parsed.Status !== 'SUCCESS' && parsed.Status !== 'FAILED') throw new Error(`Status must be SUCCESS or FAILED; received ${JSON.stringify(parsed.Status)}`);
      } catch (error) {
        deliver(requestId, { Status: 'FAILED', Reason: `Invalid custom resource response: ${(error as Error).message}` });
        res.writeHead(400).end();
        return;
      }
      if (req.method !== 'PUT') { res.writeHead(405).end(); return; }
      deliver(requestId, parsed);
      res.writeHead(200, { 'content-length': '0' }).end();
    })();
  });
  const listener = await listenLocal(server, port);
  return {
    ...listener,
    awaitResponse: (requestId) => {
      const response = new Promise<CustomResourceResponse>((resolve) => {
        const early = received.get(requestId);
        received.delete(requestId);
        if (early) resolve(early);
        else waiting.set(requestId, resolve);
      });
      return { response, cancel: () => { if (waiting.delete(requestId)) forgotten.add(requestId); received.delete(requestId); } };
    },
  };
}
