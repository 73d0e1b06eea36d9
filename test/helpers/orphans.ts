/** The orphan invariants, as the sandbox (and the demo) checks them. */
export { orphanedEvents, unmatchedEvents } from '../../src/sandbox/orphans.js';
