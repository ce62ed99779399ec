/**
 * Rewrite hints come from the profile's cited `hints` block when its op, reason and `when` match, and
 * are left out when the condition does not hold (issue 3: "Pad(mode=reflect) → Slice+Concat on CoreML").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelSync } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { loadProfile } from '../../src/profiles/load.js';
import { placeModel } from '../../src/profiles/engine.js';
import { buildModel } from '../support/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'edgegate-hints-'));

function padModel(mode: string): string {
  const path = join(dir, `pad-${mode}.onnx`);
  buildModel(
    {
      inputs: [{ name: 'x', dims: [1, 3, 16, 16] }],
      outputs: [{ name: 'y' }],
      initializers: [
        { name: 'w', dims: [8, 3, 3, 3] },
        { name: 'pads', dims: [8], dtype: 7, values: [0, 0, 1, 1, 0, 0, 1, 1] },
      ],
      nodes: [
        // Relu between Pad and Conv: ORT's basic PadFusion would fold a constant Pad into the Conv.
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'], attrs: { mode } },
        { op: 'Relu', inputs: ['p'], outputs: ['r'] },
        { op: 'Conv', inputs: ['r', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3] } },
      ],
    },
    path,
  );
  return path;
}

const coreml = loadProfile('apple-coreml').profile;

for (const [mode, expectHint] of [
  ['reflect', true],
  ['constant', false],
] as const) {
  test(`apple-coreml: Pad(mode=${mode}) ${expectHint ? 'gets' : 'does not get'} the profile's Slice+Concat hint`, () => {
    const placement = placeModel(analyzeModel(readModelSync(padModel(mode))), coreml);
    const pad = placement.nodes.find((n) => n.op === 'Pad')!;
    assert.notEqual(pad.placement, 'accelerated');
    const profileHint = coreml.hints!.find((h) => h.op === 'Pad')!.hint;
    if (expectHint) assert.equal(pad.hint, profileHint);
    else assert.notEqual(pad.hint, profileHint);
  });
}
