/**
 * wicked static configuration: validation as portal-api loads it, and the
 * configuration hash portal-api reports at `GET /confighash`.
 *
 * @example
 * import { validateConfig } from '../shared/wicked-config';
 * const report = await validateConfig(bundle, { envs: ['prod'] });
 * console.log(report.valid, report.configHash);
 */
export { IssueCode } from './types';
export type { EnvironmentVerdict, IssueCodeValue, IssueDraft, JsonDocument, Severity, ValidateConfigOptions, ValidationIssue, ValidationReport } from './types';
export { defaultSeverity, environmentVerdicts, passes, withSeverity } from './severity';
export { configKeyMatches, decryptValue, RANDOM_PREFIX_LENGTH } from './config-key';
export type { Decrypted } from './config-key';
export { OPAQUE, PORTAL_API_WORKDIR, simulateProcessEnv } from './process-env';
export type { ProcessEnvInput, SimulatedEnv } from './process-env';
export { checkStartup, checkStaticFiles, DEFAULT_DYNAMIC_DATA_PATH, STATIC_CONFIG_PATH } from './startup-checks';
export type { StartupCheckInput } from './startup-checks';
export { CURRENT_CONFIG_VERSION, migrate } from './migration';
export type { Migration } from './migration';
export { ConfigReadError, InvalidOptionsError, WickedConfigError } from './errors';
export { validateConfig, validateContents, isJsonPath } from './validate-config';
export type { ConfigContents } from './validate-config';
export { resolveOptions } from './options';
export type { ResolvedOptions } from './options';
export {
  computeConfigHash,
  compareNames,
  EXCLUDED_FOLDERS,
  fileHashOf,
  folderHash,
  hashEntry,
  isHashedPath,
  ROOT_NAME,
  scanBundle,
  treeHash,
} from './config-hash';
export {
  hasVariables,
  malformedReferences,
  MAX_SUBSTITUTION_ROUNDS,
  PLATFORM_VARIABLES,
  PORTAL_ENV_VARIABLES,
  POSTGRES_PLATFORM_VARIABLES,
  referencedVariables,
  REQUIRED_VARIABLES,
  substituteVariables,
} from './variables';
export type { StuckReason, Substitution } from './variables';
export { checkEnvFile, environmentNameOf, isPlainObject, kindOf, MIN_CIPHERTEXT_HEX_DIGITS } from './env-files';
export type { EnvVariable, EnvVariables } from './env-files';
export { checkVariables, environmentLookup, isSubstitutedFile } from './variable-checks';
export type { VariableCheckInput } from './variable-checks';
export { lineColumnAt, locateJsonSyntaxError, parseJson } from './json-syntax';
export type { JsonParseResult, JsonSyntaxError } from './json-syntax';
export { formatJsonPath, visitStrings } from './json-path';
export type { PathSegment } from './json-path';
export { ShapeReader } from './shape-reader';
export type { Reference } from './shape-reader';
export { CatalogFile, readApis, readGroups, readPlans } from './catalog-readers';
export type { ApiEntry, ApisRead, CatalogRead } from './catalog-readers';
export { AUTH_METHODS_CONFIG_VERSION, readApiConfig, readAuthServer, readContentPage, readGlobals, readPool, readSwagger } from './component-readers';
export type { DocumentRead } from './component-readers';
export { checkApiFiles, checkMailTemplates, checkReferences, checkRequiredFiles, MAIL_TEMPLATES, REQUIRED_FILES } from './reference-checks';
export type { Definitions } from './reference-checks';
export { checkDocuments } from './document-checks';
