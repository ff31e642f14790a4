import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { readBody } from '../kernel/aws-json';
import { escapeXml } from '../s3/xml';
import { SnsEmulatorError } from './errors';
import type { PublishRequest, SnsTopics } from './topics';
import { listenLocal } from '../kernel/listen';

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** One query-protocol action: decoded parameters in, the `<Action>Result` body out. */
type QueryAction = (params: URLSearchParams) => string;

/**
 * Serves the SNS actions the control plane uses over the awsQuery protocol
 * that `@aws-sdk/client-sns` speaks (form-encoded POST `Action=...&Version=2010-03-31`,
 * XML answers, `<ErrorResponse>` errors): CreateTopic, ListTopics, Publish, DeleteTopic.
 *
 * @example
 * const { url } = await startSnsServer(topics);
 * new SNSClient({ endpoint: url });
 */
export async function startSnsServer(topics: SnsTopics, port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  const actions: Record<string, QueryAction> = {
    CreateTopic: (params) => `<TopicArn>${escapeXml(topics.createTopic(params.get('Name') ?? ''))}</TopicArn>`,
    ListTopics: (params) => listTopicsPage(topics.listTopics(), params.get('NextToken')),
    Publish: (params) => `<MessageId>${topics.publish(publishRequest(params))}</MessageId>`,
    DeleteTopic: (params) => { topics.deleteTopic(params.get('TopicArn') ?? ''); return ''; },
  };
  const server = createServer((req, res) => { void serveQuery(req, res, actions); });
  return listenLocal(server, port);
}

/** Topics per ListTopics answer: "Each call returns a limited list of topics, up to 100" (ListTopics, Amazon SNS API Reference). */
export const LIST_TOPICS_PAGE = 100;

/**
 * One page of ListTopics, with a `NextToken` while more topics follow: "If there are more topics, a NextToken is also
 * returned. Use the NextToken parameter in a new ListTopics call to get further results"
 * (https://docs.aws.amazon.com/sns/latest/api/API_ListTopics.html).
 */
function listTopicsPage(arns: readonly string[], token: string | null): string {
  const start = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > arns.length) throw new SnsEmulatorError('InvalidParameter', `Invalid parameter: NextToken: received ${JSON.stringify(token)}, expected a token a ListTopics answer gave`);
  const end = start + LIST_TOPICS_PAGE;
  const members = arns.slice(start, end).map((arn) => `<member><TopicArn>${escapeXml(arn)}</TopicArn></member>`).join('');
  return `<Topics>${members}</Topics>${end < arns.length ? `<NextToken>${Buffer.from(String(end)).toString('base64url')}</NextToken>` : ''}`;
}

/** Decodes Publish's parameters, message attributes included (`MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue`). */
export function publishRequest(params: URLSearchParams): PublishRequest {
  const attributes: PublishRequest['attributes'][number][] = [];
  for (let n = 1; params.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const prefix = `MessageAttributes.entry.${n}`;
    const value = params.get(`${prefix}.Value.StringValue`) ?? params.get(`${prefix}.Value.BinaryValue`) ?? undefined;
    attributes.push({ name: params.get(`${prefix}.Name`) ?? '', dataType: params.get(`${prefix}.Value.DataType`) ?? '', ...(value !== undefined ? { value } : {}) });
  }
  const topicArn = params.get('TopicArn') ?? params.get('TargetArn') ?? undefined;
  const subject = params.get('Subject') ?? undefined;
  return {
    ...(topicArn !== undefined ? { topicArn } : {}),
    ...(params.has('Message') ? { message: params.get('Message') ?? '' } : {}),
    ...(subject !== undefined ? { subject } : {}),
    attributes,
  };
}

async function serveQuery(req: IncomingMessage, res: ServerResponse, actions: Record<string, QueryAction>): Promise<void> {
  const requestId = randomUUID();
  try {
    const params = new URLSearchParams((await readBody(req)).toString('utf8'));
    const name = params.get('Action') ?? '';
    const action = actions[name];
    if (req.method !== 'POST' || !action) throw new SnsEmulatorError('InvalidAction', `action ${JSON.stringify(name)} (${req.method ?? '?'}) is not emulated; expected a POST of ${Object.keys(actions).join(', ')}`);
    const body = `<${name}Response xmlns="${NS}"><${name}Result>${action(params)}</${name}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${name}Response>`;
    write(res, 200, body, requestId);
  } catch (error) {
    const failure = error instanceof SnsEmulatorError ? error : new SnsEmulatorError('InternalError', (error as Error).message, 500);
    const type = failure.status >= 500 ? 'Receiver' : 'Sender';
    write(res, failure.status, `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${escapeXml(failure.code)}</Code><Message>${escapeXml(failure.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`, requestId);
  }
}

function write(res: ServerResponse, status: number, xml: string, requestId: string): void {
  const bytes = Buffer.from(`<?xml version="1.0"?>\n${xml}`);
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': bytes.length, 'x-amzn-requestid': requestId });
  res.end(bytes);
}
