/**
 * The cost model: per-node roofline latency on the unit the placement gives each node,
 * transfers between partitions, a low–high range from the figures' uncertainty, peak RAM from the
 * target's planner, flash, and what-if savings for CPU-fallback decisions. Pure: no I/O.
 *
 * Method and limits: docs/cost-model.md.
 */
import type { GraphAnalysis } from '../graph/types.js';
import type { DevicePlacement, PlacedNode } from '../profiles/placement.js';
import type { Placement } from '../report/types.js';
import type { ComputeDtype, ComputeUnit, DeviceProfile, Figure, OpClass } from '../profiles/schema.js';
import { planGreedyBySize, planLimitReason, planOrtArena, type Buffer } from '../graph/memory.js';
import { executionSteps } from '../graph/topo.js';
import { ORT_CPU_QDQ_KERNELS, sourceWork, tensorBytes, VIEW_OPS, type LayoutTranspose, type SourceWork, type SourceWorkOptions } from './work.js';
import { coldWeightStallSeconds, kernelCurveTime, layoutTransposeBytes, layoutTransposeCurveTime } from './kernel-curves.js';

/** How the profile's runtime groups QDQ units: onnxruntime's CPU EP fuses only some (see work.ts). */
export function workOptionsFor(profile: DeviceProfile): SourceWorkOptions {
  const rt = profile.runtime;
  const cpuEp = rt.name === 'onnxruntime' && (rt.executionProvider === undefined || /^cpu/i.test(rt.executionProvider));
  if (!cpuEp) return {};
  const cpu = profile.hardware.units.find((u) => u.id === profile.hardware.fallbackUnit);
  const signed = cpu?.signedInt8Unfused?.ops;
  return { qdqKernels: ORT_CPU_QDQ_KERNELS, keepsConstantDq: true, nhwcInt8Layout: true, ...(signed ? { signedUnfused: new Set(signed) } : {}) };
}

/**
 * Something the estimate had to assume because a figure was missing or a node's placement was not known:
 * `subject` names what (unit and figure, node), `assumed` what was used instead. Shown as
 * "assumed: …" on the device line of the text output and the PR comment.
 */
export interface CostAssumption {
  readonly subject: string;
  readonly assumed: string;
}

/** One line per assumption: `<subject>: <assumed>`. */
export function assumptionText(a: CostAssumption): string {
  return `${a.subject}: ${a.assumed}`;
}

/** Assumptions collected while costing, keyed by their text (each is reported once). */
export type AssumptionNotes = Map<string, CostAssumption>;

function addNote(notes: AssumptionNotes | undefined, a: CostAssumption | undefined): void {
  if (notes && a) notes.set(assumptionText(a), a);
}

/** Latency with its range, in milliseconds. */
export interface LatencyRange {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

export type Bound = 'compute' | 'memory' | 'overhead';

/** Cost of one placed node. */
export interface NodeCost {
  /** Index in the placed graph (`PlacedNode.index`). */
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly latencyMs: number;
  /** Compute unit id the node runs on. */
  readonly unit: string;
  readonly bound: Bound;
  readonly opClass: OpClass;
  readonly dtype: ComputeDtype;
  /** Work (MACs, or other ops for MAC-free nodes) and bytes moved, summed over the node's source nodes. */
  readonly work: number;
  readonly bytes: number;
  readonly sourceNodes: readonly number[];
}

/** One tensor crossing between units/partitions. */
export interface TransferCost {
  readonly tensor: string;
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
  readonly latencyMs: number;
}

/** Saving if one CPU-fallback node ran on the accelerator instead. */
export interface WhatIf {
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly placement: Placement;
  readonly reason: string;
  /** Whole-model latency now and with this node accelerated (transfers included). */
  readonly currentMs: number;
  readonly acceleratedMs: number;
  readonly savingMs: number;
  /** savingMs ÷ estimate. */
  readonly savingFraction: number;
  /** This node's own time on the fallback unit ÷ on the accelerator. */
  readonly nodeSpeedup: number | null;
  readonly hint?: string;
}

export interface RamBreakdown {
  readonly activationBytes: number;
  readonly weightBytes: number;
  readonly runtimeBytes: number;
  /**
   * onnxruntime holds the parsed model file while it creates the session's initializers, before any
   * activation exists: the load peak is weights + file, the run peak weights + activations.
   */
  readonly loadTransientBytes: number;
  readonly planner: 'greedy' | 'ort-arena';
}

export interface FlashBreakdown {
  readonly weightBytes: number;
  readonly runtimeBytes: number;
  /** `model` (weights as stored) or the target dtype weights are converted to (`int8`). */
  readonly weightDtype: string;
}

/** Per placed node (by position in `placement.nodes`): what `CostEstimate.perNode` lists, as columns. */
export interface NodeCostTable {
  readonly latencyMs: ArrayLike<number>;
  readonly unit: readonly string[];
}

export interface CostEstimate {
  /** Null when some node's work is unknown (unpinned symbolic dims); see `unknownReason`. */
  readonly latencyMs: LatencyRange | null;
  /** One entry per placed node, in placement order (made on first read from `nodeCosts`). */
  readonly perNode: NodeCost[];
  /** The same per node, without an object per node: what the report reads. */
  readonly nodeCosts: NodeCostTable;
  readonly transfers: TransferCost[];
  readonly transferMs: number;
  readonly peakRamBytes: number | null;
  readonly ram: RamBreakdown | null;
  readonly flashBytes: number | null;
  readonly flash: FlashBreakdown | null;
  readonly whatIf: WhatIf[];
  /** Things the estimate had to assume (missing figures, unknown placements), as text (`assumptionText`). */
  readonly assumptions: string[];
  /** The same, structured. */
  readonly assumptionList: CostAssumption[];
  readonly unknownReason?: string;
}

/**
 * Default range half-width in log-space standard deviations: 1.2816 makes `low` and `high` the 10th and 90th
 * percentiles of a log-normal error with the estimate's σ, so about 80 % of real runs should fall inside the
 * range and 10 % above `high` ("P90", the percentile MLPerf reports for single-stream latency). It was 2 (≈ 95 %),
 * which gave ranges of ×7 on uncalibrated profiles (docs/cost-model.md, "The sum and its range").
 */
export const DEFAULT_RANGE_Z = 1.2816;

export interface CostOptions {
  /** Range half-width in log-space standard deviations (default `DEFAULT_RANGE_Z`, the 10th–90th percentile). */
  readonly rangeZ?: number;
  /** Report what-ifs that save more than this share of the estimate (default 0.1). */
  readonly whatIfThreshold?: number;
}

/** `TransferCost.tensor` of the weights streamed past the accelerator's on-chip cache. */
export const STREAMED_WEIGHTS = '(weights beyond the on-chip cache)';

/** Log-space σ of an efficiency figure that no calibration covers: a datasheet figure, an estimate, or none. */
export const DEFAULT_SIGMA = { sourced: Math.log(1.5), estimate: Math.log(2), missing: Math.log(3) } as const;

/** Where a node runs: unit id plus partition key (`cpu`, or `acc:<id>`). */
interface Site {
  readonly unit: string;
  readonly key: string;
  readonly accelerated: boolean;
}

function unitById(profile: DeviceProfile, id: string): ComputeUnit {
  const u = profile.hardware.units.find((x) => x.id === id);
  if (!u) throw new RangeError(`profile ${profile.id}: unit '${id}' is not in hardware.units`);
  return u;
}

/** An efficiency figure as {@link efficiencyFor} gives it. */
export interface Efficiency {
  readonly value: number;
  readonly sigma: number;
  readonly key: string;
  readonly note?: CostAssumption;
}

/**
 * Efficiency figures looked up during one estimate, by unit, op class and dtype: the cost model asks once
 * per node (a model can have a million), and a lookup makes a key string and a result object. Made per
 * estimate, because calibration changes a profile's figures in place.
 */
export class EfficiencyMemo {
  private readonly byUnit = new Map<ComputeUnit, Map<OpClass, Map<ComputeDtype, Efficiency>>>();

