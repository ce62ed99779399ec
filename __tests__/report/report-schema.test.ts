// The JSON report schema (src/report/contract.ts, docs/report-schema.json): the committed document is up to
// date, real reports from runCheck validate and declare every field they carry, invalid reports fail with
// the field path. contract-types.test.ts checks the zod shapes against the JSON schema.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  expectReport,
  formatFieldPath,
  MAX_REPORT_ISSUES,
  parseReport,
  parseReportText,
  PARITY_RESULT_DEF,
  reportJsonSchema,
  ReportSchema,
  ReportValidationError,
} from '../../src/report/schema.js';
import { REASON_CODES } from '../../src/profiles/schema.js';
import { compareReports } from '../../src/gate/compare.js';
import { decide } from '../../src/gate/decide.js';
import { DEFAULT_GATE_OPTIONS } from '../../src/gate/types.js';
import { notRunResult } from '../../src/parity/run.js';
import type { Report } from '../../src/report/types.js';
import { reportJsonSchemaText, reportSchemaUpToDate, REPORT_SCHEMA_PATH } from '../../scripts/gen-report-schema.js';
import { deref, type JsonSchema, undeclaredFields } from './json-schema-walk.js';
import { realReport, ROOT } from './real-reports.js';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('docs/report-schema.json', () => {
  it('is up to date (run npx tsx scripts/gen-report-schema.ts)', () => {
    assert.ok(reportSchemaUpToDate(), `${REPORT_SCHEMA_PATH} is out of date: run npx tsx scripts/gen-report-schema.ts`);
  });

  it('the script\'s --check exits 0 on the committed file', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/gen-report-schema.ts'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /is up to date/);
  });

  it('is deterministic and draft 2020-12, with the check report at the top', () => {
    assert.equal(reportJsonSchemaText(), reportJsonSchemaText());
    const doc = reportJsonSchema();
    assert.equal(doc.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.deepEqual(doc.required, ['schemaVersion', 'tool', 'errors', 'models']);
    const props = Object.keys(doc.properties as object);
    for (const k of ['schemaVersion', 'tool', 'errors', 'models', 'verdict', 'changes', 'baseline', 'gate']) assert.ok(props.includes(k), k);
  });

  it('describes every field of the check report (each property has a description, itself or through its $ref)', () => {
    const doc = reportJsonSchema() as JsonSchema;
    const missing: string[] = [];
    const seen = new Set<unknown>();
    const visit = (s: unknown, path: string): void => {
      if (!s || typeof s !== 'object' || seen.has(s)) return;
      seen.add(s);
      if (Array.isArray(s)) return s.forEach((x, i) => visit(x, `${path}[${i}]`));
      const o = s as JsonSchema;
      for (const [k, v] of Object.entries((o.properties ?? {}) as Record<string, JsonSchema>)) {
        const described = typeof v.description === 'string' && v.description.length > 0;
        const viaRef = typeof deref(doc, v).description === 'string';
        if (!described && !viaRef) missing.push(`${path}.${k}`);
      }
      for (const [k, v] of Object.entries(o)) if (k !== '$defs') visit(v, `${path}.${k}`);
    };
    visit({ ...doc, $defs: undefined }, '#');
    for (const [name, def] of Object.entries(doc.$defs as Record<string, JsonSchema>)) {
      if (name === PARITY_RESULT_DEF || name.startsWith(`${PARITY_RESULT_DEF}.`)) continue; // the parity engineer's schema
      assert.ok(typeof def.description === 'string', `$defs.${name} has no description`);
      visit(def, `#/$defs/${name}`);
    }
    assert.deepEqual(missing, []);
  });

  it('has every $ref resolvable, and the parity result.json with the names issue 6 fixes under $defs', () => {
    const doc = reportJsonSchema() as JsonSchema;
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.push(x as string) : walk(x);
    };
    walk(doc);
    assert.ok(refs.length > 10);
    for (const r of refs) assert.doesNotThrow(() => deref(doc, { $ref: r }), r);

    const parity = (doc.$defs as Record<string, JsonSchema>)[PARITY_RESULT_DEF]!;
    const props = (s: JsonSchema | undefined): string[] => Object.keys((s?.properties ?? {}) as object);
    const p = parity.properties as Record<string, JsonSchema>;
    for (const k of ['schemaVersion', 'model', 'device', 'verdict', 'reason', 'firstDivergingNode', 'tensors', 'kernels', 'passes', 'latencyMs', 'host']) assert.ok(k in p, `result.json.${k}`);
    const tensor = deref(doc, p.tensors!.items as JsonSchema);
    for (const k of ['name', 'node', 'maxAbs', 'meanAbs', 'relL2', 'cosine', 'snrDb', 'rmseOverScale', 'atol', 'rtol', 'pass']) assert.ok(props(tensor).includes(k), `tensors[].${k}`);
    const kernel = deref(doc, p.kernels!.items as JsonSchema);
    for (const k of ['index', 'name', 'op', 'maxAbs', 'pass']) assert.ok(props(kernel).includes(k), `kernels[].${k}`);
    const host = ((deref(doc, p.host!).anyOf as JsonSchema[] | undefined) ?? [deref(doc, p.host!)]).find((b) => b.properties);
    for (const k of ['arch', 'cpu', 'cpuFlags', 'ortVersion']) assert.ok(props(host).includes(k), `host.${k}`);
    assert.deepEqual((p.verdict as JsonSchema).enum, ['pass', 'fail', 'not-run', 'error']);
  });
});

