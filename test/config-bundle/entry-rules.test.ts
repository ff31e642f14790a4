import { classifyEntry, gitFolderOf, isEnvkeyName, type EntrySource, type RawEntry } from '../../shared/config-bundle/entry-rules';
import { PathRegistry } from '../../shared/config-bundle/path-registry';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('classifyEntry', () => {
  type Case = [string, RawEntry, EntrySource, string, string | undefined];
  const cases: Case[] = [
    ['a file', { name: bytes('./env//default.json'), kind: 'file' }, 'archive', 'file:env/default.json', undefined],
    ['a directory', { name: bytes('env/'), kind: 'directory' }, 'archive', 'directory:env', undefined],
    ['the root directory', { name: bytes('./'), kind: 'directory' }, 'archive', 'directory:', undefined],
    ['a file naming the root', { name: bytes('.'), kind: 'file' }, 'archive', 'refuse:INVALID_NAME', '.'],
    ['traversal before anything else', { name: bytes('../deploy.envkey'), kind: 'symlink' }, 'archive', 'refuse:PATH_TRAVERSAL', '../deploy.envkey'],
    ['invalid UTF-8', { name: Buffer.from([0x66, 0xff]), kind: 'file' }, 'directory', 'refuse:INVALID_NAME_ENCODING', 'f\\xff'],
    ['envkey in an archive', { name: bytes('static/deploy.envkey'), kind: 'file' }, 'archive', 'refuse:ENVKEY_IN_ARCHIVE', 'static/deploy.envkey'],
    ['envkey in an archive, any case', { name: bytes('DEPLOY.ENVKEY'), kind: 'file' }, 'archive', 'refuse:ENVKEY_IN_ARCHIVE', 'DEPLOY.ENVKEY'],
    ['envkey as a hard link in an archive', { name: bytes('x.envkey'), kind: 'hardlink' }, 'archive', 'refuse:ENVKEY_IN_ARCHIVE', 'x.envkey'],
    ['envkey inside .git of an archive', { name: bytes('.git/deploy.envkey'), kind: 'file' }, 'archive', 'refuse:ENVKEY_IN_ARCHIVE', undefined],
    ['envkey in a directory', { name: bytes('deploy.envkey'), kind: 'file' }, 'directory', 'skip:ENVKEY_SKIPPED:deploy.envkey', undefined],
    ['a directory named like an envkey', { name: bytes('x.envkey'), kind: 'directory' }, 'archive', 'directory:x.envkey', undefined],
    ['a .git folder', { name: bytes('.git'), kind: 'directory' }, 'directory', 'skip:GIT_SKIPPED:.git', undefined],
    ['a file in a nested .git folder', { name: bytes('sub/.git/objects/ab'), kind: 'file' }, 'archive', 'skip:GIT_SKIPPED:sub/.git', undefined],
    ['a symlink in .git (never materialised)', { name: bytes('.git/hooks/x'), kind: 'symlink' }, 'archive', 'skip:GIT_SKIPPED:.git', undefined],
    ['a .gitignore is a file', { name: bytes('.gitignore'), kind: 'file' }, 'archive', 'file:.gitignore', undefined],
    ['a symlink', { name: bytes('link'), kind: 'symlink' }, 'archive', 'refuse:LINK_NOT_ALLOWED', 'link'],
    ['a hard link', { name: bytes('hard'), kind: 'hardlink' }, 'archive', 'refuse:LINK_NOT_ALLOWED', 'hard'],
    ['a fifo', { name: bytes('pipe'), kind: 'special', kindLabel: 'fifo' }, 'directory', 'refuse:SPECIAL_FILE', 'pipe'],
    ['a symlink named like an envkey in a directory', { name: bytes('deploy.envkey'), kind: 'symlink' }, 'directory', 'refuse:LINK_NOT_ALLOWED', undefined],
  ];
  it.each(cases)('%s', (_label, raw, source, expected, path) => {
    const decision = classifyEntry(raw, source, 255);
    const summary =
      decision.action === 'refuse'
        ? `refuse:${decision.problem.code}`
        : decision.action === 'skip'
          ? `skip:${decision.warning.code}:${decision.warning.path}`
          : `${decision.action}:${decision.path}`;
    expect(summary).toBe(expected);
    if (decision.action === 'refuse' && path !== undefined) expect(decision.problem.path).toBe(path);
  });

  it('says in the envkey refusal that the key must be rotated, and in the skip warning where it belongs', () => {
    const refused = classifyEntry({ name: bytes('deploy.envkey'), kind: 'file' }, 'archive', 255);
    expect(refused.action === 'refuse' && refused.problem.problem).toMatch(/left the operator's machine and must be rotated/);
    const skipped = classifyEntry({ name: bytes('deploy.envkey'), kind: 'file' }, 'directory', 255);
    expect(skipped.action === 'skip' && skipped.warning.message).toMatch(/PORTAL_CONFIG_KEY.*secret store/);
  });

  it('names the kind of special file', () => {
    const decision = classifyEntry({ name: bytes('dev'), kind: 'special', kindLabel: 'block device' }, 'archive', 255);
    expect(decision.action === 'refuse' && decision.problem.problem).toBe('is a block device');
  });
});

describe('isEnvkeyName and gitFolderOf', () => {
  it.each([
    ['deploy.envkey', true],
    ['env/prod.envkey', true],
    ['envkey', true],
    ['Deploy.EnvKey', true],
    ['envkey.json', false],
    ['deploy.envkey/x', false],
  ])('isEnvkeyName(%j) is %s', (path, expected) => {
    expect(isEnvkeyName(path)).toBe(expected);
  });

  it.each([
    ['.git', '.git'],
    ['.git/HEAD', '.git'],
    ['a/.git/b/.git/c', 'a/.git'],
    ['a/.gitignore', undefined],
    ['a/.GIT/x', undefined],
  ])('gitFolderOf(%j) is %j', (path, expected) => {
    expect(gitFolderOf(path)).toBe(expected);
  });
});

describe('PathRegistry', () => {
  type Step = ['file' | 'dir', string, string];
  const collisions: [string, Step[]][] = [
    ['a duplicate entry', [['file', 'a', 'a'], ['file', 'a', 'a']]],
    ['a//b vs a/b', [['file', 'a/b', 'a/b'], ['file', 'a/b', 'a//b']]],
    ['./a vs a', [['file', 'a', 'a'], ['file', 'a', './a']]],
    ['NFC vs NFD', [['file', 'caf\u00e9', 'caf\u00e9'], ['file', 'caf\u00e9', 'cafe\u0301']]],
    ['file a, then file a/b', [['file', 'a', 'a'], ['file', 'a/b', 'a/b']]],
    ['file a/b, then file a', [['file', 'a/b', 'a/b'], ['file', 'a', 'a']]],
    ['directory a/, then file a', [['dir', 'a', 'a/'], ['file', 'a', 'a']]],
    ['file a, then directory a/', [['file', 'a', 'a'], ['dir', 'a', 'a/']]],
    ['file a, then directory a/b/', [['file', 'a', 'a'], ['dir', 'a/b', 'a/b/']]],
  ];
  it.each(collisions)('refuses %s, naming the later entry', (_label, steps) => {
    const registry = new PathRegistry();
    const results = steps.map(([kind, path, display]) => (kind === 'file' ? registry.addFile(path, display) : registry.addDirectory(path, display)));
    expect(results.slice(0, -1)).toEqual(steps.slice(0, -1).map(() => undefined));
    expect(results.at(-1)).toMatchObject({ code: 'PATH_COLLISION', path: steps.at(-1)?.[2] });
  });

  it('accepts repeated directories, the root, and siblings', () => {
    const registry = new PathRegistry();
    expect(registry.addDirectory('', './')).toBeUndefined();
    expect(registry.addDirectory('a', 'a/')).toBeUndefined();
    expect(registry.addDirectory('a', './a/')).toBeUndefined();
    expect(registry.addFile('a/b', 'a/b')).toBeUndefined();
    expect(registry.addFile('a/c', 'a/c')).toBeUndefined();
    expect(registry.addFile('ab', 'ab')).toBeUndefined();
    expect(registry.addDirectory('x/y', 'x/y/')).toBeUndefined();
    expect(registry.explicitDirectories().sort()).toEqual(['a', 'x/y']);
  });
});
