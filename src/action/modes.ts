/**
 * Mode handlers of the action. The parity issue adds `parity` and `report` here; parseInputs accepts
 * only the modes listed in this map.
 */
import { runCheckMode, type CheckModeContext } from './check-mode.js';
import type { Mode } from './inputs.js';

/** What every mode returns to main: the verdict is already set as an output by the handler. */
export interface ModeResult {
  readonly verdict: string;
}

export type ModeHandler = (ctx: CheckModeContext) => Promise<ModeResult>;

/** Implemented modes. */
export const MODE_HANDLERS: Partial<Record<Mode, ModeHandler>> = {
  check: async (ctx) => ({ verdict: (await runCheckMode(ctx)).decision.verdict }),
};

export const IMPLEMENTED_MODES = Object.keys(MODE_HANDLERS) as Mode[];
