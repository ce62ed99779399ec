/**
 * Published on-device latencies for bench/cost-public.ts: (model, device) pairs of the same architecture
 * and input size as the model file, with every known mismatch between the published setup and the
 * EdgeGate profile. Read 2026-12-06 from the sources below.
 */
export interface PublicPair {
  /** EdgeGate profile id. */
  readonly device: string;
  /** Model file in bench/public-models (make_public_models.py) or ../shared/models. */
  readonly model: string;
  /** Architecture (the leave-one-architecture-out unit): fp32 and int8 files of one network are one. */
  readonly arch: string;
  readonly publishedMs: number;
  /** Key into PUBLIC_SOURCES. */
  readonly source: string;
  /** Differences between the published run and the profile: runtime, threads, precision, variant. */
  readonly mismatches: readonly string[];
}

export const PUBLIC_SOURCES: Readonly<Record<string, string>> = {
  coral: 'Coral, "Edge TPU performance benchmarks", table 1, column "Desktop CPU + USB Accelerator (USB 3.0) with Edge TPU" (coral.ai/docs/edgetpu/benchmarks, read 2026-12-06)',
  'ncnn-pi4': 'Tencent/ncnn benchmark/README.md @a4d2ea1 (2026-07-22), "Raspberry Pi 4 Model B Broadcom BCM2711B0, Cortex-A72 (1.8GHz x 4)", benchncnn 10 4 0 -1 1, avg',
  'ncnn-pi5': 'Tencent/ncnn benchmark/README.md @a4d2ea1 (2026-07-22), "Raspberry Pi 5 Broadcom BCM2712, Cortex-A76 (2.4GHz x 4)", benchncnn 10 4 0 -1 -1, avg',
  'xnnpack-pi4': 'google/XNNPACK README.md @75db3c0 (2026-08-21), "Raspberry Pi" table, column "RPi 4 (BCM2711, ARM64)", multi-threaded end2end-bench, Feb 8 2022',
  'aihub-s24': 'quic/ai-hub-models qai_hub_models/models/<model>/perf.yaml @52c080d (2026-02-12), "Samsung Galaxy S24", runtime onnx (ONNX Runtime 1.23.0 QNN EP, NPU), inference_time_milliseconds',
  'mlperf-pi4': 'MLCommons, MLPerf Inference Edge v1.1 results (github.com/mlcommons/inference_results_v1.1 @7fc4335), "Raspberry Pi 4" (Cortex-A72 MP4 at 1500 MHz, fan on), SingleStream, the run\'s mlperf_log_summary.txt "50.00 percentile latency" (the headline metric is the 90th percentile, 1-4 % higher): closed/Krai (resnet50: TFLite 2.5.0 ruy, ArmNN 21.05 Neon), closed/cTuning rpi4-tvm-fp32 (TVM 0.8-dev, 4 threads), open/Krai rpi4coral-fan.on-tflite-v2.5.0-ruy (MobileNets)',
  'mlperf-orin-nx': 'MLCommons, MLPerf Inference Edge v3.1 results (github.com/mlcommons/inference_results_v3.1 @eaf622a), closed/NVIDIA Orin_NX_TRT ("NVIDIA Orin NX 16G", JetPack 5.1.1, TensorRT 8.5.2), SingleStream, mlperf_log_summary.txt "50.00 percentile latency"',
  'mlperf-mobile-sd8g3': 'MLCommons, MLPerf Mobile v4.0 results (github.com/mlcommons/mobile_results_v4.0 @3e6d7f0), closed/Qualcomm_Innovation_Center/results/SD8G3/result.json (vivo V2307A, ro.soc.model SM8650 = Snapdragon 8 Gen 3, app 4.0.0), benchmark image_classification_v2 (MobileNetV4-Conv-Large int8), SNPE on the HTP, SingleStream, loadgen latency_mean',
  'aihub-s24-tflite': 'quic/ai-hub-models qai_hub_models/models/<model>/perf.yaml @52c080d (2026-02-12), "Samsung Galaxy S24", runtime tflite (TFLite 2.17, QNN delegate, NPU), inference_time_milliseconds',
};

