import { startCloud } from './cloud';

/**
 * Starts an empty local cloud (the emulated services, CloudFormation, STS)
 * and prints the `export` lines that point the AWS CLI, the SDK and the CDK
 * CLI at it; runs until interrupted. `wickedctl local up` bootstraps it and
 * deploys the app itself; this leaves it empty, for running `cdk bootstrap` /
 * `cdk deploy` (or `cdk destroy`) by hand.
 *
 * @example
 * npx tsx local/cloud-main.ts --state-dir .local/cloud
 */
async function main(argv: readonly string[]): Promise<void> {
  const valid = argv.length === 0 || (argv.length === 2 && argv[0] === '--state-dir' && !argv[1]!.startsWith('--'));
  if (!valid) throw new Error(`usage: cloud-main [--state-dir DIR]; received ${JSON.stringify(argv)}`);
  const stateDir = argv[1] ?? '.local/cloud';
  const cloud = await startCloud({ stateDir });
  for (const [key, value] of Object.entries(cloud.env)) process.stdout.write(`export ${key}=${value}\n`);
  process.stdout.write('# then: npx cdk bootstrap aws://000000000000/us-east-1 && npx cdk deploy wicked-dev --require-approval never\n');
  const stop = (): void => { void cloud.stop().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
