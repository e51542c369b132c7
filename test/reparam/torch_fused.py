#!/usr/bin/env python3
"""PyTorch side of test/reparam/fuse-torch.test.ts: a fused network run by PyTorch.

  torch_fused.py DIR

DIR/train.safetensors and DIR/deploy.safetensors are checkpoints in NAS Studio's format (engine
layouts, the network's model spec in the `model_spec` metadata): the training-time network's
weights and the deployment weights `nas fuse --out-weights` wrote from them. Each network is
built with torch.nn from its spec (torch_from_spec.py, nothing taken from the engine), loaded,
and run in eval mode (BN on its running estimates) on DIR/x.safetensors (x: N,H,W,C float32),
in float64. Writes DIR/torch.safetensors: `train` and `deploy` logits (N, classes).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'train'))
from torch_from_spec import SpecModule, read_safetensors, to_torch, write_safetensors  # noqa: E402


def metadata(path):
    data = open(path, 'rb').read()
    n = int.from_bytes(data[:8], 'little')
    return json.loads(data[8:8 + n].decode('utf-8')).get('__metadata__', {})


def run(path, x):
    spec = json.loads(metadata(path)['model_spec'])
    weights = read_safetensors(path)
    model = SpecModule(spec).to(torch.float64)
    params = {p['name']: p for node in spec['nodes'] for p in node['params']}
    state = model.state_dict()
    if set(state) != set(weights):
        raise SystemExit('%s: tensors %s differ from the spec names' % (path, sorted(set(state) ^ set(weights))[:10]))
    model.load_state_dict({k: to_torch(weights[k], params[k]).to(state[k].dtype) for k in state})
    model.eval()
    with torch.no_grad():
        return model(x)


def main():
    d = sys.argv[1]
    x = read_safetensors(d + '/x.safetensors')['x'].permute(0, 3, 1, 2).contiguous().to(torch.float64)
    out = {'train': run(d + '/train.safetensors', x), 'deploy': run(d + '/deploy.safetensors', x)}
    write_safetensors(d + '/torch.safetensors', out, {'torch': torch.__version__})


if __name__ == '__main__':
    main()
