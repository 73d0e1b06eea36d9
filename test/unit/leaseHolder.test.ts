/** When a lease holder counts as gone or live, and when a takeover becomes possible: the rule status and run share. */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isGone, isLive, takeoverAfter, type LeaseHolder } from '../../src/runner/lease/lease.js';

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid as number;

const holder = (over: Partial<LeaseHolder>): LeaseHolder => ({
  incident: 'inc', runId: 'r', runbook: 'inc', checksum: 'c', host: 'elsewhere', pid: 1, step: 13,
  startedAt: new Date('2026-12-06T03:00:00Z'), heartbeatAt: new Date('2026-12-06T03:10:00Z'), ageSeconds: 3, timeoutMs: 5000, ...over,
});

describe('a lease holder', () => {
  it('is gone when it ran on this host and its pid no longer exists; a process elsewhere, or this one, is never called gone', () => {
    const pid = deadPid();
    expect(isGone({ host: hostname(), pid })).toBe(true);
    expect(isGone({ host: 'elsewhere', pid })).toBe(false);
    expect(isGone({ host: hostname(), pid: process.pid })).toBe(false);
    expect(isGone({ host: hostname(), pid: process.ppid })).toBe(false);
  });

  it("is live while its heartbeat is younger than the timeout it declared; a gone holder can be taken over now", () => {
    expect(isLive(holder({ ageSeconds: 3, timeoutMs: 5000 }))).toBe(true);
    expect(isLive(holder({ ageSeconds: 6, timeoutMs: 5000 }))).toBe(false);
    expect(takeoverAfter(holder({}))).toEqual(new Date('2026-12-06T03:10:05Z'));
    const gone = holder({ host: hostname(), pid: deadPid() });
    expect(isLive(gone)).toBe(false);
    expect(Math.abs(takeoverAfter(gone).getTime() - Date.now())).toBeLessThan(1000);
  });
});
