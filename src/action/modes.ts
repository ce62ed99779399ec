/**
 * Mode handlers of the action: `check`, `parity` and `report`
 *. parseInputs accepts only the modes listed in this map.
 */
import { runCheckMode, type CheckModeContext } from './check-mode.js';
import type { Mode } from './inputs.js';
import { runParityMode } from './parity-mode.js';
import { defaultParityPorts } from './parity-ports.js';
import { runReportMode } from './report-mode.js';

/** What every mode returns to main: the verdict is already set as an output by the handler. */
export interface ModeResult {
  readonly verdict: string;
}

export type ModeHandler = (ctx: CheckModeContext) => Promise<ModeResult>;

/** The context with the real parity ports unless the caller gave some (tests). */
function withParity(ctx: CheckModeContext): CheckModeContext {
  return ctx.parity ? ctx : { ...ctx, parity: defaultParityPorts(ctx.inputs) };
}

/** Implemented modes. */
export const MODE_HANDLERS: Partial<Record<Mode, ModeHandler>> = {
  check: async (ctx) => ({ verdict: (await runCheckMode(withParity(ctx))).decision.verdict }),
  parity: async (ctx) => ({ verdict: (await runParityMode(withParity(ctx))).result.verdict }),
  report: async (ctx) => ({ verdict: (await runReportMode(withParity(ctx))).decision.verdict }),
};

export const IMPLEMENTED_MODES = Object.keys(MODE_HANDLERS) as Mode[];
