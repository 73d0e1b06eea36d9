/** The orphan invariant, as the sandbox (and the demo) checks it. */
export { orphanedEvents } from '../../src/sandbox/orphans.js';
