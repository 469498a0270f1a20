export * from './admission-review.js';
export * from './ca-bundle.js';
export * from './certs.js';
export * from './configuration.js';
export * from './register.js';
export * from './server.js';
export * from './settings.js';
