#!/usr/bin/env bash
# Regenerates every example runbook with the CLI (npm run examples). `restitch check` and the
# test suite fail when a checked-in example differs from what these commands render.
set -euo pipefail
cd "$(dirname "$0")/../.."
r() { node bin/restitch.js generate "$@" --force > /dev/null; }
out=generated/examples
E1=3f1c2a9e-8d4b-4c1e-9a57-0b6f2d8e4a11
E2=9b2e7c14-1a3f-4d5e-8f60-7c9d0e1f2a33
L1=11111111-1111-4111-8111-111111111111
for d in cockroachdb postgres; do
  r full-reset --dialect "$d" --incident example-full-reset --out "$out/full-reset-$d"
  r entity-oneshot --dialect "$d" --incident example-oneshot --entity "$E1" --out "$out/entity-oneshot-$d"
  r multi-entity --dialect "$d" --incident example-multi --entity "$E1" --entity "$E2" --batch-size 2 \
    --out "$out/multi-entity-$d"
  r recalc-only --dialect "$d" --incident example-recalc --entity "$E1" --entity "$E2" --out "$out/recalc-only-$d"
done
# The event_time window chooses E1 (event 3) and E2 (events 4, 5); all their events are reset.
r multi-entity --dialect postgres --incident example-window --entity "$E1" --entity "$E2" \
  --event-time-from 2026-01-01T11:30:00Z --out "$out/multi-entity-event-time-postgres"
r legacy-steps --dialect postgres --incident example-legacy \
  --where "customer_events.payload->>'ps_identifier' = 'None'" --out "$out/legacy-steps-postgres"
r legacy-steps --dialect postgres --incident example-legacy-delete --entity "$L1" \
  --delete-where "customer_events.payload->>'ps_identifier' = 'None'" \
  --out "$out/legacy-steps-delete-events-postgres"
r orphan-recovery --dialect postgres --incident example-orphans --out "$out/orphan-recovery-postgres"
echo "examples regenerated under $out"
