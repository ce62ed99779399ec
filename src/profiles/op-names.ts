/**
 * Operator names that profile rules may reference. A rule naming an op outside these sets is a profile
 * error (PROFILE_UNKNOWN_OP), which catches typos such as `Argmax` or `Batchnorm` at load time.
 *
 * Generated 2026-11-26 from `onnx.defs.get_all_schemas_with_history()` (onnx 1.23.1, opset 28) and
 * `onnxruntime.capi.onnxruntime_pybind11_state.get_all_operator_schema()` (onnxruntime 1.30.0), union of all
 * versions (deprecated ops such as Upsample or Scatter included, since old models still use them).
 * TFLite builtins: `enum BuiltinOperator` in tensorflow/tflite-micro tensorflow/lite/schema/schema.fbs
 * (commit 6cdf0d78a68f33fe452f051713aa218619285438), STABLEHLO_* and deprecated entries left out.
 */

/** ai.onnx (default domain, written "" in the model IR). */
export const ONNX_OPS: readonly string[] = [
  'Abs', 'Acos', 'Acosh', 'Add', 'Affine', 'AffineGrid', 'And', 'ArgMax', 'ArgMin', 'Asin', 'Asinh', 'Atan',
  'Atanh', 'Attention', 'AveragePool', 'BatchNormalization', 'Bernoulli', 'BitCast', 'BitShift',
  'BitwiseAnd', 'BitwiseNot', 'BitwiseOr', 'BitwiseXor', 'BlackmanWindow', 'Cast', 'CastLike',
  'CausalConvWithState', 'Ceil', 'Celu', 'CenterCropPad', 'Clip', 'Col2Im', 'Compress', 'Concat',
  'ConcatFromSequence', 'Constant', 'ConstantOfShape', 'Conv', 'ConvInteger', 'ConvTranspose', 'Cos', 'Cosh',
  'Crop', 'CumProd', 'CumSum', 'DFT', 'DeformConv', 'DepthToSpace', 'DequantizeLinear', 'Det',
  'DisentangledAttention_TRT', 'Div', 'Dropout', 'DynamicQuantizeLinear', 'DynamicSlice', 'EfficientNMS_TRT',
  'Einsum', 'Elu', 'Equal', 'Erf', 'Exp', 'Expand', 'EyeLike', 'Flatten', 'Floor', 'GRU', 'GRUUnit',
  'Gather', 'GatherElements', 'GatherND', 'Gelu', 'Gemm', 'GivenTensorFill', 'GlobalAveragePool',
  'GlobalLpPool', 'GlobalMaxPool', 'Greater', 'GreaterOrEqual', 'GridSample', 'GroupNormalization',
  'HammingWindow', 'HannWindow', 'HardSigmoid', 'HardSwish', 'Hardmax', 'Identity', 'If', 'ImageDecoder',
  'ImageScaler', 'InstanceNormalization', 'IsInf', 'IsNaN', 'LRN', 'LSTM', 'LayerNormalization', 'LeakyRelu',
  'Less', 'LessOrEqual', 'LinearAttention', 'Log', 'LogSoftmax', 'Loop', 'LpNormalization', 'LpPool',
  'MatMul', 'MatMulInteger', 'Max', 'MaxPool', 'MaxRoiPool', 'MaxUnpool', 'Mean',
  'MeanVarianceNormalization', 'MelWeightMatrix', 'MemcpyFromHost', 'MemcpyToHost', 'Min', 'Mish', 'Mod',
  'Mul', 'MultilevelCropAndResize_TRT', 'Multinomial', 'Neg', 'NegativeLogLikelihoodLoss',
  'NonMaxSuppression', 'NonZero', 'Not', 'OneHot', 'Optional', 'OptionalGetElement', 'OptionalHasElement',
  'Or', 'PRelu', 'Pad', 'ParametricSoftplus', 'Pow', 'PyramidROIAlign_TRT', 'QLinearConv', 'QLinearMatMul',
  'QuantizeLinear', 'RMSNormalization', 'RNN', 'RandomNormal', 'RandomNormalLike', 'RandomUniform',
  'RandomUniformLike', 'Range', 'Reciprocal', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp',
  'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare', 'RegexFullMatch',
  'Relu', 'Reshape', 'Resize', 'ReverseSequence', 'RoiAlign', 'RotaryEmbedding', 'Round', 'STFT', 'Scale',
  'ScaledTanh', 'Scan', 'Scatter', 'ScatterElements', 'ScatterND', 'Selu', 'SequenceAt', 'SequenceConstruct',
  'SequenceEmpty', 'SequenceErase', 'SequenceInsert', 'SequenceLength', 'SequenceMap', 'Shape', 'Shrink',
  'Sigmoid', 'Sign', 'SimplifiedLayerNormalization', 'Sin', 'Sinh', 'Size', 'Slice', 'Softmax',
  'SoftmaxCrossEntropyLoss', 'Softplus', 'Softsign', 'SpaceToDepth', 'Split', 'SplitToSequence', 'Sqrt',
  'Squeeze', 'StringConcat', 'StringNormalizer', 'StringSplit', 'Sub', 'Sum', 'SwiGLU', 'Swish', 'Tan',
  'Tanh', 'TensorScatter', 'TfIdfVectorizer', 'ThresholdedRelu', 'Tile', 'TopK', 'Transpose', 'Trilu',
  'Unique', 'Unsqueeze', 'Upsample', 'Where', 'Xor',
];

