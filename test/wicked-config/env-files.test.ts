import { checkEnvFile, environmentNameOf, IssueCode } from '../../shared/wicked-config';

const CIPHER = 'ab'.repeat(48);

describe('environmentNameOf', () => {
  it.each([
    ['env/default.json', 'default'],
    ['env/prod-eu.json', 'prod-eu'],
    ['env/nested/x.json', undefined],
    ['env/readme.md', undefined],
    ['other/env/dev.json', undefined],
  ])('%s → %s', (path, expected) => {
    expect(environmentNameOf(path)).toBe(expected);
  });
});

describe('checkEnvFile', () => {
  it.each([
    ['a string value', { A: { value: 'x' } }, { value: 'x', encrypted: false }],
    ['an explicit encrypted: false', { A: { encrypted: false, value: '' } }, { value: '', encrypted: false }],
    ['a number, which portal-env stringifies', { A: { value: 6379 } }, { value: '6379', encrypted: false }],
    ['a boolean', { A: { value: true } }, { value: 'true', encrypted: false }],
    ['kickstarter ciphertext', { A: { encrypted: true, value: CIPHER } }, { value: CIPHER, encrypted: true }],
  ])('accepts %s', (_name, document, expected) => {
    const result = checkEnvFile('env/default.json', document);
    expect(result.issues).toEqual([]);
    expect(result.variables.get('A')).toEqual(expected);
  });

  it.each([
    ['an array file', [], '$', 'expected an object mapping variable names'],
    ['a string variable', { A: 'x' }, '$.A', 'variable A: expected { "value": "...", "encrypted": false }, received the string "x"'],
    ['a missing value', { A: {} }, '$.A.value', '"value" must be a string, received nothing'],
    ['a null value', { A: { value: null } }, '$.A.value', 'received null'],
    ['an object value', { A: { value: { x: 1 } } }, '$.A.value', 'received an object'],
    ['a string "encrypted"', { A: { value: 'x', encrypted: 'true' } }, '$.A.encrypted', '"encrypted" must be true or false, received the string "true"'],
    ['plain text marked encrypted', { A: { value: 'secret', encrypted: true } }, '$.A.value', 'characters other than hex digits'],
    ['a short ciphertext', { A: { value: 'abcd', encrypted: true } }, '$.A.value', 'only 4 hex digits'],
    ['an odd ciphertext', { A: { value: `${CIPHER}a`, encrypted: true } }, '$.A.value', 'odd number (97)'],
    ['a number marked encrypted', { A: { value: 5, encrypted: true } }, '$.A.value', 'received the number 5'],
  ])('reports %s', (_name, document, jsonPath, message) => {
    const result = checkEnvFile('env/dev.json', document);
    expect(result.issues).toEqual([{ file: 'env/dev.json', jsonPath, code: IssueCode.InvalidEnvFile, message: expect.stringContaining(message) }]);
  });

  // portal-env assigns `value` to process.env, which stringifies it (wicked src/env/env-reader.js, loadEnvironment):
  // the variable is defined, with the string portal-api sees.
  it.each([
    ['a string variable', { A: 'x' }, 'undefined'],
    ['a missing value', { A: {} }, 'undefined'],
    ['a null value', { A: { value: null } }, 'null'],
    ['an object value', { A: { value: { x: 1 } } }, '[object Object]'],
  ])('defines %s as portal-env does', (_name, document, value) => {
    expect(checkEnvFile('env/dev.json', document).variables.get('A')).toEqual({ value, encrypted: false });
  });

  it('defines nothing from a file that is not an object', () => {
    expect(checkEnvFile('env/dev.json', []).variables.size).toBe(0);
  });

  it('keeps every variable next to a bad one', () => {
    const result = checkEnvFile('env/default.json', { GOOD: { value: 'g' }, BAD: { value: null } });
    expect([...result.variables.keys()]).toEqual(['GOOD', 'BAD']);
    expect(result.issues).toHaveLength(1);
  });
});
