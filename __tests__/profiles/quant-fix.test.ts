/**
 * Quantization findings name the fix in the quantizer's words: onnxruntime.quantization.quantize_static
 * (onnxruntime 1.30.0, onnxruntime/python/tools/quantization/quantize.py, read 2026-12-06: quant_format,
 * per_channel, activation_type, weight_type, extra_options ActivationSymmetric / WeightSymmetric).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { loadProfile } from '../../src/profiles/load.js';
import { quantFixHint, quantizeStaticCall, quantSchemeFix } from '../../src/profiles/quant-fix.js';
import { readModelSync } from '../../src/onnx/reader.js';
import { analyzeModel } from '../../src/graph/analyze.js';
import { placeModel } from '../../src/profiles/engine.js';

const FIX = resolve(import.meta.dirname, '../fixtures/models');
const call = (id: string): string | null => quantizeStaticCall(loadProfile(id).profile);

describe('quantizer fixes', () => {
  const table: [string, string][] = [
    // TensorRT 8.5 (onnx-tensorrt docs/operators.md): INT8 Q/DQ only, zero points must be 0.
    ['jetson-orin-nano', 'quant_format=QuantFormat.QDQ, activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, per_channel=True, extra_options={"ActivationSymmetric": True, "WeightSymmetric": True}'],
    // QNN EP quant_config.py: uint8/uint16 activations; per-channel only for some ops, so per_channel=False.
    ['qualcomm-htp', 'quant_format=QuantFormat.QDQ, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=False'],
    // NNAPI EP: uint8 activations, per-channel weights only for Conv (a per-tensor-only Gemm needs per_channel=False).
    ['android-nnapi', 'quant_format=QuantFormat.QDQ, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=False'],
  ];
  for (const [id, args] of table) {
    it(`${id}: quantize_static(..., ${args})`, () => {
      assert.equal(call(id), `quantize_static(model_input, model_output, calibration_data_reader, ${args})`);
    });
  }

  it('a node finding names only the argument that fixes it', () => {
    const jetson = loadProfile('jetson-orin-nano').profile;
    assert.equal(quantFixHint(jetson, 'QUANT_DTYPE', 'activations are uint8; … takes int8'), 're-quantize with quantize_static(..., activation_type=QuantType.QInt8, extra_options={"ActivationSymmetric": True, "WeightSymmetric": True}) (onnxruntime.quantization)');
    const nnapi = loadProfile('android-nnapi').profile;
    assert.equal(quantFixHint(nnapi, 'QUANT_GRANULARITY', 'weights are quantized per-channel'), 're-quantize with quantize_static(..., per_channel=False) (onnxruntime.quantization)');
    assert.equal(quantFixHint(nnapi, 'QUANT_FORMAT', 'quantized as qoperator'), 're-quantize with quantize_static(..., quant_format=QuantFormat.QDQ) (onnxruntime.quantization)');
    assert.match(String(quantFixHint(nnapi, 'QUANT_FORMAT', 'quantized as dynamic')), /^re-quantize with quantize_static \(not quantize_dynamic\)/);
    assert.equal(quantFixHint(nnapi, 'OP_NOT_LISTED', ''), undefined);
  });

  it('a float model on a converted full-integer target gets the converter\'s quantization step', () => {
    const coral = loadProfile('coral-edgetpu').profile;
    assert.match(String(quantSchemeFix(coral, true)), /onnx2tf calibrate \(-oiqt\)/);
  });

  it('the placement carries the fix: uint8 QDQ on the Jetson, and the hint on its Q/DQ nodes', () => {
    const a = analyzeModel(readModelSync(join(FIX, 'tiny_cnn.int8.qdq.onnx')));
    const p = placeModel(a, loadProfile('jetson-orin-nano').profile);
    assert.equal(p.quantization.accepted, false);
    assert.match(String(p.quantization.fix), /activation_type=QuantType\.QInt8.*"ActivationSymmetric": True/);
    assert.match(p.quantization.message, /Fix: re-quantize with onnxruntime\.quantization: quantize_static\(/);
    const conv = p.nodes.find((n) => n.op === 'Conv' && n.reason === 'QUANT_DTYPE');
    assert.ok(conv, 'a Conv unit fails on uint8 activations');
    assert.match(String(conv.hint), /activation_type=QuantType\.QInt8/);
  });
});