/** ai.onnx.ml (traditional ML ops). */
export const ONNX_ML_OPS: readonly string[] = [
  'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer',
  'Imputer', 'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder',
  'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsemble', 'TreeEnsembleClassifier',
  'TreeEnsembleRegressor', 'ZipMap',
];

/** com.microsoft (onnxruntime contrib ops, including fused ops that ORT's optimizers produce). */
export const MICROSOFT_OPS: readonly string[] = [
  'Attention', 'AttnLSTM', 'BeamSearch', 'BiasAdd', 'BiasDropout', 'BiasGelu', 'BiasSoftmax',
  'BiasSplitGelu', 'BifurcationDetector', 'BitmaskBiasDropout', 'BitmaskDropout', 'CDist',
  'CausalConvWithState', 'ComplexMul', 'ComplexMulConj', 'ConvTransposeWithDynamicPads', 'CropAndResize',
  'DecoderAttention', 'DecoderMaskedMultiHeadAttention', 'DecoderMaskedSelfAttention', 'DequantizeBFP',
  'DequantizeLinear', 'DequantizeWithOrder', 'DynamicQuantizeLSTM', 'DynamicQuantizeMatMul',
  'DynamicTimeWarping', 'EPContext', 'EmbedLayerNormalization', 'EngramGate', 'ExpandDims', 'FastGelu',
  'FusedConv', 'FusedGemm', 'FusedMatMul', 'FusedMatMulActivation', 'GatedAdd', 'GatedDeltaNet',
  'GatedRMSNorm', 'GatedRelativePositionBias', 'GatherBlockQuantized', 'GatherND', 'Gelu', 'GemmFastGelu',
  'GemmFloat8', 'GemmaRotaryEmbedding', 'GreedySearch', 'GridSample', 'GroupNorm', 'GroupQueryAttention',
  'Inverse', 'Irfft', 'IsAllFinite', 'LinearAttention', 'LinearAttentionGate', 'LongformerAttention',
  'MRotaryEmbedding', 'MatMulBlockQuantizedFp4Weight', 'MatMulBlockQuantizedFp8Weight', 'MatMulBnb4',
  'MatMulFpQ4', 'MatMulInteger16', 'MatMulIntegerToFloat', 'MatMulNBits', 'MatMulNBitsMlp', 'MatMulNBitsQkv',
  'MaxpoolWithMask', 'MoE', 'MulInteger', 'MultiHeadAttention', 'MurmurHash3', 'NGramHashMapping',
  'NGramRepeatBlock', 'NhwcConv', 'NhwcFusedConv', 'NhwcMaxPool', 'PackedAttention',
  'PackedMultiHeadAttention', 'Pad', 'PagedAttention', 'QAttention', 'QEmbedLayerNormalization', 'QGemm',
  'QLinearAdd', 'QLinearAveragePool', 'QLinearConcat', 'QLinearConv', 'QLinearGlobalAveragePool',
  'QLinearLeakyRelu', 'QLinearMul', 'QLinearReduceMean', 'QLinearSigmoid', 'QLinearSoftmax', 'QLinearWhere',
  'QMoE', 'QOrderedAttention', 'QOrderedGelu', 'QOrderedLayerNormalization', 'QOrderedLongformerAttention',
  'QOrderedMatMul', 'QuantizeBFP', 'QuantizeLinear', 'QuantizeWithOrder', 'QuickGelu', 'Range',
  'ReduceSumInteger', 'RelativePositionBias', 'RemovePadding', 'RestorePadding', 'Rfft', 'RotaryEmbedding',
  'SampleOp', 'Sampling', 'SkipGroupNorm', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization',
  'Snpe', 'SparseAttention', 'SparseToDenseMatMul', 'Tokenizer', 'TorchEmbedding', 'TransposeMatMul',
  'Trilu', 'UnfoldTensor', 'Unique', 'VarlenCausalConvWithState', 'WhisperBeamSearch', 'WordConvEmbedding',
];