  constructor(private readonly profile: DeviceProfile) {}

  get(unit: ComputeUnit, opClass: OpClass, dtype: ComputeDtype): Efficiency {
    let byClass = this.byUnit.get(unit);
    if (byClass === undefined) this.byUnit.set(unit, (byClass = new Map<OpClass, Map<ComputeDtype, Efficiency>>()));
    let byDtype = byClass.get(opClass);
    if (byDtype === undefined) byClass.set(opClass, (byDtype = new Map<ComputeDtype, Efficiency>()));
    let hit = byDtype.get(dtype);
    if (hit === undefined) byDtype.set(dtype, (hit = efficiencyFor(this.profile, unit, opClass, dtype)));
    return hit;
  }
}

/** The efficiency figure for (class, dtype) with its fallbacks, and how trustworthy it is (σ). */
export function efficiencyFor(profile: DeviceProfile, unit: ComputeUnit, opClass: OpClass, dtype: ComputeDtype): Efficiency {
  const cal = profile.calibration?.uncertainty[unit.id];
  const pick = (c: OpClass, d: ComputeDtype): Figure | undefined => unit.efficiency[c]?.[d];
  const chain: [OpClass, ComputeDtype][] = [
    [opClass, dtype],
    [opClass, 'float'],
    ['other', dtype],
    ['other', 'float'],
  ];
  for (const [c, d] of chain) {
    const f = pick(c, d);
    if (!f) continue;
    const calSigma = cal?.[c]?.[d];
    const sigma = calSigma ?? (f.estimate ? DEFAULT_SIGMA.estimate : DEFAULT_SIGMA.sourced);
    const exact = c === opClass && d === dtype;
    return {
      value: Math.max(f.value, 1e-6),
      sigma: exact ? sigma : Math.max(sigma, DEFAULT_SIGMA.estimate),
      key: `${unit.id}/${c}/${d}`,
      ...(exact ? {} : { note: { subject: `${unit.id} efficiency ${opClass}/${dtype}`, assumed: `not in the profile; used ${c}/${d} (${f.value})` } }),
    };
  }
  return { value: 0.1, sigma: DEFAULT_SIGMA.missing, key: `${unit.id}/default`, note: { subject: `${unit.id} efficiency ${opClass}/${dtype}`, assumed: 'no efficiency figures; used 0.1 of peak' } };
}

/** Peak MAC/s for a dtype, falling back to float (e.g. int8 on a CPU profile that lists only float). */
export function peakFor(unit: ComputeUnit, dtype: ComputeDtype): { value: number; note?: CostAssumption } {
  const f = unit.peakMacsPerSecond[dtype];
  if (f) return { value: f.value };
  const fl = unit.peakMacsPerSecond.float ?? Object.values(unit.peakMacsPerSecond)[0];
  if (!fl) return { value: 1e9, note: { subject: `${unit.id} peak MAC/s`, assumed: 'none in the profile; used 1 GMAC/s' } };
  const used = unit.peakMacsPerSecond.float ? 'float' : Object.keys(unit.peakMacsPerSecond)[0];
  return { value: fl.value, note: { subject: `${unit.id} peak MAC/s for ${dtype}`, assumed: `not in the profile; used the ${used} peak` } };
}

/**
 * True when the target converts the model to full-integer (TFLite converters for Edge TPU, Ethos-U,
 * TFLM): float nodes then compute in the target's activation dtype and their tensors shrink with it.
 */
export function convertsToInteger(profile: DeviceProfile): boolean {
  return profile.conversion !== undefined && (profile.quantization.required || /int/i.test(profile.conversion.quantization ?? ''));
}

/**
 * The work as the target runs it: a float node on a full-integer converted target computes in int8; on a
 * unit whose runtime runs float as fp16 (`floatComputeDtype`: QNN HTP, NNAPI's relaxed fp32) it computes in
 * fp16 and its tensors and weights are half the size.
 */
export function asTargetRuns(profile: DeviceProfile, w: SourceWork, onAccelerator: boolean, unit?: ComputeUnit): SourceWork {
  if (w.dtype !== 'float') return w;
  const half = unit?.floatComputeDtype?.dtype;
  if (half && !(onAccelerator && convertsToInteger(profile))) {
    return { ...w, dtype: half, bytes: w.bytes === null ? null : w.bytes / 2, weightBytes: w.weightBytes / 2 };
  }
  if (!onAccelerator || !convertsToInteger(profile)) return w;
  const target = (profile.quantization.activationDtypes[0] ?? 'int8').replace(/^u/, '');
  const dtype: ComputeDtype = target === 'int16' ? 'int16' : 'int8';
  const shrink = dtype === 'int16' ? 2 : 4;
  return { ...w, dtype, bytes: w.bytes === null ? null : w.bytes / shrink, weightBytes: w.weightBytes / shrink };
}

/** Roofline of one source node on a unit (seconds, without the per-node overhead). */
export interface Roofline {
  readonly computeS: number;
  readonly memoryS: number;
  readonly effKey: string;
  readonly sigma: number;
}

/**
 * max(work ÷ (peak × efficiency), bytes ÷ bandwidth), split into its two terms. Weights are read at
 * `memoryBandwidthBytesPerSecond` except `cachedWeightBytes` of them (inside the accelerator's on-chip weight
 * cache), which are read at the on-chip bandwidth like activations; `streamedWeightBytes` (beyond the cache)
 * are not in the memory term at all: the caller charges them as a host transfer.
 */
export function roofline(
  profile: DeviceProfile,
  unit: ComputeUnit,
  w: Pick<SourceWork, 'opClass' | 'dtype' | 'work' | 'bytes' | 'weightBytes'>,
  notes?: AssumptionNotes,
  weightSplit?: { readonly cachedWeightBytes: number; readonly streamedWeightBytes: number },
  analysis?: GraphAnalysis,
  memo?: EfficiencyMemo,
): Roofline {
  // A calibrated kernel curve (calibrate --kernels) knows the node's shape, timed with its weights hot in the
  // core's level-2 cache; in a model whose weights do not all fit there they come back from the shared cache
  // or DRAM on each inference (mobilenet_v3_large's 10 MB of classifier GEMVs run at 17 GB/s in the network,
  // against 72 GB/s alone with the same weights in a 32 MiB L3).
  const curve = analysis && 'index' in w && 'opType' in w ? kernelCurveTime(profile, unit, analysis, w as SourceWork) : null;
  if (curve) {
    const bw = unit.memoryBandwidthBytesPerSecond.value;
    const keep = unit.coreCacheBytes ?? unit.cacheBytes;
    const cached = keep !== undefined && analysis!.totals.weightBytes <= keep.value;
    const weights = weightSplit || cached ? 0 : Math.min(w.weightBytes ?? 0, w.bytes ?? 0);
    // A compute curve's kernel hides only part of that stream behind its arithmetic (the cold chains).
    const st = unit.coldWeightStall?.[w.dtype];
    const stall = st && weights > 0 && curve.computeS > 0 ? coldWeightStallSeconds({ perKernelUs: st.perKernelUs.value, perMebibyteUs: st.perMebibyteUs.value, fromMebibytes: st.fromMebibytes.value }, weights) : 0;
    return { computeS: curve.computeS + stall, memoryS: Math.max(curve.memoryS, bw > 0 ? weights / bw : 0), effKey: curve.effKey, sigma: curve.sigma };
  }
  const eff = memo ? memo.get(unit, w.opClass, w.dtype) : efficiencyFor(profile, unit, w.opClass, w.dtype);
  const peak = peakFor(unit, w.dtype);
  addNote(notes, eff.note);
  addNote(notes, peak.note);
  const computeS = (w.work ?? 0) / (peak.value * eff.value);
  const bw = unit.memoryBandwidthBytesPerSecond.value;
  const total = w.bytes ?? 0;
  const weights = Math.min(w.weightBytes ?? 0, total);
  const bwAct = activationBandwidth(profile, unit, total - weights);
  const cached = weightSplit ? Math.min(weightSplit.cachedWeightBytes, weights) : 0;
  const offChip = weightSplit ? 0 : weights;
  const memoryS = (bw > 0 ? offChip / bw : 0) + (bwAct > 0 ? (total - weights + cached) / bwAct : 0);
  return { computeS, memoryS, effKey: eff.key, sigma: eff.sigma };
}

/**
 * One layout Transpose the runtime inserts (src/cost/work.ts, `layoutTransposes`): its calibrated
 * `Transpose-nhwc` curve, else the unit's data-movement figure for the bytes it reads and writes.
 */
function layoutTransposeCost(profile: DeviceProfile, unit: ComputeUnit, t: LayoutTranspose, notes: AssumptionNotes, memo: EfficiencyMemo): Roofline {
  const curve = layoutTransposeCurveTime(profile, unit, t);
  if (curve) return curve;
  return roofline(profile, unit, { opClass: 'data_movement', dtype: t.dtype, work: 0, bytes: layoutTransposeBytes(t.dtype, t.elements), weightBytes: 0 }, notes, undefined, undefined, memo);
}

/**
 * Where one node's activations are read and written: the calibrated activation bandwidth; else the NPU's
 * on-chip memory; else the CPU's last-level cache when the node's activations fit in it (its producer has
 * just written them there); else DRAM.
 */
export function activationBandwidth(profile: DeviceProfile, unit: ComputeUnit, activationBytes: number): number {
  const calibrated = profile.calibration?.activationBandwidthBytesPerSecond?.[unit.id];
  if (calibrated !== undefined) return calibrated;
  if (unit.onChipBandwidthBytesPerSecond) return unit.onChipBandwidthBytesPerSecond.value;
  const cache = unit.cacheBytes?.value;
  const cacheBw = unit.cacheBandwidthBytesPerSecond?.value;
  if (cache !== undefined && cacheBw !== undefined && activationBytes <= cache) return cacheBw;
  return unit.memoryBandwidthBytesPerSecond.value;
}

/**
 * Splits the accelerator's weights into the part its on-chip cache holds and the part streamed from host
 * memory on every inference (Edge TPU: parameters beyond ~8 MB). The cache fills in execution order, as the
 * Edge TPU compiler reports "on-chip memory used for caching model parameters" and "off-chip memory used
 * for streaming uncached model parameters". Returns per source node its cached and streamed bytes.
 */
export function weightCacheSplit(cacheBytes: number, weightBytesInOrder: readonly (readonly [number, number])[]): Map<number, { cachedWeightBytes: number; streamedWeightBytes: number }> {
  const out = new Map<number, { cachedWeightBytes: number; streamedWeightBytes: number }>();
  let left = Math.max(0, cacheBytes);
  for (const [node, bytes] of weightBytesInOrder) {
    const cached = Math.min(left, bytes);
    left -= cached;
    out.set(node, { cachedWeightBytes: cached, streamedWeightBytes: bytes - cached });
  }
  return out;
}

/**
 * Per placed node costs as columns (one typed array or shared-string list per field): a device's estimate
 * lives until its report entries are made, and a model can have a million nodes. `NodeCost` objects are
 * made from it only when someone reads `CostEstimate.perNode`.
 */
class NodeCostColumns {
  readonly latencyMs: Float64Array;
  readonly work: Float64Array;
  readonly bytes: Float64Array;
  readonly unit: string[];
  readonly bound: Bound[];
  readonly opClass: OpClass[];
  readonly dtype: ComputeDtype[];

