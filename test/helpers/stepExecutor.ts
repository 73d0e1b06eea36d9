import type pg from 'pg';
import { parseHeader } from '../../src/core/directives.js';
import type { RunbookFile } from '../../src/core/types.js';

/** What the platform does between steps: the test's stand-in for the person and the platform. */
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
export async function executeSteps(db: pg.Client, files: RunbookFile[], platform: Platform): Promise<string[]> {
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
  }
  return log;
}
