import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { examplesOf } from '../../src/cli/help.js';
import { SCENARIOS } from '../../src/core/scenarios/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';

const COMMANDS = ['scenarios', 'generate', 'check', 'diff', 'bundle', 'run', 'status', 'release-lease', 'demo', 'lint', 'diagnose', 'rehearse', 'report'] as const;

/** Splits an example line as a shell would (double quotes only). */
const words = (line: string) => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

describe('--help teaches', () => {
  it.each(COMMANDS)('%s --help shows examples and the exit codes', (command) => {
    const r = runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n  restitch ${command}`));
    expect(r.stdout).toMatch(/\nExit codes: 0 /);
  });

  it('diagnose --help and lint --help give exit codes 0, 1 and 2', () => {
    expect(runCli(['diagnose', '--help']).stdout).toMatch(/\nExit codes: 0 nothing calls for a reset .*, 1 findings call for a reset .*, 2 bad usage\n/);
    expect(runCli(['lint', '--help']).stdout).toMatch(/\nExit codes: 0 no finding, 1 findings .*, 2 bad usage\n/);
  });

  it('generate --help says which options each scenario takes', () => {
    const r = runCli(['generate', '--help']);
    for (const s of SCENARIOS) expect(r.stdout).toMatch(new RegExp(`\\n  ${s.name} +${s.dialects.join('/')}: `));
    expect(r.stdout).toMatch(/legacy-steps +postgres: --entity\/--entities-file, --where/);
    expect(r.stdout).toMatch(/full-reset +cockroachdb\/postgres: --batch-size\n/);
  });

  it('the generate examples run as shown', () => {
    const dir = tempDir('help');
    examplesOf('generate').forEach((example, i) => {
      const [, ...args] = words(example);
      const r = runCli([...args, '--out', join(dir, `rb${i}`)]);
      expect(r.code, `${example}: ${r.stderr}`).toBe(0);
    });
  });
});
