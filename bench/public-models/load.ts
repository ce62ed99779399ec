/**
 * Loads the models of bench/public-models/pairs.ts for bench/cost-public.ts and scripts/fit-public-profiles.ts:
 * one analysis per model file, and a line for every pair whose model file is missing (never dropped silently).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModel } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import type { GraphAnalysis } from '../../src/graph/types.js';
import { PUBLIC_PAIRS, type PublicPair } from './pairs.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Where the pairs' model files are: make_public_models.py's output, then ../shared/models. */
export const PUBLIC_MODEL_DIRS = [here, resolve(here, '..', '..', '..', 'shared', 'models')];

export interface PairModel {
  readonly pair: PublicPair;
  readonly analysis: GraphAnalysis;
}

export async function loadPairModels(keep: (p: PublicPair) => boolean = () => true): Promise<{ models: PairModel[]; skipped: string[] }> {
  const analyses = new Map<string, GraphAnalysis>();
  const models: PairModel[] = [];
  const skipped: string[] = [];
  for (const pair of PUBLIC_PAIRS) {
    if (!keep(pair)) continue;
    const file = PUBLIC_MODEL_DIRS.map((d) => join(d, pair.model)).find((p) => existsSync(p));
    if (!file) {
      skipped.push(`${pair.device} ${pair.model}: model file missing (run bench/public-models/make_public_models.py)`);
      continue;
    }
    let analysis = analyses.get(file);
    if (!analysis) analyses.set(file, (analysis = analyzeModel(await readModel(file))));
    models.push({ pair, analysis });
  }
  return { models, skipped };
}

/**
 * How scripts/fit-public-profiles.ts fits a shipped profile to published figures, and so how the bench's
 * leave-one-architecture-out fits that device: only the figures the profile marks as estimates move, because
 * the figures come from other runtimes and would otherwise bend a documented figure (a STREAM bandwidth) to
 * explain a runtime's difference. The per-node overhead stays too: on Raspberry Pi 4 the fit moved it from
 * 8 to 35 us for an in-sample RMS of 0.254 against 0.262 held, a difference the figures cannot resolve, and
 * 35 us would multiply the estimate of every small model none of them covers.
 */
export const PUBLIC_FIT = { onlyEstimates: true, holdPerNodeOverhead: true, date: '2026-12-06' } as const;

/** The devices whose shipped profile scripts/fit-public-profiles.ts fits (see there for why not the Pi 5). */
export const PUBLICLY_FITTED_DEVICES: readonly string[] = ['raspberry-pi-4'];

/**
 * The bench's leave-one-architecture-out fit for `device`: the shipped procedure where there is one; else
 * an unconstrained fit of the accelerator unit (what calibrating on published figures would give).
 */
export function looFitOptions(device: string): { date: string; onlyEstimates?: boolean; holdPerNodeOverhead?: boolean } {
  return PUBLICLY_FITTED_DEVICES.includes(device) ? PUBLIC_FIT : { date: PUBLIC_FIT.date };
}
