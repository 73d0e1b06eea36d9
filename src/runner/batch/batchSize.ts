/**
 * `--batch-size`: the batch statement with another LIMIT. The runbook's batch size is a literal
 * in the file (so the file stays pasteable), on the line the generator marks
 * `-- restitch:batch-size`; the runner replaces only those digits (slots.ts), with no parser.
 */
import { checkError } from '../../core/errors.js';
import { setSlot, slotValues } from './slots.js';

/** `body` with its `LIMIT <from>` changed to `LIMIT <to>`; `file` names the step in errors. */
export function withBatchSize(body: string, from: number, to: number, file: string): string {
  const found = slotValues(body, 'batch-size');
  if (found.length !== 1 || found[0] !== String(from)) {
    throw checkError(`${file}: expected exactly one LIMIT ${from} -- restitch:batch-size (the runbook's batch size), found ${found.length === 0 ? 'none' : found.join(', ')}; run without --batch-size`);
  }
  return from === to ? body : setSlot(body, 'batch-size', to, file);
}
