import { parseHeader } from '../core/directives.js';
import type { RunbookFile } from '../core/types.js';
import type { Queryable } from './db.js';
import { cleanupCurrent, cleanupLegacy, fixedRule, recalculateCurrent, stitchCurrent, stitchLegacy, type Normalise } from './simulator.js';

/** What happens between steps: the stand-in for the person and the platform in the demo and tests. */
export interface Platform {
  /** A manual step (by slug): e.g. enable-cps starts the stitcher. */
  manual(slug: string): Promise<void>;
  /** Called before each try of a wait step: the clean-up routine, the stitcher. */
  tick(): Promise<void>;
}

/**
 * Executes step files as a careful person would at a console: checks must return rows that are
 * all ok, batches repeat until 0 rows, waits repeat (with the platform ticking) until they pass.
 */
export async function executeSteps(
  db: Queryable,
  files: RunbookFile[],
  platform: Platform,
  onStep: (line: string) => void = () => {},
): Promise<string[]> {
  const log: string[] = [];
  for (const file of files) {
    const { header, body } = parseHeader(file.content, file.path);
    const slug = file.path.replace(/^(undo\/)?\d+-/, '').replace(/\.sql$/, '');
    const okRows = async () => {
      const rows = (await db.query(body)).rows as { ok: boolean }[];
      return { rows, ok: rows.length > 0 && rows.every((r) => r.ok === true) };
    };
    switch (header.kind) {
      case 'manual':
        await platform.manual(slug);
        break;
      case 'change':
        await db.query('BEGIN');
        try {
          await db.query(body);
          await db.query('COMMIT');
        } catch (error) {
          await db.query('ROLLBACK');
          throw new Error(`${file.path}: ${(error as Error).message}`);
        }
        break;
      case 'batch': {
        let rounds = 0;
        for (;;) {
          const r = await db.query(body);
          if ((r.rowCount ?? 0) === 0) break;
          if (++rounds > 10_000) throw new Error(`${file.path}: batch did not reach 0 rows`);
        }
        log.push(`${file.path}: ${rounds} batch(es)`);
        break;
      }
      case 'check': {
        const { rows, ok } = await okRows();
        if (!ok) throw new Error(`${file.path}: check failed: ${JSON.stringify(rows)}`);
        break;
      }
      case 'wait': {
        let last: unknown[] = [];
        let passed = false;
        for (let i = 0; i < 20 && !passed; i++) {
          await platform.tick();
          const r = await okRows();
          last = r.rows;
          passed = r.ok;
        }
        if (!passed) throw new Error(`${file.path}: wait never passed: ${JSON.stringify(last)}`);
        break;
      }
    }
    log.push(`${file.path}: ${header.kind} done`);
    onStep(`${file.path.padEnd(36)} ${header.kind.padEnd(6)} ok   ${header.title}`);
  }
  return log;
}

/**
 * The simulated platform: CPS follows the manual enable/disable steps; every wait try runs the
 * clean-up routine and the recalculation, and the stitcher (with `rule`) while CPS is enabled.
 */
export function simulatedPlatform(db: Queryable, legacy: boolean, rule: Normalise = fixedRule): Platform {
  let cpsEnabled = false;
  return {
    async manual(slug) {
      if (slug === 'enable-cps') cpsEnabled = true;
      if (slug === 'disable-cps') cpsEnabled = false;
    },
    async tick() {
      if (legacy) {
        await cleanupLegacy(db);
        if (cpsEnabled) await stitchLegacy(db, rule);
      } else {
        await cleanupCurrent(db);
        await recalculateCurrent(db);
        if (cpsEnabled) await stitchCurrent(db, rule);
      }
    },
  };
}
