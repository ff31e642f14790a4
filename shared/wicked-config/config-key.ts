import { createDecipheriv, createHash } from 'node:crypto';

/**
 * Decryption of the configuration's encrypted values, as portal-env does it
 * (wicked `src/env/src/crypt-tools.js`, apiDecrypt): aes-256-ctr keyed by
 * the key text through OpenSSL's EVP_BytesToKey (MD5, one round, no salt) —
 * what Node's since-removed `crypto.createDecipher` did — over the hex
 * ciphertext; the first 40 characters of the plain text are the random id
 * the kickstarter prepends (wicked `cryptTools.createRandomId`: 20 random
 * bytes as hex), the rest is the value.
 */

const KEY_BYTES = 32;
const IV_BYTES = 16;
/** Length of the random prefix of every encrypted value (20 bytes as hex). */
export const RANDOM_PREFIX_LENGTH = 40;

/** OpenSSL EVP_BytesToKey with MD5, one iteration and no salt. */
function bytesToKey(password: Buffer): { key: Buffer; iv: Buffer } {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  while (Buffer.concat(blocks).length < KEY_BYTES + IV_BYTES) {
    previous = createHash('md5').update(Buffer.concat([previous, password])).digest();
    blocks.push(previous);
  }
  const material = Buffer.concat(blocks);
  return { key: material.subarray(0, KEY_BYTES), iv: material.subarray(KEY_BYTES, KEY_BYTES + IV_BYTES) };
}

/** The outcome of {@link decryptValue}. */
export type Decrypted = { readonly ok: true; readonly value: string } | { readonly ok: false };

/**
 * Decrypts one kickstarter ciphertext with the key text. `ok` is false when
 * the random prefix does not come out as 40 hex digits, which is what a
 * wrong key (or a value encrypted with another key) produces: CTR mode
 * itself never fails.
 *
 * @example
 * decryptValue(key, envFile.PORTAL_API_AESKEY.value) // { ok: true, value: '...' }
 */
export function decryptValue(keyText: string, cipherHex: string): Decrypted {
  const { key, iv } = bytesToKey(Buffer.from(keyText, 'binary'));
  const decipher = createDecipheriv('aes-256-ctr', key, iv);
  const plain = Buffer.concat([decipher.update(Buffer.from(cipherHex, 'hex')), decipher.final()]).toString('utf8');
  if (!/^[0-9a-f]{40}/.test(plain)) return { ok: false };
  return { ok: true, value: plain.substring(RANDOM_PREFIX_LENGTH) };
}

/**
 * Whether `globals.json`'s `configKeyCheck` decrypts with this key to a
 * 40-character salt followed by "wicked" (config-updater step 4 encrypts
 * salt + "wicked"); portal-api's configuration update refuses to start
 * otherwise (wicked `src/env/src/config-updater.js`, verifyConfigKey).
 */
export function configKeyMatches(keyText: string, configKeyCheck: string): boolean {
  const decrypted = decryptValue(keyText, configKeyCheck);
  return decrypted.ok && decrypted.value.substring(RANDOM_PREFIX_LENGTH) === 'wicked';
}
