export * from './bus';
export * from './errors';
export * from './pattern';
export * from './schedule';
export * from './server';
