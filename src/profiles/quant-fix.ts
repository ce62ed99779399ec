/**
 * The fix for a quantization finding, in the words of the quantizer the user has: onnxruntime's
 * `onnxruntime.quantization.quantize_static` (onnxruntime/python/tools/quantization/quantize.py, v1.30.0,
 * read 2026-12-06: arguments quant_format, per_channel, activation_type, weight_type, and extra_options
 * "ActivationSymmetric" (default False) and "WeightSymmetric" (default True)). Pure: profile data in, text out.
 */
import type { DeviceProfile } from './schema.js';

/** Where the argument names come from, for the report. */
export const QUANTIZER_SOURCE = 'onnxruntime.quantization.quantize_static (onnxruntime 1.30.0, onnxruntime/python/tools/quantization/quantize.py)';

const QUANT_TYPE: Readonly<Record<string, string>> = {
  int8: 'QuantType.QInt8',
  uint8: 'QuantType.QUInt8',
  int16: 'QuantType.QInt16',
  uint16: 'QuantType.QUInt16',
};

/** The first dtype of `allowed` that quantize_static can produce, most common first. */
function pick(allowed: readonly string[]): string | undefined {
  return ['int8', 'uint8', 'uint16', 'int16'].find((d) => allowed.includes(d));
}

/** The quantize_static arguments that give a model this target accepts (null when it takes no QDQ/QOperator). */
export function quantizeStaticArgs(profile: DeviceProfile): string[] | null {
  const q = profile.quantization;
  const format = q.formats.includes('qdq') ? 'QuantFormat.QDQ' : q.formats.includes('qoperator') ? 'QuantFormat.QOperator' : null;
  const act = pick(q.activationDtypes);
  const weight = pick(q.weightDtypes);
  if (format === null || act === undefined || weight === undefined) return null;
  const args = [`quant_format=${format}`, `activation_type=${QUANT_TYPE[act]}`, `weight_type=${QUANT_TYPE[weight]}`];
  args.push(`per_channel=${q.weightGranularity.default.includes('per-channel') ? 'True' : 'False'}`);
  const extra: string[] = [];
  if (q.symmetricActivations) extra.push('"ActivationSymmetric": True');
  if (q.symmetricWeights) extra.push('"WeightSymmetric": True');
  if (extra.length > 0) args.push(`extra_options={${extra.join(', ')}}`);
  return args;
}

/** The full call, as a user would write it. */
export function quantizeStaticCall(profile: DeviceProfile): string | null {
  const args = quantizeStaticArgs(profile);
  return args === null ? null : `quantize_static(model_input, model_output, calibration_data_reader, ${args.join(', ')})`;
}

/**
 * The part of the call that fixes one node-level finding (reason code of the quantization gate), or
 * undefined when the quantizer has no argument for it.
 */
export function quantFixHint(profile: DeviceProfile, reason: string, detail: string): string | undefined {
  const args = quantizeStaticArgs(profile);
  if (args === null) return undefined;
  const arg = (prefix: string): string | undefined => args.find((a) => a.startsWith(prefix));
  let wanted: (string | undefined)[];
  switch (reason) {
    case 'QUANT_FORMAT':
      wanted = [arg('quant_format=')];
      if (detail.includes('dynamic')) return `re-quantize with quantize_static (not quantize_dynamic): quantize_static(..., ${args.join(', ')})`;
      break;
    case 'QUANT_DTYPE':
      wanted = [detail.startsWith('weights') ? arg('weight_type=') : arg('activation_type='), arg('extra_options=')];
      break;
    case 'QUANT_GRANULARITY':
      wanted = [arg('per_channel=')];
      break;
    case 'QUANT_ASYMMETRIC':
      wanted = ['extra_options={"WeightSymmetric": True}'];
      break;
    case 'QUANT_REQUIRED':
      return profile.conversion?.quantization ?? `quantize it: ${quantizeStaticCall(profile)}`;
    default:
      return undefined;
  }
  const given = wanted.filter((a): a is string => a !== undefined);
  return given.length > 0 ? `re-quantize with quantize_static(..., ${given.join(', ')}) (onnxruntime.quantization)` : undefined;
}

/** The model-level fix beside a rejected quantization scheme (or a float model on a quantized-only target). */
export function quantSchemeFix(profile: DeviceProfile, isFloat: boolean): string | undefined {
  if (isFloat && profile.conversion?.quantization) return profile.conversion.quantization;
  const call = quantizeStaticCall(profile);
  return call === null ? undefined : `${isFloat ? 'quantize' : 're-quantize'} with onnxruntime.quantization: ${call}`;
}
