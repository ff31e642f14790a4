/** One challenge from a `WWW-Authenticate` header. */
export interface AuthChallenge {
  /** Lower-cased scheme, e.g. `bearer` or `basic`. */
  readonly scheme: string;
  /** Auth parameters with lower-cased names, e.g. `realm`, `service`, `scope`, `error`. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/**
 * Parses a `WWW-Authenticate` header value (RFC 7235) into its challenges.
 * Tolerant: malformed parts are skipped, an unterminated quoted string runs
 * to the end, and the function never throws.
 *
 * @example
 * parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"');
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry', scope: 'repository:a:pull' } }]
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const scanner = new Scanner(header);
  const challenges: AuthChallenge[] = [];
  while (!scanner.done()) {
    scanner.skip(/[\s,]/);
    const scheme = scanner.token();
    if (scheme === '') {
      scanner.advance(); // not a token character: skip it
      continue;
    }
    challenges.push({ scheme: scheme.toLowerCase(), params: parseParams(scanner) });
  }
  return challenges;
}

function parseParams(scanner: Scanner): Record<string, string> {
  const params: Record<string, string> = {};
  for (;;) {
    scanner.skip(/[\s,]/);
    const start = scanner.position;
    const name = scanner.token();
    scanner.skip(/\s/);
    if (name === '' || scanner.peek() !== '=') {
      scanner.position = start; // the next challenge's scheme, or the end
      return params;
    }
    scanner.advance();
    scanner.skip(/\s/);
    const value = scanner.peek() === '"' ? scanner.quoted() : scanner.token();
    const key = name.toLowerCase();
    if (!(key in params)) params[key] = value;
  }
}

class Scanner {
  position = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.position >= this.text.length;
  }
  peek(): string {
    return this.text.charAt(this.position);
  }
  advance(): void {
    this.position++;
  }
  skip(pattern: RegExp): void {
    while (!this.done() && pattern.test(this.peek())) this.position++;
  }
  token(): string {
    const start = this.position;
    while (!this.done() && TOKEN_CHAR.test(this.peek())) this.position++;
    return this.text.slice(start, this.position);
  }
  quoted(): string {
    this.position++; // opening quote
    let value = '';
    while (!this.done()) {
      const char = this.peek();
      this.position++;
      if (char === '"') return value;
      if (char === '\\' && !this.done()) {
        value += this.peek();
        this.position++;
      } else {
        value += char;
      }
    }
    return value;
  }
}

/** The scope string asking for `actions` on a repository, e.g. `repository:portal-api:pull,push`. */
export function repositoryScope(repository: string, actions: readonly ('pull' | 'push')[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}
