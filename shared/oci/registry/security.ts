import { InsecureRegistryError, RegistryOptionsError } from './errors';

const HOST_PATTERN = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * True for loopback hosts, with or without a port: `localhost`,
 * 127.0.0.0/8 (in any form the URL parser normalises, e.g. `127.1`) and
 * `[::1]`.
 */
export function isLoopbackHost(host: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  const octets = hostname.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255);
}

/**
 * Checks that `host` is a bare `HOST[:PORT]` (no scheme, path, user info,
 * query or fragment) and returns the origin to talk to: `https://HOST`, or
 * `http://HOST` when `insecure` is set and the host is loopback.
 *
 * @throws {RegistryOptionsError} when the host is malformed.
 * @throws {InsecureRegistryError} when plain HTTP is asked for a non-loopback host.
 */
export function registryOrigin(host: string, insecure: boolean): string {
  if (!HOST_PATTERN.test(host)) {
    throw new RegistryOptionsError(`host must be HOST[:PORT] without a scheme, path or credentials, received ${JSON.stringify(host)}`);
  }
  let url: URL;
  try {
    url = new URL(`https://${host}`);
  } catch {
    throw new RegistryOptionsError(`host must be a valid HOST[:PORT], received ${JSON.stringify(host)}`);
  }
  if (!insecure) return url.origin;
  if (!isLoopbackHost(host)) throw new InsecureRegistryError(host, 'insecure: true was given for a non-loopback registry');
  return new URL(`http://${host}`).origin;
}

/**
 * Checks a URL the client is about to request outside the registry origin
 * (a redirect target or a token realm): HTTPS is always fine; plain HTTP only
 * when `insecure` is set and the host is loopback.
 *
 * @throws {InsecureRegistryError} otherwise.
 */
export function checkUrlSecurity(url: URL, insecure: boolean, what: string): void {
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:') throw new InsecureRegistryError(url.host, `${what} uses the unsupported scheme ${url.protocol}`);
  if (!insecure) throw new InsecureRegistryError(url.host, `${what} ${url.origin} is plain HTTP and insecure is not enabled`);
  if (!isLoopbackHost(url.host)) throw new InsecureRegistryError(url.host, `${what} ${url.origin} is plain HTTP to a non-loopback host`);
}
