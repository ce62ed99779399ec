/**
 * Compares EdgeGate's inferred shapes with the shapes onnxruntime produced (fixtures made once by running
 * each model with every node output marked as a graph output, ORT_DISABLE_ALL). Shared by the reference
 * test and `bench/analysis-conformance.ts`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dim, Shape } from '../../src/onnx/types.js';
import { readModel } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import type { GraphAnalysis } from '../../src/graph/types.js';

export const REPO = resolve(import.meta.dirname, '..', '..');
/** ../shared next to the repo; EDGEGATE_SHARED_DIR overrides it (used to check the skip path). */
export const SHARED = process.env.EDGEGATE_SHARED_DIR ?? resolve(REPO, '..', 'shared');
export const ORT_SHAPES_DIR = join(REPO, '__tests__', 'fixtures', 'reference', 'ort-shapes');

export interface OrtShapes {
  readonly model: string;
  readonly source: string;
  readonly inputShapes: Record<string, number[]>;
  readonly tensors: Record<string, { dtype: number; shape: number[] }>;
}

export interface Conformance {
  readonly name: string;
  readonly tensors: number;
  /** Tensors whose inferred shape is fully numeric and dtype known. */
  readonly known: number;
  /** Tensors with a symbolic dim that maps consistently to ORT's number (up to renaming). */
  readonly symbolic: number;
  readonly disagreements: readonly string[];
  /** Whether the graph inputs declare symbolic dims. */
  readonly dynamic: boolean;
  readonly analysis: GraphAnalysis;
}

/** Every ORT shape fixture, with the model path resolved (repo-relative or under ../shared). */
export function ortShapeFixtures(): { name: string; ref: OrtShapes; path: string }[] {
  if (!existsSync(ORT_SHAPES_DIR)) return [];
  return readdirSync(ORT_SHAPES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const ref = JSON.parse(readFileSync(join(ORT_SHAPES_DIR, f), 'utf8')) as OrtShapes;
      const path = ref.source.startsWith('../shared/') ? join(SHARED, ref.source.slice('../shared/'.length)) : resolve(REPO, ref.source);
      return { name: f.replace(/\.json$/, ''), ref, path };
    });
}

/** Pins every symbolic input dim to the value ORT was run with. */
export function pinsFor(analysisInputs: readonly { name: string; shape: Shape }[], given: Record<string, number[]>): Record<string, number> {
  const pins: Record<string, number> = {};
  for (const vi of analysisInputs) {
    const s = given[vi.name];
    if (s === undefined || vi.shape === null) continue;
    vi.shape.forEach((d, i) => {
      if (typeof d === 'string' && typeof s[i] === 'number') pins[d] = s[i];
    });
  }
  return pins;
}

/**
 * Compares one model. A symbolic inferred dim agrees when every occurrence of that symbol maps to one ORT
 * number (renaming); an unknown dim is "not known", not a disagreement; a different number or rank, or a
 * different dtype, is a disagreement.
 */
export async function conformance(name: string, path: string, ref: OrtShapes, pin: boolean): Promise<Conformance> {
  const model = await readModel(path);
  const dims = pin ? pinsFor(model.graph.inputs, ref.inputShapes) : {};
  const analysis = analyzeModel(model, { dims });
  const dynamic = model.graph.inputs.some((i) => (i.shape ?? []).some((d) => typeof d !== 'number'));
  const renaming = new Map<string, number>();
  const disagreements: string[] = [];
  let known = 0;
  let symbolic = 0;
  let tensors = 0;
  for (const [tname, exp] of Object.entries(ref.tensors)) {
    tensors++;
    const t = analysis.tensors.get(tname);
    if (t === undefined) {
      disagreements.push(`${tname}: not in the analysis`);
      continue;
    }
    if (t.dtype !== 0 && t.dtype !== exp.dtype) disagreements.push(`${tname}: dtype ${t.dtype} vs ORT ${exp.dtype}`);
    const got: Shape = t.shape;
    if (got === null) continue;
    if (got.length !== exp.shape.length) {
      disagreements.push(`${tname}: rank ${JSON.stringify(got)} vs ORT ${JSON.stringify(exp.shape)}`);
      continue;
    }
    let allNumeric = true;
    let sym = false;
    let bad = false;
    got.forEach((d: Dim, i) => {
      const e = exp.shape[i];
      if (d === null) allNumeric = false;
      else if (typeof d === 'number') {
        if (d !== e) bad = true;
      } else {
        allNumeric = false;
        sym = true;
        const m = renaming.get(d);
        if (m === undefined) renaming.set(d, e);
        else if (m !== e) bad = true;
      }
    });
    if (bad) disagreements.push(`${tname}: ${JSON.stringify(got)} vs ORT ${JSON.stringify(exp.shape)}`);
    else if (allNumeric && t.dtype !== 0) known++;
    else if (sym && !got.includes(null)) symbolic++;
  }
  return { name, tensors, known, symbolic, disagreements, dynamic, analysis };
}
