// The Backend interface lives in core (src/core/backend.ts); backends import it from here.
export * from '../core/backend.js';
