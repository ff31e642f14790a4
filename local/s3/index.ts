export * from './aws-chunked';
export * from './errors';
export * from './server';
export * from './store';
export * from './xml';
