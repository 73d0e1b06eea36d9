import { describe, expect, it } from 'vitest';
import { describeError, raisedByRunbook } from '../../src/runner/connection/sqlError.js';

const step = { file: '09-reset-entities.sql' } as Parameters<typeof describeError>[1]['step'];
const message = 'restitch: step 9 (reset-entities) refused, this statement changed nothing: entity e1 is no longer as backed up; 1 such row(s). Stop CPS';

describe('a refusal raised by a runbook statement is one line: the step file and its message', () => {
  it('PostgreSQL: invalid input syntax for type bigint', () => {
    const error = Object.assign(new Error(`invalid input syntax for type bigint: "${message}"`), { code: '22P02' });
    expect(raisedByRunbook(error)).toBe(message.slice('restitch: '.length));
    expect(describeError(error, { step })).toBe(`09-reset-entities.sql: ${message.slice('restitch: '.length)}`);
  });

  it('CockroachDB: could not parse ... as type int (pkg/sql/sem/tree ParseDInt), the message quoted twice', () => {
    const error = Object.assign(new Error(`could not parse "${message}" as type int: strconv.ParseInt: parsing "${message}": invalid syntax`), { code: '22P02' });
    expect(describeError(error, { step })).toBe(`09-reset-entities.sql: ${message.slice('restitch: '.length)}`);
  });

  it('any other invalid input stays as the server said it, with its SQLSTATE', () => {
    const error = Object.assign(new Error('invalid input syntax for type bigint: "abc"'), { code: '22P02' });
    expect(raisedByRunbook(error)).toBeNull();
    expect(describeError(error, { step })).toBe('09-reset-entities.sql: invalid input syntax for type bigint: "abc" (SQLSTATE 22P02)');
  });
});
