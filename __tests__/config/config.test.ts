import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { dimsFor, matchWaivers, resolveBudgets } from '../../src/config/match.js';
import { parseByteSize, parsePercentage } from '../../src/config/units.js';
import { configJsonSchemaText, CONFIG_SCHEMA_PATH } from '../../scripts/gen-config-schema.js';

describe('units', () => {
  const sizes: [number | string, number | undefined][] = [
    [1024, 1024],
    ['512KiB', 524288],
    ['8MB', 8_000_000],
    ['8 MiB', 8 * 1024 * 1024],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['100b', 100],
    ['12XB', undefined],
    ['-5', undefined],
    [-1, undefined],
  ];
  for (const [input, expected] of sizes) it(`byte size ${JSON.stringify(input)} → ${expected}`, () => assert.equal(parseByteSize(input), expected));
  const pcts: [number | string, number | undefined][] = [['10%', 0.1], ['10', 0.1], [5, 0.05], ['2.5 %', 0.025], ['ten', undefined]];
  for (const [input, expected] of pcts) it(`percentage ${JSON.stringify(input)} → ${expected}`, () => assert.equal(parsePercentage(input), expected));
});

describe('loadConfig: valid files', () => {
  it('parses every section and converts units', () => {
    const { config, errors } = parseConfigText(
      `
dims:
  "models/*.onnx": { batch: 1 }
  "models/nlp/**": { seq: 128 }
budgets:
  - device: raspberry-pi-4
    model: "models/**"
    latencyMs: 50
    ramBytes: 512KiB
    flashBytes: 8MB
    acceleratedFraction: 0.9
regression:
  maxLatencyRegression: "10%"
  maxRamRegression: 5
  maxNewUnsupported: 0
  acceptLabel: "edgegate:ok"
parity:
  tolerances: { float: { atol: 1.0e-4, rtol: 1.0e-3 } }
  runners: { raspberry-pi-4: [self-hosted, linux, arm64, rpi4] }
  inputs: { "models/kws.onnx": { input: fixtures/kws.npy } }
  integerRanges: { "models/nlp/*.onnx": { input_ids: [0, 30521] } }
  maxArtifactBytes: 200MB
  allowForkParity: false
waivers:
  - model: "models/old.onnx"
    device: raspberry-pi-4
    code: OP_NOT_LISTED
    name: /blocks/Gelu
    reason: tracked in #12
    expires: 2027-01-31
`,
      '.edgegate.yml',
    );
    assert.deepEqual(errors, []);
    assert.equal(config.budgets?.[0]?.ramBytes, 524288);
    assert.equal(config.budgets?.[0]?.flashBytes, 8_000_000);
    assert.equal(config.regression?.maxLatencyRegression, 0.1);
    assert.equal(config.regression?.maxRamRegression, 0.05);
    assert.equal(config.parity?.maxArtifactBytes, 200_000_000);
    assert.deepEqual(dimsFor(config, 'models/nlp/bert.onnx'), { seq: 128 });
    assert.deepEqual(dimsFor(config, 'models/a.onnx'), { batch: 1 });
  });
  it('a missing optional file is the empty config; a missing required one is an error naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-cfg-'));
    assert.deepEqual(loadConfig(join(dir, '.edgegate.yml')).errors, []);
    const r = loadConfig(join(dir, 'custom.yml'), { required: true });
    assert.equal(r.errors[0]?.code, 'CONFIG_NOT_FOUND');
    assert.match(r.errors[0]!.message, /custom\.yml/);
  });
  it('an empty file is the empty config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-cfg-'));
    writeFileSync(join(dir, 'e.yml'), '');
    assert.deepEqual(loadConfig(join(dir, 'e.yml')).errors, []);
  });
});