const NCNN = ['runtime ncnn (profile: onnxruntime CPU EP)', '4 threads', 'ncnn uses Winograd 3x3 convolutions'];
const NCNN_PI4 = [...NCNN, 'board at 1.8 GHz (profile: 1.5 GHz B0 board)'];
const NCNN_PI5 = [...NCNN, 'ncnn computes "fp32" models in fp16 on the A76 (benchncnn sets use_fp16_arithmetic)'];
const NCNN_INT8 = ['ncnn int8 model from its own quantizer (per-channel weights; requantization as ncnn does)'];
const XNN = ['runtime TFLite/XNNPACK end2end-bench (profile: onnxruntime CPU EP)', 'multi-threaded (4 threads)', 'measured 2022 on Raspbian Buster arm64', 'board clock not stated'];
const AIHUB = ['ONNX Runtime 1.23 (profile: 1.30)', 'AI Hub compiles the model itself (its own export; float runs as fp16 on HTP)'];
const AIHUB_W8A8 = [...AIHUB, 'AI Hub w8a8 quantization (ours: onnxruntime quantize_static u8/s8 per-channel, random calibration)'];
const MLPERF_PI4 = ['SingleStream 50th percentile of a 10-minute MLPerf run (headline metric: 90th percentile)', 'Pi 4 at 1.5 GHz (the profile: C0 board at 1.8 GHz)'];
const KRAI_TFLITE = [...MLPERF_PI4, 'runtime TFLite 2.5.0 with ruy (profile: onnxruntime CPU EP)', 'threads not stated in the submission'];
const TFLITE_UINT8 = ['TensorFlow\'s post-training uint8 model (per-tensor asymmetric; ours: onnxruntime quantize_static u8/s8 per-channel)'];
const MLPERF_ORIN = [
  'device: Orin NX 16GB, not Orin Nano 8GB: the same Ampere GPU (1024 CUDA / 32 Tensor cores) at up to 918 MHz (Nano: 625 MHz), 102 GB/s LPDDR5 (Nano: 68 GB/s)',
  'SingleStream on the GPU (NVIDIA: both DLAs join only in Offline)',
  'NVIDIA\'s own TensorRT int8 engine (calibrated per-tensor symmetric; ours: onnxruntime quantize_static symmetric s8 QDQ, per-channel weights)',
];
const CORAL = ['TFLite full-integer model compiled by the Edge TPU compiler (ours: ONNX QDQ, converted by the profile\'s rules)', 'host: desktop CPU over USB 3.0'];

function pairs(device: string, source: string, common: readonly string[], rows: readonly [string, string, number, ...string[]][]): PublicPair[] {
  return rows.map(([model, arch, publishedMs, ...extra]) => ({ device, model, arch, publishedMs, source, mismatches: [...common, ...extra] }));
}

