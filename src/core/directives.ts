/**
 * The one place that writes and reads step headers.
 *
 * A step file starts with SQL comment lines, so it stays pasteable as it is:
 *
 *     -- restitch:step 4/14
 *     -- restitch:kind batch
 *     -- restitch:title Back up the events that will be reset
 *     -- restitch:progress SELECT (SELECT count(*) FROM a) AS done, (SELECT count(*) FROM b) AS total
 *     -- restitch:floor SELECT done.id AS floor FROM a AS done ORDER BY done.id DESC LIMIT 1
 *     -- restitch:ranges SELECT (SELECT ...) AS lo, (SELECT ...) AS hi
 *     -- restitch:priority high
 *     -- restitch:copy-from entities.txt
 *     -- restitch:interval 15s
 *     -- restitch:timeout 30m
 *     -- restitch:hold 2m
 *     -- restitch:point-of-no-return
 *     -- restitch:recheck-on-resume
 *     --
 *     -- Why: wrapped prose,
 *     --   continued on indented lines.
 *     -- Expect: what a person should see.
 *     -- Any other comment line is a note.
 *
 * Machine-readable lines are `-- restitch:<key> <value>`; keys are the ones in DIRECTIVE_KEYS.
 * The header ends at the first line that is not a `--` comment.
 */
import { ENTITIES_FILE } from './entitiesFile.js';
import { RestitchError } from './errors.js';
import { STEP_KINDS, type StepHeader, type StepKind } from './types.js';

const PREFIX = '-- restitch:';
const DIRECTIVE_KEYS = ['step', 'kind', 'title', 'progress', 'floor', 'ranges', 'priority', 'copy-from', 'interval', 'timeout', 'hold', 'point-of-no-return', 'recheck-on-resume'] as const;
type DirectiveKey = (typeof DIRECTIVE_KEYS)[number];
const WRAP = 96;

/** Seconds as the shortest exact unit: 90 -> "90s", 1800 -> "30m", 86400 -> "24h". */
export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** "15s" / "30m" / "24h" -> seconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,6})([smh])$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : n;
}

