// Real PR scenarios for the comment tests: runCheck on the base and head versions of example and fixture
// models (checked into this repo), compared and decided as the action does.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../../../src/check.js';
import { compareReports } from '../../../src/gate/compare.js';
import { decide } from '../../../src/gate/decide.js';
import { DEFAULT_GATE_OPTIONS, type Comparison, type FailOnCondition, type GateDecision, type ModelChange } from '../../../src/gate/types.js';
import type { Report } from '../../../src/report/types.js';
import { PARITY_RESULT_SCHEMA_VERSION, ParityResultSchema, type ParityResult } from '../../../src/parity/result-schema.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FOUR_DEVICES = ['raspberry-pi-4', 'coral-edgetpu', 'android-nnapi', 'qualcomm-htp'] as const;
const NOW = new Date('2026-12-06T00:00:00Z');

/** What the renderers get for one PR. */
export interface Scenario {
  readonly report: Report;
  readonly comparison: Comparison;
  readonly decision: GateDecision;
  readonly changes: readonly ModelChange[];
}

/** Repo-relative path in the PR → source file (repo-relative to ROOT); undefined = absent on that side. */
type Side = Readonly<Record<string, string>>;

/** Extra inputs of a scenario: a config file and the fail-on conditions (default: the action's). */
export interface ScenarioOptions {
  readonly configPath?: string;
  readonly failOn?: readonly FailOnCondition[];
}

