export * from './errors';
export * from './publish-input';
export * from './schedule-input';
export * from './sns-notifier';
export * from './stuck-check-scheduler';
export * from './reconcile-nudge';
