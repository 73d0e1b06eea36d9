import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRunbook } from '../../src/io/runbookFs.js';
import { ROOT } from './cli.js';

export const EXAMPLES_DIR = join(ROOT, 'generated', 'examples');

/** Every checked-in example runbook: name, directory, files and manifest. */
export function examples() {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, dir: join(EXAMPLES_DIR, e.name), ...readRunbook(join(EXAMPLES_DIR, e.name)) }));
}
