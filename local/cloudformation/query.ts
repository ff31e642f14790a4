import { escapeXml } from '../s3/xml';

/**
 * Reads an awsQuery list (`Name.member.1`, `Name.member.2`, ...) of plain values.
 *
 * @example
 * memberList(new URLSearchParams('Capabilities.member.1=CAPABILITY_IAM'), 'Capabilities') // ['CAPABILITY_IAM']
 */
export function memberList(params: URLSearchParams, name: string): string[] {
  const values: string[] = [];
  for (let n = 1; params.has(`${name}.member.${n}`); n += 1) values.push(params.get(`${name}.member.${n}`) ?? '');
  return values;
}

/**
 * Reads an awsQuery list of structures (`Name.member.N.Field`) as records of
 * their fields; a member exists while any field with its index does.
 *
 * @example
 * structList(params, 'Parameters') // [{ ParameterKey: 'BootstrapVersion', UsePreviousValue: 'true' }]
 */
export function structList(params: URLSearchParams, name: string): Record<string, string>[] {
  const members = new Map<number, Record<string, string>>();
  const prefix = `${name}.member.`;
  for (const [key, value] of params) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    if (dot < 0) continue;
    const index = Number(rest.slice(0, dot));
    const member = members.get(index) ?? {};
    member[rest.slice(dot + 1)] = value;
    members.set(index, member);
  }
  return [...members.entries()].sort(([a], [b]) => a - b).map(([, member]) => member);
}

/**
 * Serializes an answer the way awsQuery services write them: objects as
 * elements, arrays as `<member>` items, dates as ISO-8601, `undefined` left out.
 *
 * @example
 * toXml({ Id: 'a', Capabilities: ['CAPABILITY_IAM'] }) // '<Id>a</Id><Capabilities><member>CAPABILITY_IAM</member></Capabilities>'
 */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

/** The awsQuery success envelope `<ActionResponse><ActionResult>...`. */
export function queryResponse(namespace: string, action: string, resultXml: string, requestId: string): string {
  return `<${action}Response xmlns="${namespace}"><${action}Result>${resultXml}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

/** The awsQuery error envelope the SDK reads the code and message from. */
export function queryError(namespace: string, code: string, message: string, status: number, requestId: string): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