async function checkSide(files: Side, devices: readonly string[], o: ScenarioOptions): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'edgegate-scenario-'));
  try {
    const paths: string[] = [];
    for (const [to, from] of Object.entries(files)) {
      const abs = join(dir, to);
      mkdirSync(dirname(abs), { recursive: true });
      copyFileSync(join(ROOT, from), abs);
      paths.push(abs);
    }
    return await runCheck({ models: paths, devices, repoRoot: dir, now: NOW, ...(o.configPath ? { configPath: o.configPath, configExplicit: true } : {}) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Checks base and head, compares and decides with the action's defaults (fail-on regression, parity, error). */
export async function scenario(base: Side, head: Side, devices: readonly string[], o: ScenarioOptions = {}): Promise<Scenario> {
  const changes: ModelChange[] = [];
  for (const p of Object.keys(head)) changes.push({ path: p, kind: !(p in base) ? 'added' : base[p] === head[p] ? 'unchanged' : 'modified' });
  for (const p of Object.keys(base)) if (!(p in head)) changes.push({ path: p, kind: 'deleted' });
  const headReport = await checkSide(head, devices, o);
  const baseReport = await checkSide(Object.fromEntries(Object.entries(base).filter(([p]) => p in head)), devices, o);
  const comparison = compareReports(headReport, baseReport, changes, '3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345');
  const failOn = o.failOn ? new Set(o.failOn) : DEFAULT_GATE_OPTIONS.failOn;
  const decision = decide(headReport, comparison, { ...DEFAULT_GATE_OPTIONS, failOn, today: '2026-12-06' });
  return { report: headReport, comparison, decision, changes };
}

/**
 * 2 models × 4 devices with a regression: the keyword spotter's int8 QDQ model is replaced by its float
 * version (it falls off the Edge TPU and the HTP), and a visual-wake-words model is modified.
 */
export function twoModelsFourDevices(): Promise<Scenario> {
  return scenario(
    { 'models/kws.onnx': 'examples/kws_dscnn.int8.qdq.onnx', 'models/vww.onnx': 'examples/vww_mobilenet_v2_035.onnx' },
    { 'models/kws.onnx': 'examples/kws_dscnn.onnx', 'models/vww.onnx': 'examples/vww_mobilenet_v2_035.onnx' },
    FOUR_DEVICES,
  );
}

const MANY_SOURCES = [
  'examples/kws_dscnn.onnx',
  'examples/kws_dscnn.int8.qdq.onnx',
  'examples/vww_mobilenet_v2_035.onnx',
  '__tests__/fixtures/models/tiny_cnn.onnx',
  '__tests__/fixtures/models/tiny_cnn.int8.qdq.onnx',
  '__tests__/fixtures/models/tiny_cnn.int8.qop.onnx',
  '__tests__/fixtures/models/tiny_gru.onnx',
  '__tests__/fixtures/models/tiny_lstm.onnx',
  '__tests__/fixtures/models/tiny_rnn.onnx',
  '__tests__/fixtures/models/tiny_shuffle.onnx',
  '__tests__/fixtures/models/tiny_vit_micro_dynamo.onnx',
];

/**
 * 23 models × 4 devices: a monorepo PR that touches every model (each a real model; base and head
 * swap float and int8 variants so regressions and improvements both show), plus one new model and
 * one removed.
 */
export function manyModels(count = 23): Promise<Scenario> {
  const base: Record<string, string> = {};
  const head: Record<string, string> = {};
  for (let i = 0; i < count - 1; i++) {
    const p = `models/team-${String.fromCharCode(97 + (i % 26))}/model_${String(i).padStart(2, '0')}.onnx`;
    head[p] = MANY_SOURCES[i % MANY_SOURCES.length]!;
    base[p] = MANY_SOURCES[(i + 1) % MANY_SOURCES.length]!;
  }
  head['models/new/added_model.onnx'] = 'examples/kws_dscnn.onnx';
  base['models/old/removed_model.onnx'] = 'examples/kws_dscnn.onnx';
  return scenario(base, head, FOUR_DEVICES);
}

/**
 * Parity results for the devices of a scenario, shaped as `edgegate parity run` writes them: one pass,
 * one failing from a diverging kernel on, one not run (host mismatch) and one forced on another host.
 * Kernel names and ops come from the scenario's own placed graph.
 */
export function parityResults(s: Scenario, modelPath: string): ParityResult[] {
  const m = s.report.models.find((x) => x.path === modelPath)!;
  const host = { arch: 'arm64', platform: 'linux', cpu: 'Cortex-A72', cpuFlags: [], cores: 4, ortVersion: '1.30.0', node: 'v24.4.0', runtime: 'onnxruntime-node cpu', cpufreq: null, throttling: null, temperatureC: null };
  return m.devices.map((d, i): ParityResult => {
    const failFrom = i === 1 ? Math.floor(d.nodes.length / 2) : Infinity;
    const kernels = i === 2 ? [] : d.nodes.map((n, position) => {
      const maxAbs = position >= failFrom ? 0.05 * (1 + position - failFrom) : 10 ** -(4 + ((position * 7) % 5));
      return { index: n.index, name: n.name, op: n.op, position, unit: 'single' as const, nodes: [n.index], maxAbs, failing: position >= failFrom ? 12 : 0, pass: position < failFrom, outputs: [`${n.name}_out`] };
    });
    const failing = kernels.filter((k) => !k.pass);
    const first = failing[0];
    return ParityResultSchema.parse({
      schemaVersion: PARITY_RESULT_SCHEMA_VERSION,
      model: modelPath,
      device: d.device,
      verdict: i === 2 ? 'not-run' : failing.length > 0 ? 'fail' : 'pass',
      ...(i === 2 ? { reason: 'HOST_MISMATCH', detail: `host linux/x64 is not ${d.device} (arm64): arch x64 ≠ arm64` } : {}),
      firstDivergingNode: first ? { index: first.index, name: first.name, op: first.op } : null,
      worstTensor: kernels.length > 0 ? { name: `${(first ?? kernels[0]!).name}_out`, stage: 'isolation', maxAbs: Math.max(...kernels.map((k) => k.maxAbs)), pass: failing.length === 0 } : null,
      kernelsFailing: failing.length,
      tensors: [],
      kernels,
      passes: {},
      latencyMs: i === 2 ? null : { median: (d.latencyMs?.estimate ?? 1) * 1.4, runs: 20, warmup: 3, samples: [] },
      host: i === 2 ? null : host,
      ...(i === 3 ? { forced: true, hostMatch: { status: 'mismatch', reasons: ['arch x64 ≠ arm64'], emulated: null, summary: `host linux/x64 is not ${d.device} (arm64): arch x64 ≠ arm64` } } : {}),
    });
  });
}
