#!/usr/bin/env python3
"""Checks an ONNX model written by NAS Studio against PyTorch.

  onnx_check.py MODEL.onnx SPEC.json WEIGHTS.safetensors N SEED

The ONNX side: the `onnx` package (Debian's python3-onnx) parses the file, runs its checker
with full shape inference and infers the output's shape; then the graph is evaluated op by op
with torch functions, each implementing the operator as the ONNX operator documentation
(onnx/docs/Operators.md, opset 17) defines it. The PyTorch side: the network of the model
spec built from torch.nn modules (test/train/torch_from_spec.py) with the same weights, in
eval mode. Both run in float64 on the same N seeded standard-normal images; prints JSON.
"""
import json, os, sys
from collections import Counter
import onnx
from onnx import numpy_helper, shape_inference
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'train'))
from torch_from_spec import SpecModule, read_safetensors, to_torch  # noqa: E402


def attrs_of(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def pads2d(p):
    # ONNX pads [h_begin, w_begin, h_end, w_end]; F.pad takes [w_begin, w_end, h_begin, h_end].
    return [p[1], p[3], p[0], p[2]]


def run_onnx(model, x):
    env = {'input': x, '': None}
    for t in model.graph.initializer:
        a = numpy_helper.to_array(t).copy()
        env[t.name] = torch.from_numpy(a).to(torch.float64 if a.dtype.kind == 'f' else torch.int64)
    for n in model.graph.node:
        i = [env[k] for k in n.input]
        a = attrs_of(n)
        op = n.op_type
        if op == 'Conv':
            p = a.get('pads', [0, 0, 0, 0])
            xin = F.pad(i[0], pads2d(p)) if any(p) else i[0]
            y = F.conv2d(xin, i[1], i[2] if len(i) > 2 else None, a.get('strides', [1, 1]), 0, a.get('dilations', [1, 1]), a.get('group', 1))
        elif op == 'BatchNormalization':
            s = lambda t: t.view(1, -1, 1, 1)
            y = (i[0] - s(i[3])) / torch.sqrt(s(i[4]) + a.get('epsilon', 1e-5)) * s(i[1]) + s(i[2])
        elif op == 'Pad':
            p = i[1].tolist()
            r = len(p) // 2
            flat = []
            for k in reversed(range(r)):
                flat += [p[k], p[k + r]]
            y = F.pad(i[0], flat)
        elif op == 'Add':
            y = i[0] + i[1]
        elif op == 'Sum':
            y = sum(i[1:], i[0])
        elif op == 'Mul':
            y = i[0] * i[1]
        elif op == 'Reshape':
            shape = [i[0].shape[k] if v == 0 else v for k, v in enumerate(i[1].tolist())]
            y = i[0].reshape(shape)
        elif op == 'InstanceNormalization':
            dims = tuple(range(2, i[0].dim()))
            mean = i[0].mean(dims, keepdim=True)
            var = i[0].var(dims, unbiased=False, keepdim=True)
            shape = [1, -1] + [1] * len(dims)
            y = (i[0] - mean) / torch.sqrt(var + a.get('epsilon', 1e-5)) * i[1].view(shape) + i[2].view(shape)
        elif op == 'Flatten':
            ax = a.get('axis', 1)
            y = i[0].reshape(int(torch.tensor(i[0].shape[:ax]).prod()), -1)
        elif op == 'Gemm':
            b = i[1].t() if a.get('transB', 0) else i[1]
            y = i[0] @ b + (i[2] if len(i) > 2 else 0)
        elif op == 'Unsqueeze':
            y = i[0]
            for ax in sorted(i[1].tolist()):
                y = y.unsqueeze(ax)
        elif op == 'MaxPool':
            p = a.get('pads', [0, 0, 0, 0])
            xin = F.pad(i[0], pads2d(p), value=float('-inf')) if any(p) else i[0]
            y = F.max_pool2d(xin, a['kernel_shape'], a.get('strides', [1, 1]))
        elif op == 'AveragePool':
            p = a.get('pads', [0, 0, 0, 0])
            k = a['kernel_shape']
            s = a.get('strides', [1, 1])
            xin = F.pad(i[0], pads2d(p)) if any(p) else i[0]
            total = F.avg_pool2d(xin, k, s) * (k[0] * k[1])
            if a.get('count_include_pad', 0):
                y = total / (k[0] * k[1])
            else:
                ones = F.pad(torch.ones_like(i[0][:1, :1]), pads2d(p)) if any(p) else torch.ones_like(i[0][:1, :1])
                y = total / (F.avg_pool2d(ones, k, s) * (k[0] * k[1]))
        elif op == 'GlobalAveragePool':
            y = i[0].mean((2, 3), keepdim=True)
        elif op == 'Relu':
            y = torch.clamp(i[0], min=0)
        elif op == 'Clip':
            y = torch.clamp(i[0], min=float(i[1]), max=float(i[2]))
        elif op == 'HardSwish':
            y = i[0] * torch.clamp(i[0] / 6 + 0.5, 0, 1)
        elif op == 'HardSigmoid':
            y = torch.clamp(a.get('alpha', 0.2) * i[0] + a.get('beta', 0.5), 0, 1)
        elif op == 'Sigmoid':
            y = 1 / (1 + torch.exp(-i[0]))
        elif op == 'Identity':
            y = i[0]
        elif op == 'Concat':
            y = torch.cat(i, a['axis'])
        elif op == 'Transpose':
            y = i[0].permute(*a['perm'])
        elif op == 'Slice':
            idx = [slice(None)] * i[0].dim()
            for st, en, ax in zip(i[1].tolist(), i[2].tolist(), i[3].tolist()):
                idx[ax] = slice(st, en)
            y = i[0][tuple(idx)]
        elif op == 'Resize':
            assert a.get('mode') == b'nearest' and a.get('coordinate_transformation_mode') == b'asymmetric' and a.get('nearest_mode') == b'floor'
            sc = i[2].tolist()
            h, w = i[0].shape[2], i[0].shape[3]
            rows = (torch.arange(int(h * sc[2])) / sc[2]).floor().long()
            cols = (torch.arange(int(w * sc[3])) / sc[3]).floor().long()
            y = i[0][:, :, rows][:, :, :, cols]
        else:
            raise SystemExit('no evaluation of ONNX op ' + op)
        env[n.output[0]] = y
    return env[model.graph.output[0].name]


def main():
    path, spec_path, weights_path, n, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    dims = [d.dim_value if d.HasField('dim_value') else d.dim_param for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    spec = json.load(open(spec_path))
    weights = read_safetensors(weights_path)
    torch.manual_seed(seed)
    c, h, w = spec['input']
    x = torch.randn(n, c, h, w, dtype=torch.float64)
    ref = SpecModule(spec).to(torch.float64)
    params = {p['name']: p for node in spec['nodes'] for p in node['params']}
    state = ref.state_dict()
    ref.load_state_dict({k: to_torch(weights[k], params[k]).to(state[k].dtype) for k in state})
    ref.eval()
    with torch.no_grad():
        expected = ref(x)
        got = run_onnx(model, x)
    diff = (got.reshape(expected.shape) - expected).abs().max().item()
    print(json.dumps({
        'irVersion': model.ir_version,
        'opset': [[o.domain, o.version] for o in model.opset_import],
        'producer': model.producer_name,
        'inputDims': [d.dim_value if d.HasField('dim_value') else d.dim_param for d in model.graph.input[0].type.tensor_type.shape.dim],
        'outputDims': dims,
        'gotShape': list(got.shape),
        'ops': dict(Counter(nd.op_type for nd in model.graph.node)),
        'metadata': {p.key: p.value for p in model.metadata_props},
        'maxAbsDiff': diff,
        'maxRelDiff': diff / max(expected.abs().max().item(), 1e-30),
    }))


main()
