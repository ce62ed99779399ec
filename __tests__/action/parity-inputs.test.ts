// The parity inputs of action.yml (issue 6): defaults, parsing and errors that name the input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, parseInputs } from '../../src/action/inputs.js';

const get = (m: Record<string, string>) => (name: string): string => m[name] ?? '';

describe('parity inputs', () => {
  it('default to parity auto, forks off, not-run not blocking, 10 timed runs', () => {
    const i = parseInputs(get({}));
    assert.equal(i.parity, 'auto');
    assert.equal(i.allowForkParity, false);
    assert.equal(i.parityGateNotRun, false);
    assert.equal(i.parityMaxReferenceBytes, undefined);
    assert.equal(i.parityLatencyRuns, 10);
    assert.equal(i.runnerStatusToken, undefined);
    assert.equal(i.onnxruntimePath, undefined);
    assert.equal(i.model, undefined);
    assert.equal(i.device, undefined);
  });

  it('parse values', () => {
    const i = parseInputs(
      get({ parity: 'on', 'allow-fork-parity': 'TRUE', 'parity-gate-not-run': 'true', 'parity-max-reference-mb': '1.5', 'parity-latency-runs': '0', model: './models/a.onnx', device: 'raspberry-pi-4', 'onnxruntime-path': ' /opt/ort ' }),
    );
    assert.equal(i.parity, 'on');
    assert.equal(i.allowForkParity, true);
    assert.equal(i.parityGateNotRun, true);
    assert.equal(i.parityMaxReferenceBytes, 1.5 * 1024 * 1024);
    assert.equal(i.parityLatencyRuns, 0);
    assert.equal(i.model, 'models/a.onnx');
    assert.equal(i.device, 'raspberry-pi-4');
    assert.equal(i.onnxruntimePath, '/opt/ort');
  });

  const bad: [string, string, RegExp][] = [
    ['parity', 'maybe', /expected one of auto, on, off/],
    ['allow-fork-parity', 'yes', /expected true or false/],
    ['parity-gate-not-run', '1', /expected true or false/],
    ['parity-max-reference-mb', '0', /positive number of megabytes/],
    ['parity-max-reference-mb', '10MB', /positive number of megabytes/],
    ['parity-latency-runs', '-1', /non-negative integer/],
  ];
  for (const [name, value, re] of bad) {
    it(`rejects ${name}=${JSON.stringify(value)}`, () => {
      assert.throws(() => parseInputs(get({ [name]: value })), (e: unknown) => e instanceof InputError && e.input === name && e.value === value && re.test(e.message));
    });
  }
});
