import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_BACKED_INPUTS, INPUT_DEFAULTS, INPUT_NAMES, InputError, parseInputs, splitList } from '../../src/action/inputs.js';

const get = (m: Record<string, string>) => (name: string): string => m[name] ?? '';

describe('parseInputs', () => {
  it('gives the documented defaults when nothing is set', () => {
    const i = parseInputs(get({}));
    assert.equal(i.mode, 'check');
    assert.deepEqual(i.models, ['**/*.onnx']);
    assert.deepEqual(i.devices, []);
    assert.equal(i.config, '.edgegate.yml');
    assert.equal(i.configExplicit, false);
    assert.deepEqual([...i.failOn].sort(), ['error', 'parity', 'regression']);
    // Unset thresholds fall back to the config, then to INPUT_DEFAULTS (resolved in the action).
    assert.equal(i.maxLatencyRegression, undefined);
    assert.equal(i.maxRamRegression, undefined);
    assert.equal(i.maxFlashRegression, undefined);
    assert.equal(i.maxNewUnsupported, undefined);
    assert.equal(i.comment, 'auto');
    assert.equal(i.commentKey, '');
    assert.equal(i.githubToken, undefined);
    assert.equal(i.acceptRegressionLabel, undefined);
  });

  it('splits lists on commas and newlines', () => {
    assert.deepEqual(splitList('a, b\n c\r\n\n,d'), ['a', 'b', 'c', 'd']);
    const i = parseInputs(get({ models: 'models/**/*.onnx\nother/x.onnx', devices: 'rpi4, coral-edgetpu', 'fail-on': 'budget,\nunsupported' }));
    assert.deepEqual(i.models, ['models/**/*.onnx', 'other/x.onnx']);
    assert.deepEqual(i.devices, ['rpi4', 'coral-edgetpu']);
    assert.deepEqual([...i.failOn].sort(), ['budget', 'unsupported']);
  });

  it('parses percentages with or without %', () => {
    assert.equal(parseInputs(get({ 'max-latency-regression': '25%' })).maxLatencyRegression, 0.25);
    assert.equal(parseInputs(get({ 'max-ram-regression': '2.5' })).maxRamRegression, 0.025);
    assert.equal(parseInputs(get({ 'fail-on': 'never' })).failOn.size, 0);
  });

  const bad: [string, string, RegExp][] = [
    ['mode', 'deploy', /Input 'mode' is "deploy": expected one of check, parity, report/],
    ['fail-on', 'regression,speed', /Input 'fail-on' is "regression,speed": unknown condition "speed"/],
    ['fail-on', 'never,error', /'never' cannot be combined/],
    ['max-latency-regression', 'ten', /Input 'max-latency-regression' is "ten": expected a non-negative percentage/],
    ['max-ram-regression', '-5%', /Input 'max-ram-regression' is "-5%"/],
    ['max-new-unsupported', '1.5', /Input 'max-new-unsupported' is "1.5": expected a non-negative integer/],
    ['comment', 'sometimes', /Input 'comment' is "sometimes": expected one of auto, always, never/],
    ['comment-key', 'a-->b', /Input 'comment-key' is "a-->b"/],
    ['models', '/abs/*.onnx', /Input 'models' is "\/abs\/\*\.onnx": glob "\/abs\/\*\.onnx" must be relative/],
  ];
  for (const [name, value, re] of bad) {
    it(`rejects ${name}=${JSON.stringify(value)} naming the input and quoting the value`, () => {
      assert.throws(() => parseInputs(get({ [name]: value })), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.name, 'InputError');
        assert.equal(e.input, name);
        assert.equal(e.value, value);
        assert.match(e.message, re);
        return true;
      });
    });
  }

  it('rejects a mode that has no handler yet', () => {
    assert.throws(() => parseInputs(get({ mode: 'parity' }), ['check']), /mode 'parity' is not available in this version; available: check/);
  });

  it('an explicit non-default config path is marked explicit', () => {
    assert.equal(parseInputs(get({ config: 'ci/edgegate.yml' })).configExplicit, true);
  });

  it('every input name has a default or is optional, and names match action.yml', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as { inputs: Record<string, { default?: string }>; outputs: Record<string, unknown> };
    assert.deepEqual(Object.keys(action.inputs).sort(), Object.values(INPUT_NAMES).sort());
    for (const [k, name] of Object.entries(INPUT_NAMES)) {
      const d = (INPUT_DEFAULTS as Record<string, string>)[k];
      const input = action.inputs[name] as { default?: string; description: string };
      if ((CONFIG_BACKED_INPUTS as readonly string[]).includes(k)) {
        assert.equal(input.default, '', `${name} must be empty in action.yml so the config can apply`);
        assert.ok(input.description.includes(`Default: \`${d}\``), `description of ${name} states the default ${d}`);
      } else if (d !== undefined) assert.equal(String(input.default ?? ''), d, `default of ${name}`);
    }
  });
});
