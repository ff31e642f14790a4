export * from './errors';
export * from './plan';
export * from './postgres';
export * from './request';
export * from './secrets';
