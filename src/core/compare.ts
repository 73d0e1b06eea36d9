/** Byte-for-byte comparison of two sets of runbook files, as unified diffs (the diff package). */
import { createTwoFilesPatch } from 'diff';
import { sha256, type Manifest } from './manifest.js';
import type { RunbookFile } from './types.js';

/** One file that differs: its path and a unified diff (a/ is `left`, b/ is `right`). */
export interface FileDrift {
  path: string;
  patch: string;
  /** The first line (1-based) where the right-hand file differs from the left-hand one. */
  line: number;
}

/**
 * The first 1-based line where `right` differs from `left`; when `right` only lacks lines at its
 * end, its last line (an annotation must point at a line that exists).
 */
export function firstDifferentLine(left: string, right: string): number {
  const a = left.split('\n');
  const b = right.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const lines = Math.max(1, b.length - (right.endsWith('\n') ? 1 : 0));
  return Math.min(i + 1, lines);
}

/** Every path present in either set whose bytes differ, with a unified diff each. */
export function compareFiles(left: readonly RunbookFile[], right: readonly RunbookFile[], labels: [string, string]): FileDrift[] {
  const a = new Map(left.map((f) => [f.path, f.content]));
  const b = new Map(right.map((f) => [f.path, f.content]));
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const drift: FileDrift[] = [];
  for (const path of paths) {
    const before = a.get(path);
    const after = b.get(path);
    if (before === after) continue;
    const patch = createTwoFilesPatch(
      before === undefined ? '/dev/null' : `${labels[0]}/${path}`,
      after === undefined ? '/dev/null' : `${labels[1]}/${path}`,
      before ?? '',
      after ?? '',
    );
    drift.push({ path, patch, line: firstDifferentLine(before ?? '', after ?? '') });
  }
  return drift;
}

/** Files whose sha256 does not match the manifest, and files the manifest does not know. */
export function checksumMismatches(manifest: Manifest, files: readonly RunbookFile[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    if (f.path === 'manifest.json') continue;
    seen.add(f.path);
    const expected = manifest.files[f.path];
    if (expected === undefined) problems.push(`${f.path} is not listed in manifest.json`);
    else if (expected !== sha256(f.content)) problems.push(`${f.path} differs from its sha256 in manifest.json (edited by hand?)`);
  }
  for (const path of Object.keys(manifest.files)) if (!seen.has(path)) problems.push(`${path} is listed in manifest.json but missing`);
  return problems;
}
