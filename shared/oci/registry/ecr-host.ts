/**
 * ECR registry hosts: `<account>.dkr.ecr.<region>.amazonaws.com`, the FIPS
 * endpoints (`dkr.ecr-fips`) and the China partition (`.amazonaws.com.cn`)
 * ("Private registry concepts" and "Amazon ECR endpoints and quotas", Amazon ECR docs).
 */
export const ECR_HOST = /^(?<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The account and region an ECR registry host names. */
export interface EcrRegistry {
  readonly account: string;
  readonly region: string;
}

/**
 * The account and region of an ECR registry host, or undefined for any other host.
 *
 * @example
 * parseEcrHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com') // { account: '123456789012', region: 'eu-west-1' }
 * parseEcrHost('127.0.0.1:4510') // undefined
 */
export function parseEcrHost(host: string): EcrRegistry | undefined {
  const groups = ECR_HOST.exec(host)?.groups;
  return groups ? { account: groups.account!, region: groups.region! } : undefined;
}
