import { ECR_HOST } from '../../shared/oci/registry/ecr-host';
import type { AwsClients } from '../aws-clients';
import type { CliIo } from '../output';
import { CliError, ExitCode } from '../output';

/** Where a promoted image lives: the source and target `HOST/REPOSITORY`, and the digest. */
export interface PromotedImage {
  readonly digest: string;
  readonly host: string;
  readonly sourceRepository: string;
  readonly targetRepository: string;
  /** `HOST/TARGET@DIGEST`: what the target environment deploys. */
  readonly imageUri: string;
}

/**
 * Where the exact image of `from` goes for `to`, purely. The stack names one
 * repository per environment, `wicked-<env>/portal-api`: an image of
 * `wicked-<from>/…` is promoted into `wicked-<to>/…` under the same digest.
 * Any other repository is shared by both environments and nothing is copied
 * (source and target are equal).
 *
 * @throws CliError (exit 1) when the image URI is not `HOST/REPOSITORY@sha256:…`.
 * @example
 * promotedImage('1.dkr.ecr.eu-west-1.amazonaws.com/wicked-dev/portal-api@sha256:ab…', 'dev', 'prod').imageUri
 * // '1.dkr.ecr.eu-west-1.amazonaws.com/wicked-prod/portal-api@sha256:ab…'
 */
export function promotedImage(imageUri: string, from: string, to: string): PromotedImage {
  const match = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(imageUri);
  if (!match) throw new CliError(`promoting ${imageUri}: expected HOST/REPOSITORY@sha256:<64 hex> as the ledger records it`, ExitCode.Failure);
  const [, host, sourceRepository, digest] = match as unknown as [string, string, string, string];
  const prefix = `wicked-${from}/`;
  const targetRepository = sourceRepository.startsWith(prefix) ? `wicked-${to}/${sourceRepository.slice(prefix.length)}` : sourceRepository;
  return { digest, host, sourceRepository, targetRepository, imageUri: `${host}/${targetRepository}@${digest}` };
}

/** Registry hosts served over plain HTTP: loopback only (the local emulator). */
function isLoopback(host: string): boolean {
  return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);
}

/**
 * The host to reach an image's registry at. The local emulator serves the
 * registry on its ECR endpoint, while a deployed stack's image names the
 * account's ECR host (`<account>.dkr.ecr.<region>.amazonaws.com`), which only
 * resolves on AWS: with a loopback ECR endpoint (`AWS_ENDPOINT_URL_ECR`, else
 * `AWS_ENDPOINT_URL`) an ECR host is that endpoint's host, as the local
 * Lambdas' HTTPS redirect does. Any other endpoint (a VPC endpoint), no
 * endpoint, or a registry that is not ECR leaves the host as it is.
 *
 * @example
 * registryHost('000000000000.dkr.ecr.us-east-1.amazonaws.com', { AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:4510' }) // '127.0.0.1:4510'
 * registryHost('000000000000.dkr.ecr.us-east-1.amazonaws.com', {}) // '000000000000.dkr.ecr.us-east-1.amazonaws.com'
 */
export function registryHost(imageHost: string, env: NodeJS.ProcessEnv): string {
  const endpoint = env.AWS_ENDPOINT_URL_ECR ?? env.AWS_ENDPOINT_URL;
  if (!endpoint || !ECR_HOST.test(imageHost)) return imageHost;
  const { host } = new URL(endpoint);
  return isLoopback(host) ? host : imageHost;
}

/**
 * Copies the promoted digest into the target environment's repository
 * (mount or blob copy, manifest last) unless both are the same repository;
 * credentials from `ecr:GetAuthorizationToken`.
 */
export async function copyPromotedImage(image: PromotedImage, clients: AwsClients, io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (image.sourceRepository === image.targetRepository) return;
  const [{ openEndpoint }, { copyImage }, { sdkEcrToken }] = await Promise.all([import('../../shared/pipeline/image-endpoints'), import('../../shared/pipeline/copy-image'), import('../../shared/oci/registry/ecr-sdk-token')]);
  const ecrEndpoint = env.AWS_ENDPOINT_URL_ECR ?? env.AWS_ENDPOINT_URL;
  const host = registryHost(image.host, env);
  const options = { insecure: isLoopback(host), ecrToken: sdkEcrToken(await clients.ecr()), ...(ecrEndpoint ? { ecrHosts: [new URL(ecrEndpoint).host] } : {}) };
  const source = await openEndpoint(`${host}/${image.sourceRepository}@${image.digest}`, options);
  const target = await openEndpoint(`${host}/${image.targetRepository}@${image.digest}`, options);
  const copied = await copyImage(source.repository, target.repository, image.digest, { mountFrom: image.sourceRepository });
  const actions = Object.values(copied.blobs);
  io.stderr.write(copied.present
    ? `[copied] ${image.targetRepository} already holds ${image.digest}\n`
    : `[copied] ${image.digest} into ${image.targetRepository}: ${actions.filter((a) => a === 'mounted').length} blob(s) mounted, ${actions.filter((a) => a === 'uploaded').length} uploaded, ${actions.filter((a) => a === 'present').length} present\n`);
}
