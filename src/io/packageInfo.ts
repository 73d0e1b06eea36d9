/** The package's own version, read once from package.json. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let version: string | null = null;

export function toolVersion(): string {
  if (version === null) {
    const path = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
    version = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  }
  return version;
}
