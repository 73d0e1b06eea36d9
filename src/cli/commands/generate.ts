import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { inputError, RestitchError } from '../../core/errors.js';
import { validateInputs, type RawGenerateOptions } from '../../core/inputs.js';
import { sha256 } from '../../core/manifest.js';
import { renderRunbook } from '../../core/render.js';
import type { Runbook } from '../../core/types.js';
import { toolVersion } from '../../io/packageInfo.js';
import { writeRunbook } from '../../io/runbookFs.js';
import { loadTemplates } from '../../io/templateStore.js';

export interface GenerateOptions extends Omit<RawGenerateOptions, 'entitiesFile' | 'scenario'> {
  entitiesFile?: string;
  out?: string;
  force?: boolean;
}

export interface GenerateResult {
  dir: string;
  runbook: Runbook;
  /** What --force replaced, said to the user. */
  replaced: string | null;
}

/**
 * The largest --entities-file read: 128 MiB, about 3.6 million UUIDs a line (generate then peaks
 * near 800 MB and takes about 6 s; see docs/errors-and-files.md). The file is read in chunks and the read stops at the
 * limit, so /dev/zero, a pipe or a huge file costs no more memory than that.
 */
export const ENTITIES_FILE_MAX_BYTES = 128 * 1024 * 1024;

/** Reads --entities-file as strict UTF-8, up to the limit, naming the file (or the line) it cannot read. */
export function readEntitiesFile(path: string, max = ENTITIES_FILE_MAX_BYTES): { path: string; content: string } {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      for (;;) {
        const chunk = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) break;
        chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
        total += n;
        if (total > max) throw inputError(`--entities-file ${path} is larger than ${max / (1 << 20)} MiB, the limit; split the ids into several runbooks (each with its own --incident)`);
      }
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof RestitchError) throw error;
    throw inputError(`--entities-file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { path, content: strictUtf8(Buffer.concat(chunks, total), path) };
}

/** Decodes UTF-8, refusing invalid bytes (naming the line) instead of turning them into U+FFFD. */
function strictUtf8(bytes: Buffer, path: string): string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    let start = 0;
    for (let line = 1; ; line++) {
      const end = bytes.indexOf(0x0a, start);
      const slice = bytes.subarray(start, end === -1 ? bytes.length : end);
      try {
        decoder.decode(slice);
      } catch {
        throw inputError(`--entities-file ${path} line ${line} is not valid UTF-8`);
      }
      if (end === -1) throw inputError(`--entities-file ${path} is not valid UTF-8`);
      start = end + 1;
    }
  }
}

/** Validates, renders and writes a runbook; nothing is written when anything fails. */
export async function generate(scenario: string, options: GenerateOptions): Promise<GenerateResult> {
  const inputs = await validateInputs({
    ...options,
    scenario,
    entitiesFile: options.entitiesFile === undefined ? undefined : readEntitiesFile(options.entitiesFile),
  });
  const runbook = renderRunbook(inputs, loadTemplates(), toolVersion());
  const dir = options.out ?? join('generated', inputs.incident);
  const replaced = writeRunbook(dir, runbook.files, options.force === true);
  return { dir, runbook, replaced };
}

export function generateSummary({ dir, runbook, replaced }: GenerateResult, json: boolean): string {
  if (json) {
    return `${JSON.stringify(
      {
        dir,
        replaced,
        scenario: runbook.inputs.scenario,
        dialect: runbook.inputs.dialect,
        steps: runbook.steps.length,
        undo: runbook.undo.length,
        files: runbook.files.map((f) => ({ path: f.path, sha256: sha256(f.content) })),
      },
      null,
      2,
    )}\n`;
  }
  const lines = replaced ? [replaced] : [];
  lines.push(`wrote ${dir}: ${runbook.steps.length} steps, ${runbook.undo.length} undo steps`);
  for (const s of runbook.steps) lines.push(`  ${s.file.path}  [${s.header.kind}] ${s.header.title}`);
  lines.push(`  undo/ (${runbook.undo.length} files), runbook.md, manifest.json`);
  return `${lines.join('\n')}\n`;
}
