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
