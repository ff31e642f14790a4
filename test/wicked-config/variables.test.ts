import { hasVariables, malformedReferences, referencedVariables, substituteVariables } from '../../shared/wicked-config';

describe('referencedVariables (what portal-env collects at start-up)', () => {
  it.each([
    ['$PORTAL_API_URL', ['PORTAL_API_URL']],
    ['https://${HOST}:${PORT}/x', ['HOST', 'PORT']],
    ['${A}${A}', ['A', 'A']],
    ['$HOST/path', ['HOST/path']],
    ['$', ['']],
    ['${bad-name}', []],
    ['${lower_case_1}', ['lower_case_1']],
    ['no variables', []],
    ['costs 5$', []],
    ['a $B c', []],
  ])('%j → %j', (text, expected) => {
    expect(referencedVariables(text)).toEqual(expected);
  });
});

describe('hasVariables', () => {
  it.each([
    ['$X', true],
    ['x${Y}', true],
    ['x${', true],
    ['x$Y', false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(hasVariables(text)).toBe(expected);
  });
});

describe('malformedReferences', () => {
  it.each([
    ['${GOOD} and ${bad-one}', ['${bad-one}']],
    ['${ SPACED }', ['${ SPACED }']],
    ['unclosed ${NAME', ['${NAME']],
    ['$WHOLE ${STRING}', []],
    ['${GOOD}', []],
  ])('%j → %j', (text, expected) => {
    expect(malformedReferences(text)).toEqual(expected);
  });
});

describe('substituteVariables (portal-api replaceEnvVarsInString)', () => {
  const env: Record<string, string> = {
    HOST: 'api.example',
    PORT: '8443',
    URL: 'https://${HOST}:${PORT}',
    BASE: '/var/portal-api/',
    STATIC: '${BASE}static',
    EMPTY: '',
    LOOP_A: '${LOOP_B}',
    LOOP_B: '${LOOP_A}',
    GROW: 'x${GROW}',
    DOLLAR: 'a$&b',
  };
  const lookup = (name: string): string | undefined => env[name];

  it.each([
    ['$HOST', 'api.example'],
    ['${URL}/v1', 'https://api.example:8443/v1'],
    ['$STATIC', '/var/portal-api/static'],
    ['plain', 'plain'],
  ])('%j resolves to %j', (text, expected) => {
    expect(substituteVariables(text, lookup)).toEqual({ value: expected });
  });

  it.each([
    ['$MISSING', 'missing', 'MISSING'],
    ['${HOST}${MISSING}', 'missing', 'MISSING'],
    ['$EMPTY', 'empty', 'EMPTY'],
    ['${EMPTY}${HOST}', 'empty', 'EMPTY'],
    ['${LOOP_A}', 'recursive', undefined],
    ['${GROW}', 'recursive', undefined],
    ['${bad-name}', 'malformed', undefined],
    // String.prototype.replace expands `$&` to the match, exactly as in portal-api: the reference reappears.
    ['${DOLLAR}', 'recursive', undefined],
  ])('%j gets stuck: %s', (text, reason, name) => {
    const result = substituteVariables(text, lookup);
    expect(result.stuck).toEqual(name === undefined ? { reason } : { reason, name });
  });

  it('gives up after exactly 10 rounds, as portal-api does', () => {
    const chain = (depth: number) => (name: string): string | undefined => {
      const level = Number(name.slice(1));
      return level < depth ? `\${V${level + 1}}` : level === depth ? 'end' : undefined;
    };
    expect(substituteVariables('$V1', chain(10))).toEqual({ value: 'end' });
    expect(substituteVariables('$V1', chain(11)).stuck).toEqual({ reason: 'recursive' });
  });

  it('keeps the partially substituted string, as portal-api does', () => {
    expect(substituteVariables('${HOST}/${EMPTY}', lookup).value).toBe('api.example/${EMPTY}');
  });
});
