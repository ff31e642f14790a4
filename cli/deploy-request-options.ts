import type { Command } from 'commander';

/**
 * The options every command that requests a deployment shares (rollback,
 * promote): where the ledger and bus are, following the outcome, output and endpoint.
 */
export function addDeployRequestOptions(command: Command): Command {
  return command
    .option('--table <name>', 'ledger table (default: /wicked/<env>/ledger-table; or WICKED_LEDGER_TABLE)')
    .option('--bus <name>', 'event bus (default: /wicked/<env>/event-bus; or WICKED_EVENT_BUS)')
    .option('--follow', 'follow the deployment through the ledger until its outcome')
    .option('--timeout <seconds>', 'how long --follow waits for an outcome', '900')
    .option('--json', 'print the outcome as one JSON object on the last line of stdout')
    .option('--endpoint <url>', 'one endpoint for every AWS service (default: AWS_ENDPOINT_URL_* or AWS)')
    .option('--region <region>', 'AWS region');
}
