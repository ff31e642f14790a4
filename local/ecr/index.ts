/**
 * The local ECR: an OCI distribution endpoint and the ECR JSON API over one
 * on-disk store. See {@link startEcr}.
 */
export { startEcr } from './server';
export type { CreateRepositoryOptions, EcrControl, EcrEmulatorOptions, RunningEcr } from './server';
export type { ImageDescription, RepositoryDescription } from './descriptions';
export type { PushRecord } from './store';
export type { TagMutability, MutabilityPolicy } from './mutability';
export type { IssuedToken } from './auth';
export { ECR_USER, TOKEN_LIFETIME_MS } from './auth';
export { EcrEmulatorError, ERROR_WIRE_FORMS, isEcrEmulatorError } from './errors';
export type { EcrErrorCode, ErrorWireForm } from './errors';
export { ECR_TARGET_PREFIX } from './json-api';
