import { describe, expect, it } from 'vitest';
import { validateThrottleQuery } from '../../src/runner/throttle/throttleQuery.js';

describe('--throttle-query validation', () => {
  it.each([
    ['SELECT count(*) FROM cdp_ps.customer_events_to_process', 'SELECT count(*) FROM cdp_ps.customer_events_to_process'],
    ['(SELECT count(*) FROM q WHERE a > 3)', 'SELECT (SELECT count(*) FROM q WHERE a > 3)'],
    ['SELECT extract(epoch FROM now() - min(created_at)) FROM t', 'SELECT extract(epoch FROM now() - min(created_at)) FROM t'],
    ["select count(*) from pg_stat_activity where state = 'active';", "select count(*) from pg_stat_activity where state = 'active'"],
  ])('accepts %s', async (raw, sql) => {
    expect(await validateThrottleQuery(raw)).toBe(sql);
  });

  it.each([
    ["SELECT nextval('s')", /nextval\(\), which is not on the allow-list/],
    ['SELECT 1; DROP TABLE x', /one SELECT, not several statements/],
    ['WITH d AS (DELETE FROM t RETURNING 1) SELECT count(*) FROM d', /does not parse/],
    ['SELECT (WITH d AS (DELETE FROM t RETURNING 1) SELECT count(*) FROM d)', /withClause/],
    ['SELECT count(*) FROM t FOR UPDATE', /lockingClause/],
    ['SELECT 1, 2', /one column/],
    ['INSERT INTO t VALUES (1)', /does not parse|not a SELECT/],
    ['SELECT count(*) FROM generate_series(1, 10)', /RangeFunction in FROM/],
    ['SELECT (SELECT pg_sleep(10))::int', /pg_sleep\(\)/],
    ["SELECT set_config('x', 'y', false)", /set_config\(\)/],
    ['SELECT 5 -- hidden', /comments/],
    ['', /is empty/],
  ])('refuses %s', async (raw, why) => {
    await expect(validateThrottleQuery(raw)).rejects.toThrow(why);
  });
});
