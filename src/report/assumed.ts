/**
 * What the cost model assumed for a device (missing figures, unknown placements), one sentence each, for
 * the "assumed: …" line of the text output and the PR comment. Plain text; markdown callers escape it.
 */
import type { DeviceReport } from './types.js';

/** `<subject>: <assumed>` per assumption, in report order; empty when nothing was assumed. */
export function assumptionTexts(d: Pick<DeviceReport, 'assumptions'>): string[] {
  return (d.assumptions ?? []).map((a) => `${a.subject}: ${a.assumed}`);
}
