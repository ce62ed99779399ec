// The report file the action's check mode writes (src/action/check-mode.ts: the check report plus
// `verdict`, `changes`, `baseline`, `gate`), from a PR with real models and the real runCheck, validates
// against ReportSchema and declares every field it carries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCheckMode, type ActionPorts } from '../../src/action/check-mode.js';
import { parseInputs } from '../../src/action/inputs.js';
import { FakeGitClient } from '../../src/git/fake.js';
import { parseReportText, reportJsonSchema } from '../../src/report/schema.js';
import { type JsonSchema, undeclaredFields } from './json-schema-walk.js';
import { ROOT } from './real-reports.js';

const BASE = 'b'.repeat(40);
const HEAD = 'c'.repeat(40);
const bytes = (p: string): Buffer => readFileSync(join(ROOT, p));

describe('the action report file', () => {
  it('validates against ReportSchema and declares every field (PR: modified, added, broken, deleted models)', async () => {
    const head: Record<string, Buffer> = {
      'm/kws.onnx': bytes('examples/kws_dscnn.int8.qdq.onnx'),
      'm/new.onnx': bytes('__tests__/fixtures/models/tiny_cnn.onnx'),
      'm/dyn.onnx': bytes('__tests__/fixtures/models/dynbatch.onnx'),
      'm/broken.onnx': bytes('__tests__/fixtures/models/tiny_cnn.onnx').subarray(0, 1500),
    };
    const base: Record<string, Buffer> = {
      'm/kws.onnx': bytes('examples/kws_dscnn.onnx'),
      'm/dyn.onnx': bytes('__tests__/fixtures/models/dynbatch.onnx'),
      'm/gone.onnx': bytes('__tests__/fixtures/models/tiny_rnn.onnx'),
    };
    const ws = mkdtempSync(join(tmpdir(), 'edgegate-report-ws-'));
    for (const [p, b] of Object.entries(head)) {
      mkdirSync(dirname(join(ws, p)), { recursive: true });
      writeFileSync(join(ws, p), b);
    }
    const outputs: Record<string, string> = {};
    const ports: ActionPorts = {
      info: () => {},
      warning: () => {},
      setFailed: () => {},
      setOutput: (n, v) => void (outputs[n] = v),
      writeSummary: async () => {},
    };
    await runCheckMode({
      inputs: parseInputs((n) => ({ devices: 'raspberry-pi-4,coral-edgetpu,cortex-m7-tflm' })[n] ?? ''),
      event: { kind: 'pull_request', eventName: 'pull_request', number: 7, baseSha: BASE, headSha: HEAD, baseRef: 'main', labels: [], fork: false },
      workspace: ws,
      tempDir: mkdtempSync(join(tmpdir(), 'edgegate-report-tmp-')),
      git: new FakeGitClient({
        commits: { [HEAD]: head, [BASE]: base },
        diffs: {
          [`${BASE}...${HEAD}`]: [
            { status: 'M', path: 'm/kws.onnx' },
            { status: 'A', path: 'm/new.onnx' },
            { status: 'M', path: 'm/dyn.onnx' },
            { status: 'A', path: 'm/broken.onnx' },
            { status: 'D', path: 'm/gone.onnx' },
          ],
        },
      }),
      api: undefined,
      ports,
    });
    const file = outputs.report!;
    assert.ok(file, 'the report output is set');
    const text = readFileSync(file, 'utf8');
    const r = parseReportText(text, file);
    assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.message).join('\n'));
    const data = JSON.parse(text) as Record<string, unknown>;
    // The fixture exercises the action's additions.
    assert.equal(data.verdict, 'error'); // the broken model
    assert.deepEqual((data.changes as { kind: string }[]).map((c) => c.kind).sort(), ['added', 'added', 'deleted', 'modified', 'modified']);
    const baseline = data.baseline as { models: { devices: { status: string }[] }[] };
    assert.deepEqual([...new Set(baseline.models.flatMap((m) => m.devices.map((x) => x.status)))].sort(), ['compared', 'new']);
    assert.ok((data.gate as { errors: unknown[] }).errors.length > 0);
    const doc = reportJsonSchema() as JsonSchema;
    assert.deepEqual([...undeclaredFields(doc, doc, data)], []);
  });
});
