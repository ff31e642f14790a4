import type { CatalogRead } from './catalog-readers';
import { CatalogFile, readApis, readGroups, readPlans } from './catalog-readers';
import type { DocumentRead } from './component-readers';
import { readApiConfig, readAuthServer, readContentPage, readGlobals, readPool, readSwagger } from './component-readers';
import type { Definitions } from './reference-checks';
import { checkApiFiles, checkMailTemplates, checkReferences } from './reference-checks';
import type { Reference } from './shape-reader';
import type { JsonDocument, IssueDraft } from './types';

type PerFileReader = (file: string, document: unknown) => DocumentRead;

/** Which reader handles which `.json` path (besides the catalogs and globals). */
const PER_FILE_READERS: ReadonlyArray<{ pattern: RegExp; read: PerFileReader }> = [
  { pattern: /^apis\/[^/]+\/config\.json$/, read: readApiConfig },
  { pattern: /^apis\/[^/]+\/swagger\.json$/, read: readSwagger },
  { pattern: /^(content\/.+|index)\.json$/, read: readContentPage },
  { pattern: /^pools\/[^/]+\.json$/, read: readPool },
];

const AUTH_SERVER_FILE = /^auth-servers\/([^/]+)\.json$/;

/**
 * Runs every shape check and cross-reference check over the parsed
 * documents. `files` holds every path of the bundle (parsed or not); a
 * catalog that is missing or does not parse disables the references to it,
 * so one broken file does not drown the report in follow-up errors.
 */
export function checkDocuments(documents: readonly JsonDocument[], files: ReadonlySet<string>): IssueDraft[] {
  const byPath = new Map(documents.map((document) => [document.path, document.value]));
  const issues: IssueDraft[] = [];
  const references: Reference[] = [];
  const collect = (read: DocumentRead): void => {
    issues.push(...read.issues);
    references.push(...read.references);
  };
  const apis = catalog(byPath, CatalogFile.apis, readApis, collect);
  const plans = catalog(byPath, CatalogFile.plans, readPlans, collect);
  const groups = catalog(byPath, CatalogFile.groups, readGroups, collect);
  const globals = byPath.has('globals.json') ? readGlobals(byPath.get('globals.json')) : undefined;
  if (globals) collect(globals);
  const disabledMethods = new Map<string, readonly string[]>();
  const authServers = readAuthServers(files, byPath, collect, disabledMethods);
  for (const document of documents) {
    const reader = PER_FILE_READERS.find((candidate) => candidate.pattern.test(document.path));
    if (reader) collect(reader.read(document.path, document.value));
  }
  const definitions: Definitions = { plans: toSet(plans), groups: toSet(groups), authServers, disabledMethods };
  issues.push(...checkReferences(references, definitions));
  issues.push(...checkApiFiles(apis?.apis ?? [], files));
  issues.push(...checkMailTemplates(files, globals?.mailerEnabled ?? false));
  return issues;
}

function catalog<T extends CatalogRead>(byPath: ReadonlyMap<string, unknown>, file: string, read: (document: unknown) => T, collect: (read: DocumentRead) => void): T | undefined {
  if (!byPath.has(file)) return undefined;
  const result = read(byPath.get(file));
  collect(result);
  return result;
}

function readAuthServers(files: ReadonlySet<string>, byPath: ReadonlyMap<string, unknown>, collect: (read: DocumentRead) => void, disabled: Map<string, readonly string[]>): Map<string, readonly string[] | undefined> {
  const servers = new Map<string, readonly string[] | undefined>();
  for (const file of files) {
    const name = AUTH_SERVER_FILE.exec(file)?.[1];
    if (name === undefined) continue;
    if (!byPath.has(file)) {
      servers.set(name, undefined);
      continue;
    }
    const read = readAuthServer(file, byPath.get(file));
    collect(read);
    servers.set(name, read.methods);
    disabled.set(name, read.disabled);
  }
  return servers;
}

function toSet(read: CatalogRead | undefined): ReadonlySet<string> | undefined {
  return read?.ids ? new Set(read.ids) : undefined;
}
