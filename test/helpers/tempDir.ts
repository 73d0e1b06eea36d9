import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// Registered when a test file imports this helper, so it runs after that file's tests, passed or failed.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the temp dir, removed after the file's tests (passed or failed). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `restitch-${prefix}-`));
  made.push(dir);
  return dir;
}
