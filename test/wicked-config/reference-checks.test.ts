import type { Definitions, Reference } from '../../shared/wicked-config';
import { checkApiFiles, checkMailTemplates, checkReferences, checkRequiredFiles, IssueCode, REQUIRED_FILES } from '../../shared/wicked-config';

const definitions: Definitions = {
  plans: new Set(['basic', 'partner']),
  groups: new Set(['admins', 'partners']),
  authServers: new Map<string, readonly string[] | undefined>([
    ['default', ['local', 'github']],
    ['broken', undefined],
  ]),
};

const ref = (kind: Reference['kind'], name: string): Reference => ({ kind, name, file: 'apis/apis.json', jsonPath: '$.apis[0].x', owner: 'API "a"' });

describe('checkReferences', () => {
  it.each<[string, Reference]>([
    ['a defined plan', ref('plan', 'basic')],
    ['a defined group', ref('group', 'partners')],
    ['a defined auth server', ref('authServer', 'default')],
    ['a defined auth method', ref('authMethod', 'default:github')],
    ['a method of a server that could not be read', ref('authMethod', 'broken:anything')],
  ])('accepts %s', (_name, reference) => {
    expect(checkReferences([reference], definitions)).toEqual([]);
  });

  it.each<[string, Reference, string, string]>([
    ['an unknown plan', ref('plan', 'gold'), IssueCode.UnknownPlan, 'API "a" names plan "gold", which plans/plans.json does not define (defined: "basic", "partner")'],
    ['an unknown group', ref('group', 'vip'), IssueCode.UnknownGroup, 'names group "vip", which groups/groups.json does not define (defined: "admins", "partners")'],
    ['an unknown auth server', ref('authServer', 'corp'), IssueCode.UnknownAuthServer, 'auth-servers/corp.json does not exist (defined: "broken", "default")'],
    ['an auth method of an unknown server', ref('authMethod', 'corp:saml'), IssueCode.UnknownAuthServer, 'names auth server "corp"'],
    ['an unknown auth method', ref('authMethod', 'default:google'), IssueCode.UnknownAuthMethod, 'names auth method "google" of auth server "default", which auth-servers/default.json does not define (defined: "github", "local")'],
    ['a method without server', ref('authMethod', 'local'), IssueCode.InvalidShape, 'must be "<auth server>:<method>"'],
    ['a method with two colons', ref('authMethod', 'a:b:c'), IssueCode.InvalidShape, 'must be "<auth server>:<method>"'],
  ])('reports %s', (_name, reference, code, message) => {
    expect(checkReferences([reference], definitions)).toEqual([{ file: 'apis/apis.json', jsonPath: '$.apis[0].x', code, message: expect.stringContaining(message) }]);
  });

  it('skips plans and groups when their catalog could not be read', () => {
    const unread: Definitions = { plans: undefined, groups: undefined, authServers: new Map() };
    expect(checkReferences([ref('plan', 'gold'), ref('group', 'vip')], unread)).toEqual([]);
  });
});

describe('file checks', () => {
  it('reports every required file that is missing', () => {
    expect(checkRequiredFiles(new Set([...REQUIRED_FILES, 'groups/groups.json']))).toEqual([]);
    expect(checkRequiredFiles(new Set(['globals.json', 'apis/apis.json'])).map((issue) => [issue.file, issue.code, issue.severity])).toEqual([
      ['env/default.json', IssueCode.MissingFile, undefined],
      ['plans/plans.json', IssueCode.MissingFile, undefined],
      // Loaded only by requests that need the groups (wicked src/api/routes/utils.js, loadGroups).
      ['groups/groups.json', IssueCode.MissingFile, 'warning'],
    ]);
  });

  it('needs config.json and swagger.json for every API', () => {
    const apis = [{ id: 'a', jsonPath: '$.apis[0].id' }, { id: 'b', jsonPath: '$.apis[1].id' }];
    const files = new Set(['apis/a/config.json', 'apis/a/swagger.json', 'apis/b/swagger.json']);
    expect(checkApiFiles(apis, files)).toEqual([
      { file: 'apis/apis.json', jsonPath: '$.apis[1].id', code: IssueCode.UnknownApiConfig, message: 'API "b" is listed in apis/apis.json, but apis/b/config.json is missing: its configuration and documentation requests fail' },
    ]);
    expect(checkApiFiles(apis, new Set(['apis/a/config.json', 'apis/b/config.json'])).map((issue) => [issue.file, issue.code])).toEqual([
      ['apis/a/swagger.json', IssueCode.MissingFile],
      ['apis/b/swagger.json', IssueCode.MissingFile],
    ]);
  });

  it.each([
    ['mailer off', false, ['templates/chatbot.json'], []],
    ['templates from the image defaults', true, [], []],
    ['every template present', true, ['templates/chatbot.json', 'templates/email/verify_email.mustache', 'templates/email/lost_password.mustache', 'templates/email/pending_approval.mustache'], []],
    ['two templates missing', true, ['templates/chatbot.json', 'templates/email/verify_email.mustache'], ['templates/email/lost_password.mustache', 'templates/email/pending_approval.mustache']],
  ])('mail templates: %s', (_name, mailer, files, missing) => {
    expect(checkMailTemplates(new Set(files), mailer).map((issue) => issue.file)).toEqual(missing);
  });
});
