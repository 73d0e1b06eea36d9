/** `restitch release-incident DIR [--incident SLUG]`: a thin handler over src/runner/registry/releaseIncident.ts. */
import { releaseIncident, type ReleaseIncidentReport } from '../../runner/registry/releaseIncident.js';
import { withReleaseDeps } from './releaseLeaseCmd.js';
import { source } from './run.js';

/** Shows the incident, asks (unless `--yes`), closes it; Ctrl-C at the question keeps it open. */
export async function releaseIncidentCommand(dir: string, o: Record<string, unknown>): Promise<ReleaseIncidentReport> {
  const { src } = source(dir, false);
  return withReleaseDeps(o, (deps) => releaseIncident(src, o.incident as string | undefined, o.yes === true, deps));
}
