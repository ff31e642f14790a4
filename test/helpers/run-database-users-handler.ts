/**
 * Runs the deployed database-users handler (functions/database-users/handler.ts) once, in a
 * process of its own, so that the environment it reads at start-up is the one Lambda gives it:
 * `NODE_EXTRA_CA_CERTS` in particular, which Node.js reads only when a process starts.
 * Secrets Manager answers from the JSON in argv[2] ({ event, secrets: { [arn]: value } }) through
 * aws-sdk-client-mock; the outcome is printed as one line `RESULT <json>`: { result } or
 * { error: { name, code, message, retryable } }.
 *
 *   NODE_EXTRA_CA_CERTS=ca.pem node --import tsx test/helpers/run-database-users-handler.ts '{"event":…,"secrets":…}'
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/database-users/handler';

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as { event: unknown; secrets: Record<string, unknown> };
  mockClient(SecretsManagerClient).on(GetSecretValueCommand).callsFake((request: { SecretId: string }) => {
    const value = input.secrets[request.SecretId];
    if (value === undefined) throw Object.assign(new Error(`Secrets Manager can't find the specified secret ${request.SecretId}`), { name: 'ResourceNotFoundException' });
    return { SecretString: JSON.stringify(value) };
  });
  try {
    console.log(`RESULT ${JSON.stringify({ result: await handler(input.event) })}`);
  } catch (error) {
    const { name, code, message, retryable } = error as { name: string; code?: string; message: string; retryable?: boolean };
    console.log(`RESULT ${JSON.stringify({ error: { name, code, message, retryable } })}`);
  }
}

void main();
