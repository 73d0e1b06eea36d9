import { describe, expect, it } from 'vitest';
import { inputsFingerprint, scopeFingerprint } from '../../src/core/fingerprint.js';
import { validateInputs } from '../../src/core/inputs.js';

const base = { scenario: 'multi-entity', dialect: 'postgres', incident: 'fp', entity: ['a'] };

describe('the version stamp of the working tables', () => {
  it('ignores how rows are walked: batch size and priority back up no other row', async () => {
    const a = inputsFingerprint(await validateInputs(base));
    expect(inputsFingerprint(await validateInputs({ ...base, batchSize: '5' }))).toBe(a);
    expect(inputsFingerprint(await validateInputs({ ...base, dialect: 'cockroachdb', priority: 'high' }))).toBe(a);
  });

  it('is the same for the same inputs, whatever their key order or dialect', async () => {
    const a = await validateInputs(base);
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(inputsFingerprint(reordered)).toBe(inputsFingerprint(a));
    expect(inputsFingerprint(await validateInputs({ ...base, dialect: 'cockroachdb' }))).toBe(inputsFingerprint(a));
    expect(inputsFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when anything the runbook backs up or reuses differs, --reuse-backups included', async () => {
    const a = inputsFingerprint(await validateInputs(base));
    expect(inputsFingerprint(await validateInputs({ ...base, entity: ['a', 'b'] }))).not.toBe(a);
    expect(inputsFingerprint(await validateInputs({ ...base, where: "customer_events.payload->>'x' = 'y'" }))).not.toBe(a);
    expect(inputsFingerprint(await validateInputs({ ...base, reuseBackups: true }))).not.toBe(a);
  });

  it('has a scope that differs only when other rows are chosen: entities, the event filter, --delete-where', async () => {
    const a = scopeFingerprint(await validateInputs(base));
    expect(scopeFingerprint(await validateInputs({ ...base, reuseBackups: true, batchSize: '5' }))).toBe(a);
    expect(scopeFingerprint(await validateInputs({ ...base, entity: ['a', 'b'] }))).not.toBe(a);
    expect(scopeFingerprint(await validateInputs({ ...base, where: "customer_events.payload->>'x' = 'y'" }))).not.toBe(a);
    expect(scopeFingerprint(await validateInputs({ ...base, eventTimeFrom: '2026-01-01T00:00:00Z' }))).not.toBe(a);
  });
});