export const PUBLIC_PAIRS: readonly PublicPair[] = [
  ...pairs('coral-edgetpu', 'coral', CORAL, [
    ['mobilenet_v2.int8.qdq.onnx', 'mobilenet_v2', 2.6],
    ['squeezenet1_0.int8.qdq.onnx', 'squeezenet', 2.1, 'SqueezeNet version not stated (ours: 1.0)'],
    ['googlenet.int8.qdq.onnx', 'googlenet', 3.4, 'Inception v1 = torchvision googlenet (BatchNorm variant)'],
    ['resnet50_299.int8.qdq.onnx', 'resnet50', 49, 'ResNet-50 V1 at 299x299'],
  ]),
  ...pairs('raspberry-pi-4', 'ncnn-pi4', NCNN_PI4, [
    ['squeezenet1_1_227.onnx', 'squeezenet', 46.65, 'ncnn squeezenet is v1.1 at 227x227'],
    ['mobilenet_v2.onnx', 'mobilenet_v2', 61.88],
    ['mobilenet_v3_large.onnx', 'mobilenet_v3', 47.53, 'ncnn "mobilenet_v3" variant not stated (ours: large)'],
    ['shufflenet_v2_x1_0.onnx', 'shufflenet_v2', 24.56],
    ['mnasnet1_0.onnx', 'mnasnet', 51.98],
    ['efficientnet_b0.onnx', 'efficientnet_b0', 74.19],
    ['googlenet.onnx', 'googlenet', 114.35],
    ['resnet18.onnx', 'resnet18', 123.12],
    ['resnet50.onnx', 'resnet50', 262.83],
    ['resnet18.int8.qdq.onnx', 'resnet18', 83.92, ...NCNN_INT8],
    ['resnet50.int8.qdq.onnx', 'resnet50', 196.65, ...NCNN_INT8],
    ['googlenet.int8.qdq.onnx', 'googlenet', 101.25, ...NCNN_INT8],
    ['squeezenet1_1_227.int8.qdq.onnx', 'squeezenet', 42.59, ...NCNN_INT8],
  ]),
  ...pairs('raspberry-pi-4', 'xnnpack-pi4', XNN, [
    ['mobilenet_v2.onnx', 'mobilenet_v2', 46],
    ['mobilenet_v3_large.onnx', 'mobilenet_v3', 40],
    ['mobilenet_v3_small.onnx', 'mobilenet_v3_small', 15],
    ['mobilenet_v2.int8.qdq.onnx', 'mobilenet_v2', 17, 'XNNPACK per-channel int8'],
  ]),
  ...pairs('raspberry-pi-4', 'mlperf-pi4', MLPERF_PI4, [
    ['resnet50.onnx', 'resnet50', 522.49, 'closed division, ResNet50-v1.5 fp32', 'runtime TFLite 2.5.0 with ruy (profile: onnxruntime CPU EP)', 'threads not stated in the submission'],
    ['resnet50.onnx', 'resnet50', 295.84, 'closed division, ResNet50-v1.5 fp32', 'runtime ArmNN 21.05 Neon backend via its TFLite parser (profile: onnxruntime CPU EP)', 'threads not stated in the submission'],
    ['resnet50.onnx', 'resnet50', 563.4, 'closed division, ResNet50-v1.5 fp32 ONNX', 'runtime TVM 0.8-dev graph executor, llvm target, untuned (profile: onnxruntime CPU EP)', '4 threads (TVM_NUM_THREADS=4)', 'Python loadgen harness', 'board: "Raspberry Pi 4 Model B Rev 1.1", 2 GB'],
  ]),
  ...pairs('raspberry-pi-4', 'mlperf-pi4', KRAI_TFLITE, [
    ['mobilenet_v2.onnx', 'mobilenet_v2', 55.57, 'open division, mobilenet-v2-1.0-224 fp32'],
    ['mobilenet_v2.int8.qdq.onnx', 'mobilenet_v2', 24.03, 'open division, mobilenet-v2-1.0-224 uint8', ...TFLITE_UINT8],
    ['mobilenet_v3_large.onnx', 'mobilenet_v3', 52.12, 'open division, mobilenet-v3-large_224_1.0_float'],
    ['mobilenet_v3_large.int8.qdq.onnx', 'mobilenet_v3', 26.39, 'open division, mobilenet-v3-large_224_1.0_uint8', ...TFLITE_UINT8],
    ['mobilenet_v3_small.onnx', 'mobilenet_v3_small', 20.07, 'open division, mobilenet-v3-small_224_1.0_float'],
    ['mobilenet_v3_small.int8.qdq.onnx', 'mobilenet_v3_small', 10.75, 'open division, mobilenet-v3-small_224_1.0_uint8', ...TFLITE_UINT8],
  ]),
  ...pairs('jetson-orin-nano', 'mlperf-orin-nx', MLPERF_ORIN, [
    ['resnet50.s8sym.qdq.onnx', 'resnet50', 1.078, 'closed division, ResNet50-v1.5'],
    ['retinanet_800.s8sym.qdq.onnx', 'retinanet', 28.43, 'closed division, RetinaNet ResNeXt50-32x4d FPN 800x800 (ours: up to the head outputs; NVIDIA decodes boxes and runs NMS in a TensorRT plugin)'],
  ]),
  ...pairs('raspberry-pi-5', 'ncnn-pi5', NCNN_PI5, [
    ['squeezenet1_1_227.onnx', 'squeezenet', 7.38, 'ncnn squeezenet is v1.1 at 227x227'],
    ['mobilenet_v2.onnx', 'mobilenet_v2', 10.52],
    ['mobilenet_v3_large.onnx', 'mobilenet_v3', 7.35, 'ncnn "mobilenet_v3" variant not stated (ours: large)'],
    ['shufflenet_v2_x1_0.onnx', 'shufflenet_v2', 3.39],
    ['mnasnet1_0.onnx', 'mnasnet', 7.1],
    ['efficientnet_b0.onnx', 'efficientnet_b0', 12.33],
    ['googlenet.onnx', 'googlenet', 25.35],
    ['resnet18.onnx', 'resnet18', 19.96],
    ['resnet50.onnx', 'resnet50', 46.21],
    ['resnet18.int8.qdq.onnx', 'resnet18', 16.74, ...NCNN_INT8],
    ['resnet50.int8.qdq.onnx', 'resnet50', 40.75, ...NCNN_INT8],
    ['googlenet.int8.qdq.onnx', 'googlenet', 24.12, ...NCNN_INT8],
    ['squeezenet1_1_227.int8.qdq.onnx', 'squeezenet', 7.21, ...NCNN_INT8],
  ]),
  ...pairs('qualcomm-htp', 'aihub-s24', AIHUB, [
    ['mobilenet_v2.onnx', 'mobilenet_v2', 0.523],
    ['mobilenet_v3_large.onnx', 'mobilenet_v3', 0.682],
    ['mobilenet_v3_small.onnx', 'mobilenet_v3_small', 0.515],
    ['resnet18.onnx', 'resnet18', 0.939],
    ['resnet50.onnx', 'resnet50', 1.724],
    ['efficientnet_b0.onnx', 'efficientnet_b0', 1.063],
    ['squeezenet1_1.onnx', 'squeezenet', 0.431],
    ['shufflenet_v2_x1_0.onnx', 'shufflenet_v2', 0.603],
    ['googlenet.onnx', 'googlenet', 0.743],
    ['inception_v3.onnx', 'inception_v3', 1.26],
    ['mnasnet0_5.onnx', 'mnasnet', 0.493, 'MNASNet 0.5'],
  ]),
  ...pairs('qualcomm-htp', 'aihub-s24', AIHUB_W8A8, [
    ['resnet18.int8.qdq.onnx', 'resnet18', 0.582],
    ['resnet50.int8.qdq.onnx', 'resnet50', 0.864],
    ['squeezenet1_1.int8.qdq.onnx', 'squeezenet', 0.454],
    ['shufflenet_v2_x1_0.int8.qdq.onnx', 'shufflenet_v2', 0.572],
    ['googlenet.int8.qdq.onnx', 'googlenet', 0.394],
    ['inception_v3.int8.qdq.onnx', 'inception_v3', 0.672],
  ]),
  ...pairs('qualcomm-htp', 'mlperf-mobile-sd8g3', [
    'runtime SNPE with the HTP (DSP) delegate, model compiled to DLC with -O2 (profile: ONNX Runtime QNN EP)',
    'mean latency of a 60-second MLPerf Mobile SingleStream run (p90 0.867 ms)',
    'vivo V2307A with SM8650 (profile figures: Galaxy S24, the same SoC)',
    'Qualcomm\'s int8 post-training-quantized model (ours: timm mobilenetv4_conv_large, onnxruntime quantize_static u8/s8 per-channel, random calibration)',
    'input size not stated in the result file; ours 384x384, the model\'s native size (timm default_cfg), consistent with the 82.14 % top-1 the run reports',
  ], [
    ['mobilenetv4_conv_large_384.int8.qdq.onnx', 'mobilenet_v4', 0.815],
  ]),
  ...pairs('android-nnapi', 'aihub-s24-tflite', ['runtime TFLite with the QNN delegate (profile: ONNX Runtime NNAPI EP; both reach the Hexagon NPU)', 'Galaxy S24 (Snapdragon 8 Gen 3)'], [
    ['mobilenet_v2.onnx', 'mobilenet_v2', 0.593, 'float runs as fp16'],
    ['resnet50.onnx', 'resnet50', 1.6, 'float runs as fp16'],
    ['resnet18.int8.qdq.onnx', 'resnet18', 0.293, 'AI Hub w8a8 quantization'],
    ['googlenet.int8.qdq.onnx', 'googlenet', 0.187, 'AI Hub w8a8 quantization'],
  ]),
];