describe('real reports from runCheck', () => {
  let report: Report;
  let nModels = 0;
  let nDevices = 0;
  before(async () => {
    const r = await realReport();
    report = r.report;
    nModels = r.models.length;
    nDevices = r.devices.length;
  });

  it('cover what the schema must cover (broken models, unknown values, every budget verdict, waivers)', () => {
    assert.ok(nModels >= 15 && nDevices >= 10, `${nModels} models × ${nDevices} devices`);
    assert.equal(report.models.length, nModels);
    const codes = report.errors.map((e) => e.code).sort();
    assert.deepEqual(codes, ['EMPTY_FILE', 'PROFILE_NOT_FOUND', 'TRUNCATED']);
    const broken = report.models.filter((m) => m.errors.length > 0);
    assert.equal(broken.length, 2);
    assert.ok(report.models.some((m) => m.errors.length === 0 && m.macs === null && typeof m.unknownReason === 'string'), 'a model with unknown MACs');
    const devices = report.models.flatMap((m) => m.devices);
    assert.equal(devices.length, (nModels - 2) * nDevices);
    const budgetVerdicts = new Set(devices.flatMap((d) => d.budgets ?? []).map((b) => b.verdict));
    assert.deepEqual([...budgetVerdicts].sort(), ['fail', 'pass', 'unknown', 'waived']);
    assert.ok(devices.some((d) => (d.budgets ?? []).some((b) => b.expiredWaivers && b.expiredWaivers.length > 0)), 'an expired waiver');
    assert.ok(devices.some((d) => Array.isArray(d.whatIf) && d.whatIf.length > 0), 'a what-if');
    assert.ok(devices.some((d) => d.latencyMs === null), 'a device with unknown latency');
    const placements = new Set(devices.flatMap((d) => d.nodes.map((n) => n.placement)));
    assert.deepEqual([...placements].sort(), ['accelerated', 'cpu-fallback', 'unknown', 'unsupported']);
  });

  it('validate against ReportSchema', () => {
    const r = parseReport(clone(report), 'runCheck');
    assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.message).join('\n'));
    // Validation keeps every field (loose objects), so the typed result equals the input.
    assert.deepEqual(r.report, clone(report));
  });

  it('with a comparison, a gate decision and parity results, still validate with nothing undeclared', () => {
    const head = clone(report);
    const good = head.models.filter((m) => m.errors.length === 0);
    assert.ok(good.length >= 3);
    // Base: the same models with the first one's nodes shuffled, so the node diff has all three kinds.
    const base = clone({ ...head, models: good.slice(1) });
    const m1 = base.models[0]!;
    for (const d of m1.devices) d.nodes = [...d.nodes.slice(1).map((n) => ({ ...n, placement: n.placement === 'accelerated' ? ('cpu-fallback' as const) : n.placement })), { ...d.nodes[0]!, name: 'only-at-base', op: 'GRU' }];
    const changes = [
      { path: good[0]!.path, kind: 'added' as const },
      { path: good[1]!.path, kind: 'modified' as const },
      { path: 'models/gone.onnx', kind: 'deleted' as const },
    ];
    const comparison = compareReports(head, base, changes, 'a'.repeat(40));
    assert.equal(comparison.models[0]!.status, 'new');
    assert.equal(comparison.removed.length, 1);
    const kinds = new Set(comparison.models[1]!.devices.flatMap((d) => d.nodeChanges.map((c) => c.change)));
    assert.deepEqual([...kinds].sort(), ['added', 'moved', 'removed']);
    const decision = decide(head, comparison, DEFAULT_GATE_OPTIONS);
    assert.ok(decision.blocking.some((f) => f.newModel && f.blockedUnder === 'regression'));
    const parityResults = [notRunResult(good[0]!.path, 'raspberry-pi-4', 'not-run', 'NO_RESULT', 'no runner')];
    const json = clone({ ...head, verdict: decision.verdict, changes, baseline: comparison, gate: decision, parityResults });
    const r = parseReport(json, 'report.json');
    assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.message).join('\n'));
    const doc = reportJsonSchema() as JsonSchema;
    assert.deepEqual([...undeclaredFields(doc, doc, json)], []);
  });

  it('carry no field the schema does not declare', () => {
    const doc = reportJsonSchema() as JsonSchema;
    assert.deepEqual([...undeclaredFields(doc, doc, clone(report))], []);
  });

  it('the walker does report an undeclared field (so the test above can fail)', () => {
    const doc = reportJsonSchema() as JsonSchema;
    const x = clone(report);
    (x.models[0]!.devices[0]!.nodes[0] as unknown as Record<string, unknown>).surprise = 1;
    (x.models[0] as unknown as Record<string, unknown>).another = { a: 1 };
    assert.deepEqual([...undeclaredFields(doc, doc, x)].sort(), ['models[].another', 'models[].devices[].nodes[].surprise']);
  });

  // Semantic rules of the contract the schema cannot express. KNOWN lists the rules the code breaks today
  // (reported to the lead); the test fails when a new rule breaks and when a known one is fixed.
  const KNOWN = new Set<string>([]);
  it('keep the contract\'s invariants (null has a reason, counts add up, ranges are ordered)', () => {
    const broken = new Map<string, string[]>();
    const fail = (rule: string, where: string): void => void (broken.get(rule) ?? broken.set(rule, []).get(rule)!).push(where);
    const MODEL_NULLABLE = ['macs', 'otherOps', 'peakActivationBytes', 'activationLowerBoundBytes', 'sha256', 'fileSize', 'nodes', 'params', 'weightBytes'] as const;
    for (const m of report.models) {
      for (const k of MODEL_NULLABLE) if (m[k] === null && !m.unknownReason) fail('MODEL_NULL_WITHOUT_REASON', `${m.path} ${k}`);
      for (const dv of m.devices) {
        const at = `${m.path} on ${dv.device}`;
        const reason = (dv.costUnknownReason ?? dv.unknownReason) as string | undefined;
        if ((dv.latencyMs === null || dv.peakRamBytes === null || dv.flashBytes === null) && !reason) fail('DEVICE_NULL_WITHOUT_REASON', at);
        if (dv.macsAcceleratedFraction === null && dv.verdict !== 'error' && m.macs !== 0 && !m.unknownReason && !reason) fail('FRACTION_NULL_WITHOUT_REASON', at);
        if (dv.latencyMs) {
          const { estimate, low, high } = dv.latencyMs;
          if (estimate > 0 ? !(low > 0) : low !== 0) fail('LATENCY_LOW_NOT_POSITIVE', `${at}: low ${low}`);
          if (!(low <= estimate && estimate <= high)) fail('LATENCY_RANGE_UNORDERED', at);
        }
        if (dv.latencyMs === null && dv.nodes.some((n) => typeof n.latencyMs === 'number')) fail('NODE_LATENCY_WITHOUT_TOTAL', at);
        if (dv.latencyMs && dv.nodes.some((n) => n.latencyMs === null)) fail('NODE_LATENCY_NULL_WITH_TOTAL', at);
        if (dv.nodesTotal !== dv.nodes.length) fail('NODES_TOTAL', at);
        const byPlacement = (p: string): number => dv.nodes.filter((n) => n.placement === p).length;
        if (dv.nodesAccelerated !== byPlacement('accelerated')) fail('NODES_ACCELERATED', at);
        if (dv.nodesFallback !== byPlacement('cpu-fallback') || dv.nodesUnsupported !== byPlacement('unsupported') || dv.nodesUnknown !== byPlacement('unknown')) fail('NODES_BY_PLACEMENT', at);
        if (dv.partitions > 0 && dv.nodesAccelerated === 0) fail('PARTITIONS_WITHOUT_ACCELERATED', at);
        for (const n of dv.nodes) {
          if (!(REASON_CODES as readonly string[]).includes(n.reason)) fail('UNKNOWN_REASON_CODE', `${at} node ${n.index}: ${n.reason}`);
          if ((n.reason === 'OK') !== (n.placement === 'accelerated')) fail('OK_IFF_ACCELERATED', `${at} node ${n.index}`);
        }
        for (const b of dv.budgets ?? []) {
          if (b.value === null && (b.verdict !== 'unknown' || !b.unknownReason)) fail('BUDGET_NULL', `${at} ${b.name}`);
          if (b.value !== null && b.verdict === 'unknown') fail('BUDGET_UNKNOWN_WITH_VALUE', `${at} ${b.name}`);
        }
      }
    }
    const fixed = [...KNOWN].filter((k) => !broken.has(k));
    const fresh = [...broken.keys()].filter((k) => !KNOWN.has(k));
    assert.deepEqual(fresh, [], `new contract violations: ${fresh.map((k) => `${k}: ${broken.get(k)!.slice(0, 3).join('; ')}`).join(' | ')}`);
    assert.deepEqual(fixed, [], `fixed, remove from KNOWN: ${fixed.join(', ')}`);
  });
});

