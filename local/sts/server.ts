import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { CfnApiError } from '../cloudformation/errors';
import { queryError, queryResponse, toXml } from '../cloudformation/query';
import { readBody } from '../kernel/aws-json';
import type { LocalListener } from '../kernel/listen';
import { listenLocal } from '../kernel/listen';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
// AssumeRole's DurationSeconds: 900 s to 43200 s, 3600 s by default (AssumeRole API reference).
const MIN_DURATION = 900;
const MAX_DURATION = 43_200;
const DEFAULT_DURATION = 3600;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** Options of {@link startSts}. */
export interface StsOptions {
  /** The account every caller belongs to. */
  readonly account: string;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Wall clock for credential expiry. @default Date.now */
  readonly now?: () => number;
}

/** A role session STS handed out (what tests check). */
export interface AssumedRole {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly accessKeyId: string;
}

/**
 * Starts an STS subset over awsQuery (what the CDK CLI calls before a
 * bootstrap or deploy): GetCallerIdentity answers the emulator's account and
 * the caller's access key; AssumeRole checks the role ARN, session name and
 * duration as STS does and hands out session credentials. Roles are not
 * checked for existence or trust: the emulator does not enforce IAM.
 *
 * @example
 * const sts = await startSts({ account: '000000000000' }); // AWS_ENDPOINT_URL_STS=sts.url
 */
export async function startSts(options: StsOptions): Promise<LocalListener & { assumed(): readonly AssumedRole[] }> {
  const assumed: AssumedRole[] = [];
  const now = options.now ?? Date.now;
  const actions: Record<string, (params: URLSearchParams, accessKey: string) => unknown> = {
    GetCallerIdentity: (_params, accessKey) => {
      const session = assumed.find((a) => a.accessKeyId === accessKey);
      if (session) {
        const [, account, role] = ROLE_ARN.exec(session.roleArn)!;
        return { UserId: `AROA${accessKey.slice(4)}:${session.sessionName}`, Account: account, Arn: `arn:aws:sts::${account}:assumed-role/${role}/${session.sessionName}` };
      }
      // The caller is the account's root user, whose UserId is the account id (GetCallerIdentity's UserId is aws:userid,
      // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html and the principal table of
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html), not an IAM user's AIDA id.
      return { UserId: options.account, Account: options.account, Arn: `arn:aws:iam::${options.account}:root` };
    },
    // Malformed input is the common ValidationError, HTTP 400: AssumeRole's model lists none of its own for it
    // (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, Errors;
    // https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
    AssumeRole: (params) => {
      const roleArn = params.get('RoleArn') ?? '';
      const sessionName = params.get('RoleSessionName') ?? '';
      const match = ROLE_ARN.exec(roleArn);
      if (!match) throw new CfnApiError('ValidationError', `RoleArn ${JSON.stringify(roleArn)} is not a role ARN; expected arn:aws:iam::<12-digit account>:role/<name>`);
      if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw new CfnApiError('ValidationError', `RoleSessionName ${JSON.stringify(sessionName)} must be 2 to 64 characters of [\\w+=,.@-]`);
      const duration = params.has('DurationSeconds') ? Number(params.get('DurationSeconds')) : DEFAULT_DURATION;
      if (!Number.isInteger(duration) || duration < MIN_DURATION || duration > MAX_DURATION) throw new CfnApiError('ValidationError', `DurationSeconds ${params.get('DurationSeconds') ?? ''} must be between ${MIN_DURATION} and ${MAX_DURATION}`);
      const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
      assumed.push({ roleArn, sessionName, accessKeyId });
      return {
        Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: randomBytes(20).toString('base64'), SessionToken: randomBytes(48).toString('base64'), Expiration: new Date(now() + duration * 1000) },
        AssumedRoleUser: { AssumedRoleId: `AROA${accessKeyId.slice(4)}:${sessionName}`, Arn: `arn:aws:sts::${match[1]}:assumed-role/${match[2]}/${sessionName}` },
        PackedPolicySize: 0,
      };
    },
  };
  const server = createServer((req, res) => { void serve(req, res, actions); });
  const listener = await listenLocal(server, options.port ?? 0);
  return { ...listener, assumed: () => [...assumed] };
}

async function serve(req: IncomingMessage, res: ServerResponse, actions: Record<string, (params: URLSearchParams, accessKey: string) => unknown>): Promise<void> {
  const requestId = randomUUID();
  try {
    const params = new URLSearchParams((await readBody(req)).toString('utf8'));
    const name = params.get('Action') ?? '';
    const action = actions[name];
    if (req.method !== 'POST' || !action) throw new CfnApiError('InvalidAction', `action ${JSON.stringify(name)} is not emulated; expected GetCallerIdentity or AssumeRole`);
    const accessKey = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    write(res, 200, queryResponse(NS, name, toXml(action(params, accessKey)), requestId));
  } catch (error) {
    const failure = error instanceof CfnApiError ? error : new CfnApiError('InternalFailure', (error as Error).message, 500);
    write(res, failure.status, queryError(NS, failure.code, failure.message, failure.status, requestId));
  }
}

function write(res: ServerResponse, status: number, xml: string): void {
  const bytes = Buffer.from(`<?xml version="1.0"?>\n${xml}`);
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': bytes.length });
  res.end(bytes);
}
