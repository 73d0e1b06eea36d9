/** `restitch report DIR`: the incident record (markdown) and its timeline (SVG) beside the runbook. */
import { INCIDENT_RECORD_FILES } from '../../core/manifest.js';
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readRunbook } from '../../io/runbookFs.js';
import { buildRecord } from '../../report/buildRecord.js';
import { recordMarkdown } from '../../report/recordMarkdown.js';
import { timelineSvg } from '../../report/timelineSvg.js';
import { connectionTarget } from '../../runner/connection/connection.js';
import { connectChecked } from '../../runner/runner.js';
import { openSession } from '../../runner/connection/session.js';

/** Written whole or not at all: a temporary file renamed over the target. */
function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export async function report(dir: string, o: { db?: string; out?: string; json?: boolean }): Promise<string> {
  const { manifest, files } = readRunbook(dir);
  const target = connectionTarget(o.db, process.env);
  const { db } = await connectChecked({ connect: () => openSession(target) }, manifest);
  let record;
  try {
    record = await buildRecord(db, manifest, files);
  } finally {
    await db.close();
  }
  if (o.json) return `${JSON.stringify(record, null, 2)}\n`;
  const out = o.out ?? join(dir, INCIDENT_RECORD_FILES.markdown);
  const svg = o.out === undefined ? join(dir, INCIDENT_RECORD_FILES.timeline) : join(dirname(out), `${basename(out).replace(/\.md$/i, '')}-timeline.svg`);
  writeWhole(svg, timelineSvg(record));
  writeWhole(out, recordMarkdown(record, basename(svg), new Date()));
  return `wrote ${out} and ${svg}: ${record.attempts.length} attempts, ${record.pauses.length} pauses, ${record.batches.length} batches\n`;
}
