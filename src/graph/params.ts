/**
 * Which constant inputs are parameters. A parameter is an initializer or Constant-node tensor of rank ≥ 1
 * read in a weight slot; shape arguments, axes, scales and zero points are not parameters. Counting only
 * root constants (not derived ones like `DequantizeLinear(w)`) gives a QDQ model the parameter count of its
 * float parent: the int8 weight is counted at its DequantizeLinear, the float Conv reads a derived value.
 */
import { DataType, type OnnxNode } from '../onnx/types.js';

/** Weight slots per op; 'all' means every input. Ops not listed have no parameters. */
const SLOTS: Readonly<Record<string, Readonly<Record<string, readonly number[] | 'all'>>>> = {
  '': {
    Conv: [1, 2],
    ConvTranspose: [1, 2],
    Gemm: 'all',
    MatMul: 'all',
    Einsum: 'all',
    BatchNormalization: [1, 2, 3, 4],
    InstanceNormalization: [1, 2],
    LayerNormalization: [1, 2],
    GroupNormalization: [1, 2],
    RMSNormalization: [1],
    PRelu: [1],
    Add: 'all',
    Sub: 'all',
    Mul: 'all',
    Div: 'all',
    Where: [1, 2],
    Gather: [0],
    LSTM: [1, 2, 3, 7],
    GRU: [1, 2, 3],
    RNN: [1, 2, 3],
    QuantizeLinear: [0],
    DequantizeLinear: [0],
    QLinearConv: [3, 8],
    QLinearMatMul: [0, 3],
    ConvInteger: [1],
    MatMulInteger: [0, 1],
  },
  'com.microsoft': {
    QuantizeLinear: [0],
    DequantizeLinear: [0],
    QLinearConv: [3, 8],
    QGemm: [0, 3, 6],
    QLinearAdd: [0, 3],
    QLinearMul: [0, 3],
    DynamicQuantizeMatMul: [1, 4],
    MatMulIntegerToFloat: [1, 6],
    FusedConv: [1, 2, 3],
    FusedMatMul: [0, 1],
    FusedGemm: [0, 1, 2],
    BiasGelu: [1],
    FastGelu: [1],
    BiasAdd: [1, 2],
    LayerNormalization: [1, 2],
    SimplifiedLayerNormalization: [1],
    SkipLayerNormalization: [2, 3, 4],
    SkipSimplifiedLayerNormalization: [2],
    Attention: [1, 2],
    MatMulNBits: [1, 5],
    EmbedLayerNormalization: [2, 3, 4, 5, 6],
    NhwcConv: [1, 2],
    NhwcFusedConv: [1, 2],
  },
};

/** Ops whose int32 constants are quantized biases (parameters), not shape arithmetic. */
const INT32_PARAM_OPS: ReadonlySet<string> = new Set([
  'DequantizeLinear',
  'QLinearConv',
  'QGemm',
  'ConvInteger',
  'MatMulInteger',
]);

/** True when input `slot` of (domain, op) is a weight slot for a root constant of `dtype` and `rank`. */
export function isParamSlot(domain: string, opType: string, slot: number, dtype: number, rank: number): boolean {
  const s = SLOTS[domain]?.[opType];
  if (s === undefined) return false;
  if (s !== 'all' && !s.includes(slot)) return false;
  if (rank < 1) return false;
  if (dtype === DataType.INT64 || dtype === DataType.UINT64 || dtype === DataType.BOOL || dtype === DataType.STRING) return false;
  if (dtype === DataType.INT32 && !INT32_PARAM_OPS.has(opType)) return false;
  return true;
}

/**
 * Parameters a weight input stands for. Usually its element count; MatMulNBits packs K×N sub-byte weights
 * into uint8 blobs, so its weight counts K·N (from the attributes) rather than stored bytes.
 */
export function paramElements(node: OnnxNode, slot: number, storedElements: number): number {
  if (node.domain === 'com.microsoft' && node.opType === 'MatMulNBits' && slot === 1) {
    const k = node.attributes.get('K');
    const n = node.attributes.get('N');
    if (k?.type === 'int' && n?.type === 'int') return k.value * n.value;
  }
  return storedElements;
}
