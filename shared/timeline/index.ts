export * from './model';
export { timelineLines } from './terminal';
export { timelineHtml } from './svg';