describe('invalid reports', () => {
  let valid: Report;
  before(async () => {
    const { report } = await realReport();
    // A small valid report: one good model with three devices.
    const m = report.models.find((x) => x.path === 'examples/kws_dscnn.int8.qdq.onnx')!;
    valid = clone({ ...report, models: [{ ...m, devices: m.devices.slice(0, 3) }] });
    assert.ok(parseReport(valid, 'valid.json').ok);
  });

  type Mutate = (r: Record<string, any>) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  const CASES: { name: string; mutate: Mutate; fieldPath: string | undefined; says: RegExp }[] = [
    { name: 'missing schemaVersion', mutate: (r) => delete r.schemaVersion, fieldPath: 'schemaVersion', says: /required field is missing/ },
    { name: 'another schemaVersion', mutate: (r) => (r.schemaVersion = 2), fieldPath: 'schemaVersion', says: /expected 1/ },
    { name: 'macs of the wrong type', mutate: (r) => (r.models[0].macs = '2656768'), fieldPath: 'models[0].macs', says: /expected number/ },
    { name: 'macs left out (null is allowed, absent is not)', mutate: (r) => delete r.models[0].macs, fieldPath: 'models[0].macs', says: /required field is missing/ },
    { name: 'a device without verdict', mutate: (r) => delete r.models[0].devices[1].verdict, fieldPath: 'models[0].devices[1].verdict', says: /required field is missing/ },
    { name: 'a device verdict outside the set', mutate: (r) => (r.models[0].devices[1].verdict = 'ok'), fieldPath: 'models[0].devices[1].verdict', says: /pass.*warn.*fail.*error/ },
    { name: 'a node with an unknown placement', mutate: (r) => (r.models[0].devices[2].nodes[3].placement = 'gpu'), fieldPath: 'models[0].devices[2].nodes[3].placement', says: /accelerated.*cpu-fallback.*unsupported.*unknown/ },
    { name: 'a node index that is not an integer', mutate: (r) => (r.models[0].devices[0].nodes[0].index = 1.5), fieldPath: 'models[0].devices[0].nodes[0].index', says: /int/ },
    { name: 'a latency estimate as text', mutate: (r) => (r.models[0].devices[0].latencyMs.estimate = '1 ms'), fieldPath: 'models[0].devices[0].latencyMs.estimate', says: /expected number/ },
    { name: 'a budget verdict outside the set', mutate: (r) => (r.models[0].devices[0].budgets[0].verdict = 'ok'), fieldPath: 'models[0].devices[0].budgets[0].verdict', says: /waived/ },
    { name: 'a fraction above 1', mutate: (r) => (r.models[0].devices[0].macsAcceleratedFraction = 1.5), fieldPath: 'models[0].devices[0].macsAcceleratedFraction', says: /<=1|1/ },
    { name: 'a sha256 that is not hex', mutate: (r) => (r.models[0].sha256 = 'abc'), fieldPath: 'models[0].sha256', says: /Invalid string/ },
    { name: 'errors not a list', mutate: (r) => (r.errors = {}), fieldPath: 'errors', says: /expected array/ },
    { name: 'an error without file', mutate: (r) => (r.errors = [{ code: 'X', message: 'm' }]), fieldPath: 'errors[0].file', says: /required field is missing/ },
    { name: 'an opset version as text', mutate: (r) => (r.models[0].opsets['ai.onnx'] = '17'), fieldPath: 'models[0].opsets["ai.onnx"]', says: /expected number/ },
    { name: 'an action verdict outside the set', mutate: (r) => (r.verdict = 'passed'), fieldPath: 'verdict', says: /not-run/ },
  ];

  for (const c of CASES) {
    it(`${c.name} → ${c.fieldPath}`, () => {
      const bad = clone(valid) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      c.mutate(bad);
      const r = parseReport(bad, 'artifacts/edgegate-report/report.json');
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.errors.length, 1, r.errors.map((e) => e.message).join('\n'));
      const e = r.errors[0]!;
      assert.equal(e.code, 'REPORT_INVALID');
      assert.equal(e.file, 'artifacts/edgegate-report/report.json');
      assert.equal(e.fieldPath, c.fieldPath);
      assert.ok(e.message.startsWith('artifacts/edgegate-report/report.json: '), e.message);
      assert.ok(e.message.includes(`${c.fieldPath}: `), e.message);
      assert.match(e.message, c.says);
    });
  }

  it('a document that is not an object names the file and no field', () => {
    const r = parseReport([1, 2], 'r.json');
    assert.ok(!r.ok);
    assert.equal(r.errors[0]!.fieldPath, undefined);
    assert.match(r.errors[0]!.message, /^r\.json: not a valid EdgeGate report: \(the document\): .*expected object/);
  });

  it('invalid JSON gives REPORT_NOT_JSON naming the file', () => {
    const r = parseReportText('{"schemaVersion": 1,', 'x/report.json');
    assert.ok(!r.ok);
    assert.equal(r.errors[0]!.code, 'REPORT_NOT_JSON');
    assert.match(r.errors[0]!.message, /^x\/report\.json: not valid JSON/);
  });

  it(`lists at most ${MAX_REPORT_ISSUES} problems, then how many more`, () => {
    const bad = clone(valid);
    const nodes = bad.models[0]!.devices[0]!.nodes;
    assert.ok(nodes.length > MAX_REPORT_ISSUES + 5);
    for (const n of nodes) (n as { placement: string }).placement = 'gpu';
    const r = parseReport(bad, 'r.json');
    assert.ok(!r.ok);
    assert.equal(r.errors.length, MAX_REPORT_ISSUES + 1);
    assert.match(r.errors.at(-1)!.message, new RegExp(`^r\\.json: ${nodes.length - MAX_REPORT_ISSUES} more problem`));
  });

  it('expectReport throws a named ReportValidationError carrying the file and the errors', () => {
    assert.throws(
      () => expectReport({ ...valid, schemaVersion: undefined }, 'a.json'),
      (e: unknown) => e instanceof ReportValidationError && e.name === 'ReportValidationError' && e.file === 'a.json' && e.errors[0]!.fieldPath === 'schemaVersion',
    );
    assert.equal(expectReport(clone(valid), 'a.json').schemaVersion, 1);
  });

  it('an undeclared field anywhere is refused, naming its path (strict contract)', () => {
    for (const [where, put] of [
      ['futureTop', (x: Record<string, any>) => (x.futureTop = 1)], // eslint-disable-line @typescript-eslint/no-explicit-any
      ['models[0].devices[0].futureDevice', (x: Record<string, any>) => (x.models[0].devices[0].futureDevice = 'x')], // eslint-disable-line @typescript-eslint/no-explicit-any
      ['models[0].devices[0].nodes[0]', (x: Record<string, any>) => (x.models[0].devices[0].nodes[0].futureNode = null)], // eslint-disable-line @typescript-eslint/no-explicit-any
      ['models[0].devices[0].quantization', (x: Record<string, any>) => (x.models[0].devices[0].quantization.futureQuant = true)], // eslint-disable-line @typescript-eslint/no-explicit-any
    ] as const) {
      const x = clone(valid) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      put(x);
      const r = parseReport(x, 'r.json');
      assert.ok(!r.ok, where);
      assert.match(r.errors[0]!.message, /[Uu]nrecognized key/, where);
      assert.ok(r.errors[0]!.message.includes(where.replace(/\.future\w+$/, '')), r.errors[0]!.message);
    }
  });

  it('a device whose placement failed validates in the shape src/devices.ts errorDevice writes', () => {
    const x = clone(valid);
    (x.models[0]!.devices as unknown[])[0] = {
      device: 'raspberry-pi-4',
      verdict: 'error',
      partitions: 0,
      nodesTotal: 0,
      nodesAccelerated: 0,
      macsAcceleratedFraction: null,
      quantization: {},
      nodes: [],
      error: 'placement failed: boom',
    };
    assert.ok(parseReport(x, 'r.json').ok);
  });

  it('formats field paths the way ReportError.fieldPath does', () => {
    assert.equal(formatFieldPath(['models', 0, 'devices', 12, 'nodes', 3, 'placement']), 'models[0].devices[12].nodes[3].placement');
    assert.equal(formatFieldPath(['models', 0, 'opsets', 'ai.onnx']), 'models[0].opsets["ai.onnx"]');
    assert.equal(formatFieldPath([]), '');
  });

  it('ReportSchema is the one the JSON document is generated from', () => {
    assert.equal(ReportSchema.safeParse(valid).success, true);
    assert.equal((reportJsonSchema().properties as Record<string, JsonSchema>).models!.type, 'array');
  });
});
