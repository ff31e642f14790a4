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

/**
 * Receives custom resource responses: each request id's PUT body, kept until
 * read. A body that is not a response object is answered 400 and kept as a
 * FAILED response naming the problem, so the stack fails rather than waits.
 */
export async function startResponseListener(port = 0): Promise<LocalListener & { take(requestId: string): CustomResourceResponse | undefined }> {
  const received = new Map<string, CustomResourceResponse>();
  const server = createServer((req, res) => {
    void (async () => {
      const requestId = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.split('/').pop() ?? '');
      const body = (await readBody(req)).toString('utf8');
      let parsed: CustomResourceResponse;
      try {
        parsed = JSON.parse(body) as CustomResourceResponse;
        if (parsed.Status !== 'SUCCESS' && parsed.Status !== 'FAILED') throw new Error(`Status must be SUCCESS or FAILED; received ${JSON.stringify(parsed.Status)}`);
      } catch (error) {
        received.set(requestId, { Status: 'FAILED', Reason: `Invalid custom resource response: ${(error as Error).message}` });
        res.writeHead(400).end();
        return;
      }
      if (req.method !== 'PUT') { res.writeHead(405).end(); return; }
      received.set(requestId, parsed);
      res.writeHead(200, { 'content-length': '0' }).end();
    })();
  });
  const listener = await listenLocal(server, port);
  return { ...listener, take: (requestId) => { const r = received.get(requestId); received.delete(requestId); return r; } };
}
