import { describe, expect, it } from 'vitest';
import { validateWhere } from '../../src/core/where.js';

describe('--where names only columns of customer_events', () => {
  it.each([
    ["a.identifiers && ARRAY['x']", /found the column reference a\.identifiers: name only columns of customer_events/],
    ["customer_attributes.modified IS NULL", /customer_attributes\.modified/],
    ['public.customer_events.id IS NULL', /public\.customer_events\.id/],
    ["e.payload->>'k' = 'x'", /e\.payload/],
  ])('refuses %s', async (where, message) => {
    await expect(validateWhere(where)).rejects.toThrow(message);
  });

  it('accepts bare columns and customer_events.column', async () => {
    const where = "customer_events.payload->>'k' = 'x' AND event_time > '2026-01-01' AND identifiers && ARRAY['a']";
    await expect(validateWhere(where)).resolves.toBe(where);
  });
});
