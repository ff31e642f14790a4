export * from './client';
export * from './ecr-token';
export * from './endpoint';
export * from './errors';
export * from './event-publisher';
export * from './ledger-reader';
export * from './s3-object-source';
