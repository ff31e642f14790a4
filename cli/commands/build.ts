import type { Command } from 'commander';
import type { BuildProgress } from '../../shared/oci';
import type { Credentials } from '../../shared/oci/registry/credentials';
import { ImageReferenceError, InsecureRegistryError, RegistryOptionsError } from '../../shared/oci/registry/errors';
import { buildConfigImage } from '../../shared/pipeline/build-config';
import { sdkEcrToken } from '../../shared/oci/registry/ecr-sdk-token';
import { openBuildEndpoints } from '../../shared/pipeline/image-endpoints';
import type { CliIo } from '../output';
import type { Progress } from '../progress';
import { startProgress } from '../progress';
import { CliError, ExitCode, printJson, printLines } from '../output';
import { countLine, formatIssue, warningLines } from '../report';
import type { ValidationFlags } from '../validation-options';
import { addValidationFlags, validationOptions } from '../validation-options';

interface BuildOptions extends ValidationFlags {
  readonly config: string;
  readonly base: string;
  readonly to: string;
  readonly insecureRegistry?: boolean;
  readonly platform: string;
  readonly allPlatforms?: boolean;
  readonly env?: string[];
  readonly username?: string;
  readonly passwordStdin?: boolean;
  readonly revision?: string;
  readonly json?: boolean;
}

/** Registers `wickedctl build`. */
export function registerBuild(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const command = program
    .command('build')
    .description('Validate a configuration and build the private portal-api image (base + one layer at /var/portal-api/static) without a Docker daemon, then push it')
    .requiredOption('--config <path>', 'configuration directory or archive (.tar, .tar.gz/.tgz, .zip)')
    .requiredOption('--base <ref>', 'wicked base image, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/haufelexware/wicked.api:1.0.0')
    .requiredOption('--to <target>', 'HOST[:PORT]/REPO or oci:DIR')
    .option('--insecure-registry', 'plain HTTP (loopback registries only)')
    .option('--platform <os/arch>', 'platform to take from a multi-platform base', 'linux/amd64')
    .option('--all-platforms', 'build every platform of a multi-platform base and push a new index')
    .option('--env <name...>', 'environments whose variables must resolve (default: every env/<name>.json)')
    .option('--username <name>', 'registry user for a registry other than ECR (or WICKEDCTL_REGISTRY_USERNAME)')
    .option('--password-stdin', 'read the registry password from standard input (or WICKEDCTL_REGISTRY_PASSWORD)')
    .option('--revision <sha>', 'git revision the configuration came from (label org.opencontainers.image.revision)')
    .option('--json', 'print the result as one JSON object on the last line of stdout');
  addValidationFlags(command)
    .addHelpText('after', '\nExit status: 0 built (or already present; warnings are printed), 2 invalid input or portal-api would refuse the configuration (nothing uploaded), 1 other failure.')
    .action(async (options: BuildOptions) => {
      setExit(await runBuild(options, io));
    });
}

/** Runs a build; resolves the exit code. */
export async function runBuild(options: BuildOptions, io: CliIo): Promise<number> {
  const credentials = await readCredentials(options, io);
  const endpoints = await openBuildEndpoints(options.base, options.to, { insecure: options.insecureRegistry ?? false, ecrToken: sdkEcrToken(), ...(credentials ? { credentials } : {}) })
    .catch((error: unknown) => { throw asInputError(error); });
  const progress = startProgress(io, `build of ${options.config}`);
  progress.update('reading, validating and hashing the configuration');
  const outcome = await buildConfigImage({
    source: { path: options.config },
    ...(options.env ? { envs: options.env } : {}),
    validation: await validationOptions(options),
    onWarning: (warning) => warningLines([warning]).forEach((line) => progress.line(line)),
    image: {
      base: endpoints.base,
      target: endpoints.target,
      ...(options.allPlatforms ? { allPlatforms: true } : { platform: options.platform }),
      ...(options.revision ? { source: { kind: 'git' as const, revision: options.revision } } : {}),
      onProgress: progressPrinter(progress),
    },
  }).finally(() => progress.done());
  if (outcome.kind === 'rejected') {
    io.stderr.write(`${outcome.report.issues.map(formatIssue).join('\n')}\n`);
    if (options.json) printJson(io, { error: outcome.reason, issues: outcome.report.issues });
    throw new CliError(`${options.config}: ${outcome.reason === 'invalid-archive' ? 'archive refused' : `portal-api would refuse it (${countLine(outcome.report)}): ${outcome.report.errorCount ?? outcome.report.issues.length} configuration problem(s)`}; nothing was uploaded`, ExitCode.InvalidInput);
  }
  const { result, report } = outcome;
  if (report.issues.length > 0) io.stderr.write(`${report.issues.map(formatIssue).join('\n')}\n[validated] portal-api would start; ${countLine(report)}\n`);
  const summary = {
    image: result.imageRef,
    digest: result.digest,
    tag: result.tag,
    configHash: report.configHash,
    uploadedBlobs: result.uploadedBlobs,
    uploadedBytes: result.uploadedBytes,
    skipped: result.skipped,
    warnings: report.issues,
  };
  if (options.json) printJson(io, summary);
  else printLines(io, [`${result.skipped ? 'already present' : 'pushed'}: ${result.imageRef} (tag ${result.tag})`, `configuration hash: ${report.configHash}`]);
  return ExitCode.Ok;
}

async function readCredentials(options: BuildOptions, io: CliIo): Promise<Credentials | undefined> {
  const username = options.username ?? process.env.WICKEDCTL_REGISTRY_USERNAME;
  let password = process.env.WICKEDCTL_REGISTRY_PASSWORD;
  if (options.passwordStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
    password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  if (username === undefined && password === undefined) return undefined;
  if (!username || !password) throw new CliError('registry credentials need both a user (--username) and a password (--password-stdin)', ExitCode.InvalidInput);
  return { username, password };
}

function asInputError(error: unknown): unknown {
  if (error instanceof ImageReferenceError || error instanceof InsecureRegistryError || error instanceof RegistryOptionsError) {
    return new CliError(error.message, ExitCode.InvalidInput, { cause: error });
  }
  return error;
}

/** Build events as progress: layers and uploads on the live line (one plain line each when piped, as before); an existing tag is worth keeping. */
function progressPrinter(progress: Progress): (event: BuildProgress) => void {
  return (event) => {
    if (event.phase === 'layer') progress.note(`layer ${event.digest}: ${event.uncompressedSize} bytes hashed, ${event.size} compressed`);
    if (event.phase === 'blob' && event.action === 'uploaded') progress.note(`uploaded ${event.digest} (${event.size} bytes)`);
    if (event.phase === 'manifest') progress.update(`pushing manifest ${event.digest}`);
    if (event.phase === 'tag' && event.existing !== 'absent') progress.line(`tag ${event.tag} already holds this image: nothing to upload`);
  };
}
