// `parity` commands print no deprecation warning. Node reports DEP0005 (`Buffer()`) only for code outside
// node_modules, so this runs the parity CLI bundled (as the action and the edge runner run it) on a model
// with an empty bytes field, which protobufjs decodes from a Node Buffer with `new Buffer(0)`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { bundleParityCli } from '../../scripts/arm64-runner/bundle-parity.mjs';
import { REPO, fixture } from './helpers/paths.js';

const { onnx } = onnxProto;
let tmp: string;
let bundle: string;
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'edgegate-dep-'));
  bundle = await bundleParityCli(join(tmp, 'bundle', 'parity.mjs'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('parity CLI: no deprecation warnings on stderr', () => {
  it('reference and run on a model with an empty tensor, empty node names and doc strings', () => {
    const m = onnx.ModelProto.decode(readFileSync(fixture('tiny_cnn.onnx')));
    for (const n of m.graph!.node!) {
      n.name = '';
      n.docString = '';
    }
    m.docString = '';
    // An empty bytes field (`auto_pad: ""`, which onnxruntime reads as NOTSET): protobufjs's Buffer reader
    // makes it with `new Buffer(0)`.
    const conv = m.graph!.node!.find((n) => n.opType === 'Conv')!;
    conv.attribute = [...(conv.attribute ?? []).filter((a) => a.name !== 'auto_pad'), onnx.AttributeProto.create({ name: 'auto_pad', type: onnx.AttributeProto.AttributeType.STRING, s: new Uint8Array(0) })];
    const model = join(tmp, 'empty-names.onnx');
    writeFileSync(model, onnx.ModelProto.encode(m).finish());
    const ort = ['--ort-path', join(REPO, 'node_modules', 'onnxruntime-node')];
    const ref = join(tmp, 'ref');
    for (const argv of [['reference', model, '--out', ref, ...ort], ['run', model, '--reference', ref, '--out', join(tmp, 'r.json'), '--runs', '1', ...ort]]) {
      const r = spawnSync(process.execPath, [bundle, ...argv], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /DeprecationWarning|DEP0005/, `${argv[0]}: ${r.stderr}`);
    }
  });
});