  constructor(readonly nodes: readonly PlacedNode[]) {
    const n = nodes.length;
    this.latencyMs = new Float64Array(n);
    this.work = new Float64Array(n);
    this.bytes = new Float64Array(n);
    this.unit = new Array<string>(n);
    this.bound = new Array<Bound>(n);
    this.opClass = new Array<OpClass>(n);
    this.dtype = new Array<ComputeDtype>(n);
  }

  /** The node at position `i` as a `NodeCost`. */
  at(i: number): NodeCost {
    const p = this.nodes[i]!;
    return {
      index: p.index,
      name: p.name,
      op: p.op,
      latencyMs: this.latencyMs[i]!,
      unit: this.unit[i]!,
      bound: this.bound[i]!,
      opClass: this.opClass[i]!,
      dtype: this.dtype[i]!,
      work: this.work[i]!,
      bytes: this.bytes[i]!,
      sourceNodes: p.sourceNodes,
    };
  }
}

interface Core {
  readonly totalS: number;
  readonly perNode: NodeCostColumns;
  readonly transfers: TransferCost[];
  readonly transferS: number;
  /** Seconds per uncertainty group (efficiency key, overhead per unit, transfers) and its σ. */
  readonly groups: Map<string, { s: number; sigma: number }>;
  /** Seconds of nodes whose site is `unknown` on the fallback unit vs on the accelerator (range widening). */
  readonly unknownDeltaS: number;
}

/** Where every placed node runs; nodes on one unit and partition share one Site. */
function placedSites(profile: DeviceProfile, nodes: readonly PlacedNode[]): Site[] {
  const hw = profile.hardware;
  const cpu: Site = { unit: hw.fallbackUnit, key: 'cpu', accelerated: false };
  const byPartition = new Map<number, Site>();
  return nodes.map((p) => {
    if (p.placement !== 'accelerated') return cpu;
    const id = p.partition ?? 0;
    let site = byPartition.get(id);
    if (site === undefined) byPartition.set(id, (site = { unit: hw.acceleratorUnit, key: `acc:${id}`, accelerated: true }));
    return site;
  });
}

function transferSpec(profile: DeviceProfile, from: string, to: string, notes?: AssumptionNotes): { bw: number; fixedS: number; sigma: number } {
  const t = profile.hardware.transfers.find((x) => x.from === from && x.to === to);
  if (t) {
    const sig = t.bytesPerSecond.estimate || t.fixedUs.estimate ? DEFAULT_SIGMA.estimate : DEFAULT_SIGMA.sourced;
    return { bw: t.bytesPerSecond.value, fixedS: t.fixedUs.value * 1e-6, sigma: sig };
  }
  // No figure: the slower unit's memory bandwidth, no fixed cost, wide uncertainty.
  const a = unitById(profile, from).memoryBandwidthBytesPerSecond.value;
  const b = unitById(profile, to).memoryBandwidthBytesPerSecond.value;
  addNote(notes, { subject: `transfer ${from} → ${to}`, assumed: `no figure; used the slower unit's memory bandwidth (${Math.min(a, b)} B/s), no fixed cost` });
  return { bw: Math.min(a, b), fixedS: 0, sigma: DEFAULT_SIGMA.missing };
}

/** A placed node that only reinterprets a tensor (a view, or Identity) never owns the work of the node it came from. */
const reinterprets = (op: string): boolean => VIEW_OPS.has(op) || op === 'Identity';

/**
 * The placed node that carries each source node's work. A runtime rewrite can give several placed nodes
 * the same source nodes (MatMulAddFusion on 3-D inputs: Reshape → Gemm → Reshape, all standing for the
 * MatMul and the Add); summing the work on each of them counted it three times (a tiny ViT's estimate was
 * 0.44 ms where its source nodes cost 0.29 ms). The owner is the first placed node that is not a view op,
 * else the first one. -1: the source node is on no placed node.
 */
function sourceOwners(analysis: GraphAnalysis, placement: DevicePlacement): Int32Array {
  const owner = new Int32Array(analysis.nodes.length).fill(-1);
  placement.nodes.forEach((p, i) => {
    for (const s of p.sourceNodes) {
      if (s < 0 || s >= owner.length) continue;
      const o = owner[s]!;
      if (o === -1 || (reinterprets(placement.nodes[o]!.op) && !reinterprets(p.op))) owner[s] = i;
    }
  });
  return owner;
}

/**
 * Latency of a whole placement (no range): per placed node, transfers, uncertainty groups.
 * `sites[i]` is where placed node i runs; `owner` is {@link sourceOwners} of the placement.
 */
function computeCore(
  analysis: GraphAnalysis,
  placement: DevicePlacement,
  profile: DeviceProfile,
  works: readonly SourceWork[],
  sites: readonly Site[],
  owner: Int32Array,
  notes: AssumptionNotes,
  memo: EfficiencyMemo,
): Core {
  const groups = new Map<string, { s: number; sigma: number }>();
  const addGroup = (key: string, s: number, sigma: number): void => {
    const g = groups.get(key);
    if (g) g.s += s;
    else groups.set(key, { s, sigma });
  };
  const calOverheadSigma = profile.calibration?.overheadSigma ?? {};
  // Site of every source node (through its placed node), and of its kernel owner.
  const sourceSite = new Array<Site | undefined>(analysis.nodes.length);
  placement.nodes.forEach((p, i) => {
    for (const s of p.sourceNodes) sourceSite[s] = sites[i]!;
  });
  const perNode = new NodeCostColumns(placement.nodes);
  let total = 0;
  let unknownDelta = 0;
  // Accelerator weight cache (Edge TPU): which accelerated weights stay on chip, which stream per inference.
  const hwc = profile.hardware;
  const cacheBytes = hwc.acceleratorWeightCacheBytes?.value;
  let split: Map<number, { cachedWeightBytes: number; streamedWeightBytes: number }> | null = null;
  let streamedBytes = 0;
  if (cacheBytes !== undefined && hwc.acceleratorUnit !== hwc.fallbackUnit) {
    const inOrder: [number, number][] = [];
    const placedOf = new Map<number, number>();
    placement.nodes.forEach((p, i) => p.sourceNodes.forEach((s) => placedOf.set(s, i)));
    for (const s of analysis.order) {
      const i = placedOf.get(s);
      const w0 = works[s];
      if (i === undefined || !w0 || w0.free || w0.mergedAs !== undefined) continue;
      const site = sites[i]!;
      if (!site.accelerated || site.unit !== hwc.acceleratorUnit) continue;
      const w = asTargetRuns(profile, w0, true, unitById(profile, hwc.acceleratorUnit));
      if (w.weightBytes > 0) inOrder.push([s, Math.min(w.weightBytes, w.bytes ?? w.weightBytes)]);
    }
    split = weightCacheSplit(cacheBytes, inOrder);
    for (const v of split.values()) streamedBytes += v.streamedWeightBytes;
  }
  placement.nodes.forEach((p, i) => {
    const site = sites[i]!;
    const unit = unitById(profile, site.unit);
    let nodeS = 0;
    let kernel = false;
    let work = 0;
    let bytes = 0;
    let computeS = 0;
    let memoryS = 0;
    let cls: OpClass = 'other';
    let dtype: ComputeDtype = 'float';
    let bestWork = -1;
    let helper = false;
    let extraKernels = 0;
    for (const s of p.sourceNodes) {
      const w0 = works[s];
      if (!w0 || w0.free || w0.mergedAs !== undefined) continue;
      // A node the runtime inserted beside the one that owns this source node's work (the Reshapes around a
      // 3-D MatMulAddFusion Gemm, a split HardSwish) is a kernel of its own, but the work is counted once.
      if (owner[s] !== i) {
        helper = true;
        continue;
      }
      const w = asTargetRuns(profile, w0, site.unit === profile.hardware.acceleratorUnit && site.accelerated, unit);
      kernel = true;
      const r = roofline(profile, unit, w, notes, split?.get(s), analysis, memo);
      const t = Math.max(r.computeS, r.memoryS);
      nodeS += t;
      computeS += r.computeS;
      memoryS += r.memoryS;
      addGroup(r.effKey, t, r.sigma);
      work += w.work ?? 0;
      bytes += w.bytes ?? 0;
      // The runtime's layout Transposes where this kernel's channels-last int8 region meets the graph.
      for (const lt of w0.layoutTransposes ?? []) {
        const lr = layoutTransposeCost(profile, unit, lt, notes, memo);
        const ltS = Math.max(lr.computeS, lr.memoryS);
        nodeS += ltS;
        memoryS += lr.memoryS;
        addGroup(lr.effKey, ltS, lr.sigma);
        bytes += layoutTransposeBytes(lt.dtype, lt.elements);
        extraKernels++;
      }
      if ((w.work ?? 0) > bestWork) {
        bestWork = w.work ?? 0;
        cls = w.opClass;
        dtype = w.dtype;
      }
    }
    // A placed node that only stands for merged/folded source nodes has no kernel of its own.
    if (!kernel && p.sourceNodes.length > 0) {
      const w = works[p.sourceNodes[0]!];
      if (w) {
        cls = w.opClass;
        dtype = w.dtype;
      }
    }
    const overheadS = ((kernel || helper ? 1 : 0) + extraKernels) * unit.perNodeOverheadUs.value * 1e-6;
    if (overheadS > 0) {
      const sig = calOverheadSigma[unit.id] ?? (unit.perNodeOverheadUs.estimate ? DEFAULT_SIGMA.estimate : DEFAULT_SIGMA.sourced);
      addGroup(`${unit.id}/overhead`, overheadS, sig);
    }
    const latS = nodeS + overheadS;
    const bound: Bound = overheadS > Math.max(computeS, memoryS) ? 'overhead' : computeS >= memoryS ? 'compute' : 'memory';
    if (p.placement === 'unknown' && profile.hardware.acceleratorUnit !== profile.hardware.fallbackUnit) {
      // Estimated on the fallback unit; the accelerator would be faster: the range's low end uses it.
      const acc = unitById(profile, profile.hardware.acceleratorUnit);
      let accS = kernel || helper ? acc.perNodeOverheadUs.value * 1e-6 : 0;
      for (const s of p.sourceNodes) {
        const w0 = works[s];
        if (!w0 || w0.free || w0.mergedAs !== undefined || owner[s] !== i) continue;
        const r = roofline(profile, acc, asTargetRuns(profile, w0, true, acc), undefined, undefined, undefined, memo);
        accS += Math.max(r.computeS, r.memoryS);
      }
      unknownDelta += Math.max(0, latS - accS);
    }
    total += latS;
    perNode.latencyMs[i] = latS * 1e3;
    perNode.unit[i] = unit.id;
    perNode.bound[i] = bound;
    perNode.opClass[i] = cls;
    perNode.dtype[i] = dtype;
    perNode.work[i] = work;
    perNode.bytes[i] = bytes;
  });

  // Transfers: a tensor whose producing kernel and consuming kernel sit in different partitions/units.
  const transfers: TransferCost[] = [];
  let transferS = 0;
  const hw = profile.hardware;
  const integerIo = convertsToInteger(profile);
  const ioDtype = (profile.quantization.activationDtypes[0] ?? 'int8').replace(/^u/, '');
  const ioElementBytes = ioDtype === 'int16' ? 2 : 1;
  const seen = new Set<string>();
  const kernelSite = (src: number): Site | undefined => {
    const w = works[src];
    return sourceSite[w ? w.owner : src] ?? sourceSite[src];
  };
  const addTransfer = (tensor: string, from: Site, to: Site): void => {
    const hops: [string, string][] = [];
    if (from.unit !== to.unit) hops.push([from.unit, to.unit]);
    else if (from.key !== to.key && from.accelerated && to.accelerated && hw.fallbackUnit !== from.unit) {
      // Two accelerator partitions exchange tensors through the host.
      hops.push([from.unit, hw.fallbackUnit], [hw.fallbackUnit, to.unit]);
    }
    if (hops.length === 0) return;
    const k = `${tensor}→${to.key}`;
    if (seen.has(k)) return;
    seen.add(k);
    const t = analysis.tensors.get(tensor);
    let bytes = tensorBytes(t) ?? 0;
    // A full-integer converted target exchanges its tensors in its activation dtype (uint8/int8 on the
    // Edge TPU), not in the ONNX graph's float type.
    if (integerIo && (from.unit === hw.acceleratorUnit || to.unit === hw.acceleratorUnit) && t) {
      const size = t.dtype === 1 ? 4 : t.dtype === 10 || t.dtype === 16 ? 2 : t.dtype === 11 ? 8 : 1;
      bytes = Math.round((bytes / size) * ioElementBytes);
    }
    for (const [a, b] of hops) {
      const spec = transferSpec(profile, a, b, notes);
      const s = (spec.bw > 0 ? bytes / spec.bw : 0) + spec.fixedS;
      transferS += s;
      addGroup(`transfer/${a}/${b}`, s, spec.sigma);
      transfers.push({ tensor, from: a, to: b, bytes, latencyMs: s * 1e3 });
    }
  };
  const host: Site = { unit: hw.fallbackUnit, key: 'cpu', accelerated: false };
  if (streamedBytes > 0) {
    // Parameters beyond the on-chip cache cross the host link on every inference.
    const spec = transferSpec(profile, hw.fallbackUnit, hw.acceleratorUnit, notes);
    const s = spec.bw > 0 ? streamedBytes / spec.bw : 0;
    transferS += s;
    addGroup(`transfer/${hw.fallbackUnit}/${hw.acceleratorUnit}`, s, spec.sigma);
    transfers.push({ tensor: STREAMED_WEIGHTS, from: hw.fallbackUnit, to: hw.acceleratorUnit, bytes: streamedBytes, latencyMs: s * 1e3 });
    addNote(notes, { subject: 'weights', assumed: `${streamedBytes} bytes beyond the accelerator's ${cacheBytes} byte on-chip cache stream from the host on every inference` });
  }
  const graphInputs = new Set(analysis.model.graph.inputs.map((i) => i.name));
  for (const node of analysis.model.graph.nodes) {
    const w = works[node.index];
    if (!w || w.free) continue;
    const to = kernelSite(node.index);
    if (!to) continue;
    for (const x of node.inputs) {
      if (x === '') continue;
      const t = analysis.tensors.get(x);
      if (!t || t.isConstant) continue;
      if (t.producer === null) {
        if (graphInputs.has(x)) addTransfer(x, host, to);
        continue;
      }
      const from = kernelSite(t.producer);
      if (!from || (works[t.producer]?.owner ?? t.producer) === w.owner) continue;
      addTransfer(x, from, to);
    }
  }
  for (const o of analysis.model.graph.outputs) {
    const t = analysis.tensors.get(o.name);
    if (!t || t.producer === null) continue;
    const from = kernelSite(t.producer);
    if (from) addTransfer(o.name, from, host);
  }
  const perInference = perInferenceOverhead(profile);
  if (perInference.s > 0) addGroup('per-inference', perInference.s, perInference.sigma);
  return { totalS: total + transferS + perInference.s, perNode, transfers, transferS, groups, unknownDeltaS: unknownDelta };
}

/**
 * The fixed cost of one inference: the calibration's fitted figure, else the profile's
 * `hardware.perInferenceOverheadUs` (a public measurement), else none.
 */
export function perInferenceOverhead(profile: DeviceProfile): { s: number; sigma: number } {
  const cal = profile.calibration?.perInferenceOverheadUs;
  if (cal !== undefined) return { s: cal * 1e-6, sigma: profile.calibration?.overheadSigma?.['per-inference'] ?? DEFAULT_SIGMA.sourced };
  const fig = profile.hardware.perInferenceOverheadUs;
  if (!fig) return { s: 0, sigma: 0 };
  return { s: fig.value * 1e-6, sigma: fig.estimate ? DEFAULT_SIGMA.estimate : DEFAULT_SIGMA.sourced };
}

/**
 * Range from the core's uncertainty groups. Errors within a group (one efficiency figure) are fully
 * correlated; groups are independent: σ² = Σ (share_g · σ_g)² + σ_residual², in log space. The range
 * is estimate · exp(∓ z·σ). Nodes placed `unknown` widen the low end: it starts from the total with those
 * nodes at their accelerator time (never below zero, as it would if their saving were subtracted after
 * scaling), so 0 < low ≤ estimate ≤ high.
 */
export function rangeFrom(core: Pick<Core, 'totalS' | 'groups' | 'unknownDeltaS'>, residualSigma: number, z: number): LatencyRange {
  const T = core.totalS;
  if (T <= 0) return { estimate: 0, low: 0, high: 0 };
  let v = residualSigma * residualSigma;
  for (const g of core.groups.values()) {
    const share = g.s / T;
    v += (share * g.sigma) ** 2;
  }
  const sigma = Math.sqrt(v);
  const est = T * 1e3;
  const lowBase = T - core.unknownDeltaS > 0 ? T - core.unknownDeltaS : T;
  return { estimate: est, low: lowBase * 1e3 * Math.exp(-z * sigma), high: est * Math.exp(z * sigma) };
}

/** What {@link activationPlan} gives: the arena size, or why there is none. */
interface ActivationPlan {
  readonly peakBytes: number;
  /** Activation tensors of unknown size (then no plan is made). */
  readonly unknown: number;
  /** Set when the lifetimes overlap past the planning limit (`planLimitReason`). */
  readonly notPlanned?: string;
}

const planCache = new WeakMap<readonly SourceWork[], Map<DeviceProfile['hardware']['memoryPlanner'], ActivationPlan>>();

/**
 * The activation arena a planner needs for the tensors that exist at run time (kernel interiors left
 * out), or how many tensors have unknown sizes. Depends on the kernels (`works`) and the planner only, so
 * devices that share both share one plan.
 */
function activationPlan(analysis: GraphAnalysis, works: readonly SourceWork[], planner: DeviceProfile['hardware']['memoryPlanner']): ActivationPlan {
  let byPlanner = planCache.get(works);
  if (byPlanner === undefined) planCache.set(works, (byPlanner = new Map<DeviceProfile['hardware']['memoryPlanner'], ActivationPlan>()));
  const hit = byPlanner.get(planner);
  if (hit) return hit;
  const graph = analysis.model.graph;
  const step = executionSteps(analysis.nodes.length, analysis.order);
  const ownerStep = (i: number): number => step(works[i]?.owner ?? i) ?? step(i) ?? 0;
  const last = Math.max(analysis.order.length - 1, 0);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const buffers: Buffer[] = [];
  let unknown = 0;
  for (const t of analysis.tensors.values()) {
    if (t.isConstant || (t.origin !== 'input' && t.origin !== 'node')) continue;
    // Tensors inside one kernel (QDQ unit interiors, fused epilogue inputs) never exist at run time.
    if (t.producer !== null) {
      const own = works[t.producer]?.owner ?? t.producer;
      if (works[t.producer]?.free) continue;
      if (!outputs.has(t.name) && t.consumers.length > 0 && t.consumers.every((c) => (works[c]?.owner ?? c) === own)) continue;
    }
    const size = tensorBytes(t);
    if (size === null) {
      unknown++;
      continue;
    }
    if (size === 0) continue;
    const first = t.producer === null ? 0 : ownerStep(t.producer);
    let lastUse = first;
    for (const c of t.consumers) lastUse = Math.max(lastUse, ownerStep(c));
    if (outputs.has(t.name)) lastUse = last;
    buffers.push({ id: t.name, size, firstUse: first, lastUse });
  }
  const notPlanned = unknown > 0 ? undefined : planLimitReason(buffers);
  const skipped = unknown > 0 || notPlanned !== undefined;
  const peakBytes = skipped ? 0 : (planner === 'greedy' ? planGreedyBySize(buffers, { alignment: 16, offsets: false }) : planOrtArena(buffers, { alignment: 64, offsets: false })).peakBytes;
  const plan: ActivationPlan = { peakBytes, unknown, ...(notPlanned !== undefined ? { notPlanned } : {}) };
  byPlanner.set(planner, plan);
  return plan;
}

/** Peak RAM and flash (see the module doc and docs/cost-model.md). */
export function memoryEstimate(
  analysis: GraphAnalysis,
  profile: DeviceProfile,
  works: readonly SourceWork[],
): { ram: RamBreakdown | null; peak: number | null; flash: FlashBreakdown | null; flashBytes: number | null; unknownReason?: string } {
  const hw = profile.hardware;
  const weightTotal = analysis.totals.weightBytes;
  // Flash: weights in the target's dtype. Converted full-integer targets store float weights as int8.
  const byDtype = analysis.totals.weightBytesByDtype;
  const converts = profile.quantization.required || convertsToInteger(profile);
  let flashWeights = weightTotal;
  let weightDtype = 'model';
  if (converts) {
    const target = profile.quantization.weightDtypes[0] ?? 'int8';
    const per = target.endsWith('4') ? 0.5 : target.endsWith('16') ? 2 : 1;
    flashWeights = 0;
    for (const [dt, b] of Object.entries(byDtype)) {
      const size = dt === 'float' || dt === 'float32' ? 4 : dt === 'float16' || dt === 'bfloat16' ? 2 : dt === 'double' ? 8 : 0;
      flashWeights += size > 0 ? Math.round((b / size) * per) : b;
    }
    weightDtype = target;
  }
  const flash: FlashBreakdown = { weightBytes: flashWeights, runtimeBytes: hw.runtimeBinaryBytes.value, weightDtype };
  const flashBytes = flash.weightBytes + flash.runtimeBytes;
  const plan = activationPlan(analysis, works, hw.memoryPlanner);
  if (plan.unknown > 0) {
    return { ram: null, peak: null, flash, flashBytes, unknownReason: `${plan.unknown} activation tensor(s) of unknown size; pin symbolic dims` };
  }
  if (plan.notPlanned !== undefined) return { ram: null, peak: null, flash, flashBytes, unknownReason: plan.notPlanned };
  const ortLoad = hw.memoryPlanner === 'ort-arena' && hw.weightsInRam ? Math.max(analysis.model.fileSize, 0) : 0;
  const ram: RamBreakdown = {
    activationBytes: plan.peakBytes,
    weightBytes: hw.weightsInRam ? (converts ? flashWeights : weightTotal) : 0,
    runtimeBytes: hw.runtimeOverheadBytes.value,
    loadTransientBytes: ortLoad,
    planner: hw.memoryPlanner,
  };
  return { ram, peak: Math.max(ram.activationBytes, ram.loadTransientBytes) + ram.weightBytes + ram.runtimeBytes, flash, flashBytes };
}

/**
 * Estimates latency, RAM and flash of one placed model on one device.
 * @param analysis the model's graph analysis (source graph).
 * @param placement the compatibility engine's placement on `profile`.
 * @param profile the device profile (optionally calibrated).
 */
export function estimateCost(analysis: GraphAnalysis, placement: DevicePlacement, profile: DeviceProfile, options: CostOptions = {}): CostEstimate {
  const z = options.rangeZ ?? DEFAULT_RANGE_Z;
  const threshold = options.whatIfThreshold ?? 0.1;
  const works = sourceWork(analysis, workOptionsFor(profile));
  const notes: AssumptionNotes = new Map();
  const sites = placedSites(profile, placement.nodes);
  const memo = new EfficiencyMemo(profile);
  // Depends on the placement only: shared by the estimate and every what-if re-run below.
  const owner = sourceOwners(analysis, placement);
  for (const p of placement.nodes) {
    if (p.placement === 'unsupported') addNote(notes, { subject: `node ${p.index} (${p.op})`, assumed: `unsupported; costed on ${profile.hardware.fallbackUnit}` });
  }
  const cal = profile.calibration;
  if (cal?.proxy) addNote(notes, { subject: 'calibration', assumed: cal.proxy });
  if (cal?.forced) addNote(notes, { subject: 'calibration', assumed: `timed on ${cal.forced.host}, not on the device (--force)` });
  const core = computeCore(analysis, placement, profile, works, sites, owner, notes, memo);
  const mem = memoryEstimate(analysis, profile, works);
  const unknownWork = placement.nodes.some((p) => p.sourceNodes.some((s) => {
    const w = works[s];
    return w !== undefined && !w.free && w.mergedAs === undefined && (w.work === null || w.bytes === null);
  }));
  const residual = profile.calibration?.residualSigma ?? 0;
  const latency = unknownWork ? null : rangeFrom(core, residual, z);

  const whatIf: WhatIf[] = [];
  const hw = profile.hardware;
  if (latency && hw.acceleratorUnit !== hw.fallbackUnit) {
    const partitionNear = (i: number): number => {
      const p = placement.nodes[i]!;
      // The accelerated neighbour in the node list (the one before it first), if any.
      const near = [placement.nodes[i - 1], placement.nodes[i + 1]].find((q) => q !== undefined && q.placement === 'accelerated' && q.partition !== null);
      return near?.partition ?? (p.partition ?? 1_000_000 + i);
    };
    // Moving one node changes only its own time and the transfers on its own edges, so that sum bounds
    // the saving: skip the full re-estimate (quadratic over the graph) when even the bound is too small.
    const transferMsByTensor = new Map<string, number>();
    for (const t of core.transfers) transferMsByTensor.set(t.tensor, (transferMsByTensor.get(t.tensor) ?? 0) + t.latencyMs);
    const savingBound = (p: PlacedNode, ownMs: number): number => {
      let bound = ownMs;
      for (const s of p.sourceNodes) {
        const n = analysis.nodes[s];
        if (!n) return Infinity;
        for (const x of n.inputs) bound += transferMsByTensor.get(x) ?? 0;
        for (const x of n.outputs) bound += transferMsByTensor.get(x) ?? 0;
      }
      return bound;
    };
    placement.nodes.forEach((p, i) => {
      if (p.placement === 'accelerated') return;
      const baseMs = core.perNode.latencyMs[i]!;
      if (baseMs <= 0) return;
      if (savingBound(p, baseMs) <= threshold * latency.estimate) return;
      const flipped = sites.slice();
      flipped[i] = { unit: hw.acceleratorUnit, key: `acc:${partitionNear(i)}`, accelerated: true };
      const alt = computeCore(analysis, placement, profile, works, flipped, owner, new Map(), memo);
      const saving = (core.totalS - alt.totalS) * 1e3;
      if (saving <= threshold * latency.estimate) return;
      const accMs = alt.perNode.latencyMs[i]!;
      whatIf.push({
        index: p.index,
        name: p.name,
        op: p.op,
        placement: p.placement,
        reason: p.reason,
        currentMs: core.totalS * 1e3,
        acceleratedMs: alt.totalS * 1e3,
        savingMs: saving,
        savingFraction: saving / latency.estimate,
        nodeSpeedup: accMs > 0 ? baseMs / accMs : null,
        ...(p.hint ? { hint: p.hint } : {}),
      });
    });
    whatIf.sort((a, b) => b.savingMs - a.savingMs);
  }
  const columns = core.perNode;
  let perNode: NodeCost[] | undefined;
  return {
    latencyMs: latency,
    get perNode(): NodeCost[] {
      perNode ??= columns.nodes.map((_, i) => columns.at(i));
      return perNode;
    },
    nodeCosts: columns,
    transfers: core.transfers,
    transferMs: core.transferS * 1e3,
    peakRamBytes: mem.peak,
    ram: mem.ram,
    flashBytes: mem.flashBytes,
    flash: mem.flash,
    whatIf,
    assumptions: [...notes.keys()],
    assumptionList: [...notes.values()],
    ...(unknownWork
      ? { unknownReason: 'some nodes have unknown shapes, so their work is unknown; pin symbolic dims with --dim or config dims' }
      : mem.unknownReason
        ? { unknownReason: mem.unknownReason }
        : {}),
  };
}
