import { createCipheriv, createHash } from 'node:crypto';

/**
 * Encrypts a value as wicked's kickstarter does (wicked
 * `src/env/src/crypt-tools.js` apiEncrypt, written independently here):
 * key and IV from the key text by OpenSSL's EVP_BytesToKey (MD5, one round,
 * no salt), aes-256-ctr over 40 hex digits of random id followed by the text.
 *
 * @example
 * kickstarterEncrypt('key', 'secret') // hex ciphertext portal-env decrypts to 'secret'
 */
export function kickstarterEncrypt(keyText: string, text: string, randomId = 'ab'.repeat(20)): string {
  const password = Buffer.from(keyText, 'binary');
  let block = Buffer.alloc(0);
  let material = Buffer.alloc(0);
  while (material.length < 48) {
    block = createHash('md5').update(Buffer.concat([block, password])).digest();
    material = Buffer.concat([material, block]);
  }
  const cipher = createCipheriv('aes-256-ctr', material.subarray(0, 32), material.subarray(32, 48));
  return Buffer.concat([cipher.update(randomId + text, 'utf8'), cipher.final()]).toString('hex');
}
