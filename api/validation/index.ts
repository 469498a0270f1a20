export * from './cel-condition.js';
export * from './cron.js';
export * from './destination.js';
export * from './field-error.js';
export * from './timezone.js';
export * from './validate-object.js';