/** A long note as several note lines (each within the header width), continuations indented. */
export function wrapNote(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.trim() !== '' && line.length + 1 + word.length > WRAP - 3) {
      lines.push(line);
      line = `  ${word}`;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function wrap(label: string, text: string): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = `-- ${label}:`;
  for (const word of words) {
    if (line.length + 1 + word.length > WRAP && !/^--\s*\S+:$/.test(line)) {
      lines.push(line);
      line = '--  ';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** Renders a header as comment lines, each ending in "\n", followed by one blank line. */
export function formatHeader(h: StepHeader): string {
  const out = [`${PREFIX}step ${h.number}/${h.total}`, `${PREFIX}kind ${h.kind}`, `${PREFIX}title ${oneLine(h.title)}`];
  if (h.progress) out.push(`${PREFIX}progress ${oneLine(h.progress)}`);
  if (h.floor) out.push(`${PREFIX}floor ${oneLine(h.floor)}`);
  if (h.ranges) out.push(`${PREFIX}ranges ${oneLine(h.ranges)}`);
  if (h.priority) out.push(`${PREFIX}priority ${h.priority}`);
  if (h.copyFrom) out.push(`${PREFIX}copy-from ${h.copyFrom}`);
  if (h.intervalSeconds !== undefined) out.push(`${PREFIX}interval ${formatDuration(h.intervalSeconds)}`);
  if (h.timeoutSeconds !== undefined) out.push(`${PREFIX}timeout ${formatDuration(h.timeoutSeconds)}`);
  if (h.holdSeconds !== undefined) out.push(`${PREFIX}hold ${formatDuration(h.holdSeconds)}`);
  if (h.pointOfNoReturn) out.push(`${PREFIX}point-of-no-return`);
  if (h.recheckOnResume) out.push(`${PREFIX}recheck-on-resume`);
  out.push('--', ...wrap('Why', h.why), ...wrap('Expect', h.expect));
  if (h.notes.length > 0) out.push('--');
  for (const note of h.notes) out.push(note === '' ? '--' : `-- ${note}`);
  return `${out.join('\n')}\n\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function fail(file: string, message: string): never {
  throw new RestitchError(`${file}: ${message}; regenerate the runbook with 'restitch generate' instead of editing headers`, 1);
}

/**
 * Reads the header of a step file. `file` only names the file in error messages.
 * Throws (exit 1) when a directive is unknown, repeated, malformed or missing.
 */
export function parseHeader(content: string, file = 'step'): { header: StepHeader; body: string } {
  const lines = content.split('\n');
  const found = new Map<DirectiveKey, string>();
  let i = 0;
  let section: 'why' | 'expect' | null = null;
  const text = { why: [] as string[], expect: [] as string[] };
  const notes: string[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith('--')) break;
    if (line.startsWith(PREFIX)) {
      const m = /^-- restitch:([a-z-]+)(?: (.*))?$/.exec(line);
      const key = m?.[1] as DirectiveKey | undefined;
      if (!m || !key || !DIRECTIVE_KEYS.includes(key)) fail(file, `unknown directive '${line}'`);
      if (found.has(key)) fail(file, `directive '${key}' appears twice`);
      found.set(key, (m[2] ?? '').trim());
      continue;
    }
    const body = line.replace(/^--\s?/, '');
    const label = /^(Why|Expect):\s*(.*)$/.exec(body);
    if (label) {
      section = label[1] === 'Why' ? 'why' : 'expect';
      text[section].push(label[2] ?? '');
    } else if (section && /^ {2}\S/.test(body)) {
      text[section].push(body.trim());
    } else {
      section = null;
      if (notes.length > 0 || body !== '') notes.push(body);
    }
  }
  const step = /^(\d+)\/(\d+)$/.exec(found.get('step') ?? '');
  if (!step) fail(file, "missing or malformed 'restitch:step N/M'");
  const kind = found.get('kind') as StepKind | undefined;
  if (!kind || !STEP_KINDS.includes(kind)) fail(file, `missing or unknown 'restitch:kind' (one of ${STEP_KINDS.join(', ')})`);
  const title = found.get('title');
  if (!title) fail(file, "missing 'restitch:title'");
  const header: StepHeader = {
    number: Number(step[1]),
    total: Number(step[2]),
    kind,
    title,
    why: text.why.join(' ').trim(),
    expect: text.expect.join(' ').trim(),
    notes: trimTrailingBlank(notes),
  };
  const durations = { interval: 'intervalSeconds', timeout: 'timeoutSeconds', hold: 'holdSeconds' } as const;
  for (const key of ['interval', 'timeout', 'hold'] as const) {
    const raw = found.get(key);
    if (raw === undefined) continue;
    const seconds = parseDuration(raw);
    if (seconds === null || seconds <= 0) fail(file, `'restitch:${key}' must look like 15s, 30m or 2h, not '${raw}'`);
    header[durations[key]] = seconds;
  }
  if (kind === 'wait' && (header.intervalSeconds === undefined || header.timeoutSeconds === undefined)) {
    fail(file, "a wait step needs 'restitch:interval' and 'restitch:timeout'");
  }
  if (header.holdSeconds !== undefined && (kind !== 'wait' || header.holdSeconds > (header.timeoutSeconds ?? 0))) {
    fail(file, "'restitch:hold' belongs on a wait step and is at most its 'restitch:timeout'");
  }
  const progress = found.get('progress');
  if (progress) header.progress = progress;
  const floor = found.get('floor');
  if (floor) header.floor = floor;
  const ranges = found.get('ranges');
  if (ranges) header.ranges = ranges;
  const priority = found.get('priority');
  if (priority !== undefined) {
    if (priority !== 'high') fail(file, `'restitch:priority' can only be 'high', not '${priority}'`);
    header.priority = 'high';
  }
  const copyFrom = found.get('copy-from');
  if (copyFrom !== undefined) {
    // The only file a step may read is the runbook's own entities.txt, never a path of choice.
    if (copyFrom !== ENTITIES_FILE || kind !== 'change') fail(file, `'restitch:copy-from' can only be '${ENTITIES_FILE}' on a change step, not '${copyFrom}'`);
    header.copyFrom = copyFrom;
  }
  const noReturn = found.get('point-of-no-return');
  if (noReturn !== undefined) {
    if (noReturn !== '') fail(file, `'restitch:point-of-no-return' takes no value, not '${noReturn}'`);
    header.pointOfNoReturn = true;
  }
  const recheck = found.get('recheck-on-resume');
  if (recheck !== undefined) {
    if (recheck !== '' || kind !== 'check') fail(file, `'restitch:recheck-on-resume' takes no value and belongs on a check step`);
    header.recheckOnResume = true;
  }
  return { header, body: lines.slice(i).join('\n').replace(/^\n+/, '') };
}

function trimTrailingBlank(lines: string[]): string[] {
  const out = [...lines];
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
