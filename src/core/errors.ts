/**
 * Errors a command reports as one line. `exitCode` follows the CLI contract:
 * 2 for bad usage or bad input, 1 for a check that failed (drift, edited file, failed step).
 */
export class RestitchError extends Error {
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2 = 2) {
    super(message);
    this.name = 'RestitchError';
    this.exitCode = exitCode;
  }
}

/** Bad usage or bad input: exit 2. */
export const inputError = (message: string): RestitchError => new RestitchError(message, 2);

/** A check that did not pass: exit 1. */
export const checkError = (message: string): RestitchError => new RestitchError(message, 1);
