/**
 * `edgegate parity compare REF_DIR OTHER_DIR`: compares two reference dumps (for example the same
 * model dumped on two machines), tensor by tensor, with the same metrics and tolerances as a run.
 */
import { type TensorMetrics, type ToleranceConfig, compareTensors, isQuantizedDtype, toleranceFor } from './metrics.js';
import { ReferenceDump } from './reference.js';

export interface DumpComparisonRow extends TensorMetrics {
  readonly name: string;
  readonly stage: 'inputs' | 'production' | 'localization' | 'isolation';
  readonly dtype: string;
}

export interface DumpComparison {
  readonly a: string;
  readonly b: string;
  readonly sameModel: boolean;
  readonly rows: readonly DumpComparisonRow[];
  /** Tensors present in only one dump. */
  readonly onlyInOne: readonly string[];
  readonly failing: number;
}

/** The two dumps were made from different models. */
export class DumpMismatchError extends Error {
  override readonly name = 'DumpMismatchError';
  constructor(readonly a: string, readonly b: string) {
    super(`${a} and ${b} were made from different models (sha256 differs)`);
  }
}

/** Compares dump `b` (as "actual") against dump `a` (as reference). */
export function compareDumps(aDir: string, bDir: string, tol?: ToleranceConfig): DumpComparison {
  const a = ReferenceDump.open(aDir);
  const b = ReferenceDump.open(bDir);
  if (a.manifest.model.sha256 !== b.manifest.model.sha256) throw new DumpMismatchError(aDir, bDir);
  const rows: DumpComparisonRow[] = [];
  const onlyInOne: string[] = [];
  const sections: [DumpComparisonRow['stage'], Record<string, string>, Record<string, string>][] = [
    ['inputs', a.manifest.inputs, b.manifest.inputs],
    ['production', a.manifest.production, b.manifest.production],
    ['localization', a.manifest.localization, b.manifest.localization],
  ];
  const isoA: Record<string, string> = {};
  const isoB: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.manifest.isolation)) for (const [n, id] of Object.entries(v)) isoA[`${k}:${n}`] = id;
  for (const [k, v] of Object.entries(b.manifest.isolation)) for (const [n, id] of Object.entries(v)) isoB[`${k}:${n}`] = id;
  sections.push(['isolation', isoA, isoB]);
  for (const [stage, ma, mb] of sections) {
    for (const [name, idA] of Object.entries(ma)) {
      const idB = mb[name];
      if (idB === undefined) {
        onlyInOne.push(`${stage}:${name}`);
        continue;
      }
      const ref = a.tensor(idA);
      const tensorName = stage === 'isolation' ? name.slice(name.indexOf(':') + 1) : name;
      const m = compareTensors(b.tensor(idB), ref, { tolerance: toleranceFor(tensorName, ref.type, tol), ...(isQuantizedDtype(ref.type) ? { scale: 1 } : {}) });
      rows.push({ name, stage, dtype: ref.type, ...m });
    }
    for (const name of Object.keys(mb)) if (!(name in ma)) onlyInOne.push(`${stage}:${name}`);
  }
  return { a: aDir, b: bDir, sameModel: true, rows, onlyInOne, failing: rows.filter((r) => !r.pass).length };
}