/** TFLite builtin operators (`BuiltinOperator` enum names). */
export const TFLITE_BUILTINS: readonly string[] = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE', 'DEQUANTIZE',
  'EMBEDDING_LOOKUP', 'FLOOR', 'FULLY_CONNECTED', 'HASHTABLE_LOOKUP', 'L2_NORMALIZATION', 'L2_POOL_2D',
  'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC', 'LSH_PROJECTION', 'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU',
  'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR', 'RNN', 'SOFTMAX', 'SPACE_TO_DEPTH', 'SVDF', 'TANH',
  'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL', 'CUSTOM', 'EMBEDDING_LOOKUP_SPARSE', 'PAD',
  'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER', 'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'TRANSPOSE', 'MEAN',
  'SUB', 'DIV', 'SQUEEZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE', 'BIDIRECTIONAL_SEQUENCE_RNN',
  'EXP', 'TOPK_V2', 'SPLIT', 'LOG_SOFTMAX', 'DELEGATE', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU',
  'MAXIMUM', 'ARG_MAX', 'MINIMUM', 'LESS', 'NEG', 'PADV2', 'GREATER', 'GREATER_EQUAL', 'LESS_EQUAL',
  'SELECT', 'SLICE', 'SIN', 'TRANSPOSE_CONV', 'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL', 'NOT_EQUAL',
  'LOG', 'SUM', 'SQRT', 'RSQRT', 'SHAPE', 'POW', 'ARG_MIN', 'FAKE_QUANT', 'REDUCE_PROD', 'REDUCE_MAX',
  'PACK', 'LOGICAL_OR', 'ONE_HOT', 'LOGICAL_AND', 'LOGICAL_NOT', 'UNPACK', 'REDUCE_MIN', 'FLOOR_DIV',
  'REDUCE_ANY', 'SQUARE', 'ZEROS_LIKE', 'FILL', 'FLOOR_MOD', 'RANGE', 'RESIZE_NEAREST_NEIGHBOR',
  'LEAKY_RELU', 'SQUARED_DIFFERENCE', 'MIRROR_PAD', 'ABS', 'SPLIT_V', 'UNIQUE', 'CEIL', 'REVERSE_V2',
  'ADD_N', 'GATHER_ND', 'COS', 'WHERE', 'RANK', 'ELU', 'REVERSE_SEQUENCE', 'MATRIX_DIAG', 'QUANTIZE',
  'MATRIX_SET_DIAG', 'ROUND', 'HARD_SWISH', 'IF', 'WHILE', 'NON_MAX_SUPPRESSION_V4',
  'NON_MAX_SUPPRESSION_V5', 'SCATTER_ND', 'SELECT_V2', 'DENSIFY', 'SEGMENT_SUM', 'BATCH_MATMUL', 'CUMSUM',
  'CALL_ONCE', 'BROADCAST_TO', 'RFFT2D', 'CONV_3D', 'IMAG', 'REAL', 'COMPLEX_ABS', 'HASHTABLE',
  'HASHTABLE_FIND', 'HASHTABLE_IMPORT', 'HASHTABLE_SIZE', 'REDUCE_ALL', 'CONV_3D_TRANSPOSE', 'VAR_HANDLE',
  'READ_VARIABLE', 'ASSIGN_VARIABLE', 'BROADCAST_ARGS', 'RANDOM_STANDARD_NORMAL', 'BUCKETIZE',
  'RANDOM_UNIFORM', 'MULTINOMIAL', 'GELU', 'DYNAMIC_UPDATE_SLICE', 'RELU_0_TO_1', 'UNSORTED_SEGMENT_PROD',
  'UNSORTED_SEGMENT_MAX', 'UNSORTED_SEGMENT_SUM', 'ATAN2', 'UNSORTED_SEGMENT_MIN', 'SIGN', 'BITCAST',
  'BITWISE_XOR', 'RIGHT_SHIFT', 'DILATE',
];

/** Latest ai.onnx opset known to the generator; profile opset ranges above it are rejected. */
export const MAX_ONNX_OPSET = 28;

/** Known op names per domain ("" = ai.onnx). */
export const OPS_BY_DOMAIN: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['', new Set(ONNX_OPS)],
  ['ai.onnx.ml', new Set(ONNX_ML_OPS)],
  ['com.microsoft', new Set(MICROSOFT_OPS)],
]);

/** TFLite builtins as a set. */
export const TFLITE_BUILTIN_SET: ReadonlySet<string> = new Set(TFLITE_BUILTINS);
