/**
 * The device stage of `runCheck`: loads profiles and config once, then places each analyzed model on
 * each device (compatibility engine) and costs it (cost model, budgets).
 */
import type { GraphAnalysis } from './graph/types.js';
import type { DeviceReport, ModelReport, ReportError } from './report/types.js';
import type { CheckOptions } from './check.js';

export interface DeviceContext {
  /** Symbolic dims for a model path: config `dims` by glob, overridden by CLI/action dims. */
  dimsFor(modelPath: string): Record<string, number>;
  /** Extra top-level report fields (devices checked, config used, waivers). */
  reportExtras(): Record<string, unknown>;
  readonly deviceIds: readonly string[];
}

export async function loadDeviceContext(options: CheckOptions, errors: ReportError[]): Promise<DeviceContext> {
  if (options.devices.length > 0) {
    errors.push({ code: 'NOT_IMPLEMENTED', file: options.devices.join(','), message: 'device evaluation is not wired yet' });
  }
  const dims = { ...(options.dims ?? {}) };
  return {
    deviceIds: [],
    dimsFor: () => dims,
    reportExtras: () => ({}),
  };
}

export function evaluateDevices(_analysis: GraphAnalysis, _path: string, _ctx: DeviceContext, _model: ModelReport): DeviceReport[] {
  return [];
}
