"""Regenerates the ONNX models that bench/cost-public.ts compares with published on-device figures.

torchvision architectures with random weights (latency does not depend on the weight values), at the
input size of each published figure, TorchScript export at opset 17, and int8 variants made with
onnxruntime's static quantizer (u8 activations, per-channel s8 weights, random calibration data), the
recipe of ../shared/models/make_models.py. The .onnx files are not committed (.gitignore).

Setup: the venv of ../shared/models/make_models.py (torch 2.13 CPU, torchvision 0.28, onnx, onnxruntime), plus
`VENV/bin/pip install --no-deps timm` (1.0.29) for MobileNetV4, which torchvision lacks, and the
`sed` of make_models.py's docstring that skips torchvision's fake-op registrations (its C++ ops do not load
beside the CPU torch of the mirror).
Then: VENV/bin/python bench/public-models/make_public_models.py [OUTDIR]   (default: this folder)
"""
import os, sys
import numpy as np
import onnx
from onnx import numpy_helper
import torch, torchvision

torch.manual_seed(1)
out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
tvm = torchvision.models

def inline_constant_identities(path):
    """TorchScript exports ReLU6's clip bounds as Identity nodes on constants; TFLite conversion folds
    them. Left in, they are float nodes between QDQ units, so fold them into initializers here."""
    m = onnx.load(path)
    inits = {i.name: i for i in m.graph.initializer}
    keep = []
    for n in m.graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = numpy_helper.to_array(inits[n.input[0]])
            m.graph.initializer.append(numpy_helper.from_array(t, n.output[0]))
            inits[n.output[0]] = m.graph.initializer[-1]
        else:
            keep.append(n)
    del m.graph.node[:]
    m.graph.node.extend(keep)
    onnx.save(m, path)

def export(name, model, size):
    path = os.path.join(out, f"{name}.onnx")
    if os.path.exists(path):
        return path
    model.eval()
    x = torch.randn(1, 3, size, size)
    torch.onnx.export(model, (x,), path, opset_version=17, dynamo=False,
                      input_names=["input"], output_names=["output"])
    inline_constant_identities(path)
    print(name, os.path.getsize(path), flush=True)
    return path

from onnxruntime.quantization import quantize_static, CalibrationDataReader, QuantFormat, QuantType
from onnxruntime.quantization.shape_inference import quant_pre_process

class Rand(CalibrationDataReader):
    def __init__(s, size, n=4):
        rng = np.random.default_rng(1)
        s.it = iter([{"input": rng.standard_normal((1, 3, size, size)).astype(np.float32)} for _ in range(n)])
    def get_next(s):
        return next(s.it, None)

def quantize(name, size, fmt=QuantFormat.QDQ, tag="int8.qdq", symmetric=False):
    src = os.path.join(out, f"{name}.onnx")
    dst = os.path.join(out, f"{name}.{tag}.onnx")
    if os.path.exists(dst):
        return
    pre = os.path.join(out, f"{name}.pre.onnx")
    quant_pre_process(src, pre)
    # TensorRT takes only symmetric signed int8 Q/DQ (zero point 0): the "s8sym" variant.
    extra = {"ActivationSymmetric": True, "WeightSymmetric": True} if symmetric else {}
    quantize_static(pre, dst, Rand(size, 2 if size > 400 else 4), quant_format=fmt, per_channel=True,
                    activation_type=QuantType.QInt8 if symmetric else QuantType.QUInt8,
                    weight_type=QuantType.QInt8, extra_options=extra)
    os.remove(pre)
    print(f"{name}.{tag}", os.path.getsize(dst), flush=True)

class RetinaNetHeads(torch.nn.Module):
    """MLPerf Inference's RetinaNet (ResNeXt50-32x4d + FPN with P6/P7, 264 OpenImages classes, 9 anchors per
    location, 800x800 input) up to the head outputs. Box decoding and NMS are left out: NVIDIA's MLPerf
    code runs them as a TensorRT plugin after the network."""
    def __init__(s):
        super().__init__()
        from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
        from torchvision.models.detection.retinanet import RetinaNetHead
        from torchvision.ops.feature_pyramid_network import LastLevelP6P7
        s.backbone = _resnet_fpn_extractor(tvm.resnext50_32x4d(weights=None), 5, returned_layers=[2, 3, 4],
                                           extra_blocks=LastLevelP6P7(256, 256))
        s.head = RetinaNetHead(256, 9, 264)
    def forward(s, x):
        feats = list(s.backbone(x).values())
        out = s.head(feats)
        return out["cls_logits"], out["bbox_regression"]

# (file stem, constructor, input size, int8 variants)
MODELS = [
    ("mobilenet_v2", lambda: tvm.mobilenet_v2(weights=None), 224, ["qdq", "qop"]),
    ("mobilenet_v3_small", lambda: tvm.mobilenet_v3_small(weights=None), 224, ["qdq"]),
    ("mobilenet_v3_large", lambda: tvm.mobilenet_v3_large(weights=None), 224, ["qdq"]),
    ("resnet18", lambda: tvm.resnet18(weights=None), 224, ["qdq"]),
    ("resnet50", lambda: tvm.resnet50(weights=None), 224, ["qdq", "s8sym"]),
    ("retinanet_800", RetinaNetHeads, 800, ["s8sym"]),
    # MLPerf Mobile v4.0's image classification v2 model, MobileNetV4-Conv-Large at 384x384.
    ("mobilenetv4_conv_large_384", lambda: __import__("timm").create_model("mobilenetv4_conv_large", pretrained=False), 384, ["qdq"]),
    ("resnet50_299", lambda: tvm.resnet50(weights=None), 299, ["qdq"]),
    ("efficientnet_b0", lambda: tvm.efficientnet_b0(weights=None), 224, ["qdq"]),
    ("squeezenet1_1", lambda: tvm.squeezenet1_1(weights=None), 224, ["qdq"]),
    ("squeezenet1_1_227", lambda: tvm.squeezenet1_1(weights=None), 227, ["qdq"]),
    ("shufflenet_v2_x1_0", lambda: tvm.shufflenet_v2_x1_0(weights=None), 224, ["qdq"]),
    ("squeezenet1_0", lambda: tvm.squeezenet1_0(weights=None), 224, ["qdq"]),
    ("mnasnet1_0", lambda: tvm.mnasnet1_0(weights=None), 224, []),
    ("mnasnet0_5", lambda: tvm.mnasnet0_5(weights=None), 224, []),
    ("googlenet", lambda: tvm.googlenet(weights=None, aux_logits=False, init_weights=True), 224, ["qdq"]),
    ("inception_v3", lambda: tvm.inception_v3(weights=None, aux_logits=False, init_weights=True), 299, ["qdq"]),
]
only = set(sys.argv[2:])
for stem, ctor, size, variants in MODELS:
    if only and stem not in only:
        continue
    export(stem, ctor(), size)
    for v in variants:
        if v == "s8sym":
            quantize(stem, size, QuantFormat.QDQ, "s8sym.qdq", symmetric=True)
        else:
            quantize(stem, size, QuantFormat.QDQ if v == "qdq" else QuantFormat.QOperator, f"int8.{v}")
