import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHeader } from '../../src/core/directives.js';

/**
 * Pastes one step file into psql (ON_ERROR_STOP) as a person would: a step with
 * restitch:copy-from the way its header says, in a transaction with the file's rows after the
 * COPY and a line \. ending them.
 */
export function psqlStep(dir: string, file: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const text = readFileSync(join(dir, file), 'utf8');
  const { header } = parseHeader(text, file);
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'];
  const input = header.copyFrom ? `BEGIN;\n${text}${readFileSync(join(dir, header.copyFrom), 'utf8')}\\.\nCOMMIT;\n` : text;
  return spawnSync('psql', args, { input, env, encoding: 'utf8' });
}
