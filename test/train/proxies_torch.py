#!/usr/bin/env python3
"""Zero-cost proxies of a NAS Studio model spec, computed with PyTorch in float64, as the
reference of test/train/proxies.test.ts.

  proxies_torch.py DIR

reads DIR/spec.json, DIR/weights.safetensors (engine layouts) and DIR/batch.safetensors (x:
N,H,W,C float32; y: N int32), builds the network with torch_from_spec.SpecModule (torch.nn
modules only), and prints one JSON object with the four scores, computed as the reference
implementations of Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS" (ICLR 2021,
github.com/SamsungLabs/zero-cost-nas, foresight/pruners/measures) and Mellor et al., "Neural
Architecture Search without Training" (ICML 2021) do:

- synflow: every parameter replaced by its absolute value, batch norm in eval mode (fresh
  statistics), input of ones [1, C, H, W], backward of the output's sum; sum over Conv2d and
  Linear weights of w * grad;
- naswot: training-mode forward of the batch; per ReLU, the binary code (input > 0) of each
  image; K = sum of c c^T + (1 - c)(1 - c)^T; numpy-style slogdet;
- grad_norm: sum over Conv2d and Linear weights of ||grad||_2 of the mean cross-entropy;
- snip: sum over the same of |w * grad|.
"""
import json, os, sys
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_from_spec as tfs


def load(d):
    spec = json.load(open(d + '/spec.json'))
    weights = tfs.read_safetensors(d + '/weights.safetensors')
    batch = tfs.read_safetensors(d + '/batch.safetensors')
    x = batch['x'].permute(0, 3, 1, 2).contiguous().double()
    y = batch['y'].long()
    return spec, weights, x, y


def fresh(spec, weights):
    model = tfs.SpecModule(spec).double()
    params = {p['name']: p for node in spec['nodes'] for p in node['params']}
    state = model.state_dict()
    model.load_state_dict({k: tfs.to_torch(weights[k], params[k]).to(state[k].dtype) for k in state})
    return model


def layers(model):
    return [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def synflow(spec, weights):
    model = fresh(spec, weights)
    with torch.no_grad():
        for p in model.state_dict().values():
            if p.is_floating_point():
                p.abs_()
    model.eval()
    c, h, w = spec['input']
    out = model(torch.ones(1, c, h, w, dtype=torch.float64))
    torch.sum(out).backward()
    return float(sum((m.weight * m.weight.grad).sum() for m in layers(model) if m.weight.grad is not None))


def naswot(spec, weights, x):
    model = fresh(spec, weights)
    model.train()
    n = x.shape[0]
    k = torch.zeros(n, n, dtype=torch.float64)
    relu = F.relu

    def recording(t, *args, **kwargs):
        nonlocal k
        c = (t > 0).double().reshape(n, -1)
        k = k + c @ c.t() + (1 - c) @ (1 - c).t()
        return relu(t, *args, **kwargs)

    tfs.F.relu = recording
    try:
        with torch.no_grad():
            model(x)
    finally:
        tfs.F.relu = relu
    return float(torch.slogdet(k)[1])


def gradient(spec, weights, x, y, kind):
    model = fresh(spec, weights)
    model.train()
    F.cross_entropy(model(x), y).backward()
    total = 0.0
    for m in layers(model):
        g = m.weight.grad
        if g is None:
            continue
        total += float(g.norm()) if kind == 'grad_norm' else float((m.weight * g).abs().sum())
    return total


def main():
    d = sys.argv[1]
    spec, weights, x, y = load(d)
    print(json.dumps({
        'synflow': synflow(spec, weights),
        'naswot': naswot(spec, weights, x),
        'grad_norm': gradient(spec, weights, x, y, 'grad_norm'),
        'snip': gradient(spec, weights, x, y, 'snip'),
    }))


if __name__ == '__main__':
    main()