describe('loadConfig: malformed files name the file, the field and the line', () => {
  const cases: { name: string; text: string; code: string; fieldPath?: string; message: RegExp }[] = [
    { name: 'unknown field in a budget', text: 'budgets:\n  - device: a\n  - devcie: b\n', code: 'CONFIG_INVALID', fieldPath: 'budgets[1].devcie', message: /cfg\.yml:3: budgets\[1\]\.devcie: unknown field/ },
    { name: 'unknown top-level section', text: 'budget:\n  - device: a\n', code: 'CONFIG_INVALID', fieldPath: 'budget', message: /unknown field/ },
    { name: 'bad byte size', text: 'budgets:\n  - ramBytes: 12XB\n', code: 'CONFIG_INVALID', fieldPath: 'budgets[0].ramBytes', message: /byte size/ },
    { name: 'negative latency', text: 'budgets:\n  - latencyMs: -3\n', code: 'CONFIG_INVALID', fieldPath: 'budgets[0].latencyMs', message: /budgets\[0\]\.latencyMs/ },
    { name: 'fraction above 1', text: 'budgets:\n  - acceleratedFraction: 90\n', code: 'CONFIG_INVALID', fieldPath: 'budgets[0].acceleratedFraction', message: /acceleratedFraction/ },
    { name: 'waiver without reason', text: 'waivers:\n  - code: X\n    reason: ""\n    expires: 2027-01-01\n', code: 'CONFIG_INVALID', fieldPath: 'waivers[0].reason', message: /needs a reason/ },
    { name: 'waiver with an impossible date', text: 'waivers:\n  - code: X\n    reason: r\n    expires: 2027-02-30\n', code: 'CONFIG_INVALID', fieldPath: 'waivers[0].expires', message: /calendar date/ },
    { name: 'waiver naming nothing', text: 'waivers:\n  - reason: r\n    expires: 2027-01-01\n', code: 'CONFIG_INVALID', fieldPath: 'waivers[0]', message: /at least one of/ },
    { name: 'bad percentage', text: 'regression:\n  maxLatencyRegression: lots\n', code: 'CONFIG_INVALID', fieldPath: 'regression.maxLatencyRegression', message: /percentage/ },
    { name: 'non-integer dim', text: 'dims:\n  "*.onnx": { batch: 1.5 }\n', code: 'CONFIG_INVALID', fieldPath: 'dims["*.onnx"].batch', message: /dims/ },
    { name: 'YAML syntax error', text: 'budgets: [\n', code: 'CONFIG_YAML', message: /cfg\.yml:\d+:\d+: YAML error/ },
    { name: 'duplicate key', text: 'budgets: []\nbudgets: []\n', code: 'CONFIG_YAML', message: /YAML error/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { errors } = parseConfigText(c.text, 'cfg.yml');
      assert.ok(errors.length > 0, 'expected an error');
      const e = errors[0]!;
      assert.equal(e.code, c.code);
      assert.equal(e.file, 'cfg.yml');
      if (c.fieldPath !== undefined) assert.equal(e.fieldPath, c.fieldPath);
      assert.match(e.message, c.message);
      assert.match(e.message, /^cfg\.yml/);
    });
  }
});

describe('budget precedence: CLI > config > profile defaults', () => {
  const { config } = parseConfigText(
    'budgets:\n  - device: "*"\n    ramBytes: 1MiB\n  - device: rpi-4\n    model: "models/*.onnx"\n    latencyMs: 20\n    ramBytes: 512KiB\n',
    'c.yml',
  );
  const cases = [
    { name: 'profile defaults only (no config match on flash)', device: 'rpi-4', model: 'x/y.onnx', overrides: {}, expect: { ramBytes: [1048576, 'config budgets[0]'], flashBytes: [8e6, 'profile rpi-4 hardware.storageBytes'] } },
    { name: 'later config entry wins', device: 'rpi-4', model: 'models/a.onnx', overrides: {}, expect: { ramBytes: [524288, 'config budgets[1]'], latencyMs: [20, 'config budgets[1]'] } },
    { name: 'CLI wins over config', device: 'rpi-4', model: 'models/a.onnx', overrides: { latencyMs: 5 }, expect: { latencyMs: [5, 'cli'] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = resolveBudgets({ config, device: c.device, modelPath: c.model, overrides: c.overrides, profileDefaults: { ramBytes: 4e6, flashBytes: 8e6 } });
      for (const [k, [limit, source]] of Object.entries(c.expect)) {
        assert.deepEqual(r[k as keyof typeof r], { limit, source }, k);
      }
    });
  }
});

describe('waivers', () => {
  const { config } = parseConfigText(
    'waivers:\n  - model: "models/*.onnx"\n    index: 3\n    reason: r1\n    expires: 2026-12-31\n  - code: BUDGET_RAM\n    device: "rpi-*"\n    reason: r2\n    expires: 2026-06-30\n',
    'c.yml',
  );
  it('matches node by index and model glob; expiry is inclusive', () => {
    assert.equal(matchWaivers(config.waivers, { model: 'models/a.onnx', device: 'd', index: 3 }, '2026-12-31')[0]?.expired, false);
    assert.equal(matchWaivers(config.waivers, { model: 'models/a.onnx', device: 'd', index: 3 }, '2027-01-01')[0]?.expired, true);
    assert.equal(matchWaivers(config.waivers, { model: 'models/a.onnx', device: 'd', index: 4 }, '2026-01-01').length, 0);
    assert.equal(matchWaivers(config.waivers, { model: 'other/a.onnx', device: 'd', index: 3 }, '2026-01-01').length, 0);
  });
  it('matches a finding code on a device glob', () => {
    assert.equal(matchWaivers(config.waivers, { model: 'm.onnx', device: 'rpi-5', code: 'BUDGET_RAM' }, '2026-01-01').length, 1);
    assert.equal(matchWaivers(config.waivers, { model: 'm.onnx', device: 'jetson', code: 'BUDGET_RAM' }, '2026-01-01').length, 0);
  });
});

describe('docs/config-schema.json', () => {
  it('is generated from the zod schema and up to date (run npx tsx scripts/gen-config-schema.ts)', () => {
    assert.equal(readFileSync(CONFIG_SCHEMA_PATH, 'utf8'), configJsonSchemaText());
  });
  it('describes sizes as number or string', () => {
    const schema = JSON.parse(configJsonSchemaText()) as { properties: { budgets: { items: { properties: { ramBytes: { anyOf: { type: string }[] } } } } } };
    assert.deepEqual(schema.properties.budgets.items.properties.ramBytes.anyOf.map((x) => x.type).sort(), ['number', 'string']);
  });
});
