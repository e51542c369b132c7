#!/usr/bin/env python3
"""A torch.nn.Module from NAS Studio's model spec, and one training step's loss and gradients.

The spec (src/core/train/model-builder/spec.ts) lists a network's ops in order, each with its
op name, resolved attributes, inputs and parameter names. This script builds the network with
PyTorch's own modules and functions (nn.Conv2d, nn.BatchNorm2d, F.avg_pool2d, ...), nothing
taken from the engine, registering each module at its spec name, so that the module's
state_dict keys are the spec's tensor names. It is the comparison side of
test/train/model-builder-torch.test.ts and the seed of the PyTorch export.

  torch_from_spec.py DIR

reads DIR/spec.json, DIR/weights.safetensors (engine layouts), DIR/batch.safetensors
(x: N,H,W,C float32; y: N int32) and, if present, DIR/branches.safetensors (per ReLU node
`branch.ID`, N,H,W,C uint8: the piece of ReLU/ReLU6 each element is on), runs one training-mode forward pass and backward pass of
the mean cross-entropy in float64 and in float32, and writes DIR/torch.safetensors: the
float64 loss, gradients and updated buffers in engine layouts, and in its metadata the
float32 run's deviation from the float64 one per tensor (largest and relative L2) (PyTorch's own rounding,
the yardstick for the engine's).
"""
import json, struct, sys
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {'F64': (torch.float64, 8), 'F32': (torch.float32, 4), 'I64': (torch.int64, 8), 'I32': (torch.int32, 4), 'U8': (torch.uint8, 1)}


def read_safetensors(path):
    data = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    header.pop('__metadata__', None)
    buf = data[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info['data_offsets']
        dtype, _ = DTYPES[info['dtype']]
        out[name] = torch.frombuffer(bytearray(buf[b:e]), dtype=dtype).reshape(info['shape']) if e > b else torch.zeros(info['shape'], dtype=dtype)
    return out


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {'__metadata__': metadata}, [], 0
    for name, t in tensors.items():
        t = t.detach().to(torch.float64).contiguous()
        blob = t.numpy().tobytes()
        header[name] = {'dtype': 'F64', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    h = json.dumps(header).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


class BNAndPad(nn.BatchNorm2d):
    """bn(pad=p): DBB's BNAndPadLayer (DingXiaoH/DiverseBranchBlock, dbb_transforms.py /
    diversebranchblock.py), as a BatchNorm2d subclass so that its state_dict keys are the BN's:
    BN of the unpadded input, then a border of p pixels holding beta - running_mean * gamma /
    sqrt(running_var + eps), gamma and beta detached."""

    def __init__(self, c, pad, **kw):
        super().__init__(c, **kw)
        self.pad = pad

    def forward(self, x):
        output = super().forward(x)
        if self.affine:
            pad_values = self.bias.detach() - self.running_mean * self.weight.detach() / torch.sqrt(self.running_var + self.eps)
        else:
            pad_values = -self.running_mean / torch.sqrt(self.running_var + self.eps)
        p = self.pad
        output = F.pad(output, [p] * 4)
        pad_values = pad_values.view(1, -1, 1, 1)
        output[:, :, 0:p, :] = pad_values
        output[:, :, -p:, :] = pad_values
        output[:, :, :, 0:p] = pad_values
        output[:, :, :, -p:] = pad_values
        return output


def module_for(node):
    a = node['attrs']
    op = node['op']
    if op in ('conv', 'dwconv'):
        return nn.Conv2d(a['in'], a['out'], (a['kh'], a['kw']), a['stride'], (a['pad_h'], a['pad_w']), a['dilation'], a['groups'], a['bias'])
    if op == 'bn' and a.get('pad', 0) > 0:
        return BNAndPad(a['c'], a['pad'], eps=a['eps'], momentum=a['momentum'], affine=a['affine'])
    if op == 'bn':
        return nn.BatchNorm2d(a['c'], eps=a['eps'], momentum=a['momentum'], affine=a['affine'])
    if op == 'gn':
        return nn.GroupNorm(a['groups'], a['c'], eps=a['eps'])
    if op == 'fc':
        return nn.Linear(a['in'], a['out'], a['bias'])
    return None


class SpecModule(nn.Module):
    """The spec's graph; each parametrised node is a submodule at its dotted spec name."""

    def __init__(self, spec, branches=None):
        super().__init__()
        self.spec = spec
        self.branches = branches or {}
        self.mods = {}
        for node in spec['nodes']:
            m = module_for(node)
            if m is None:
                continue
            parent = self
            parts = node['name'].split('.')
            for p in parts[:-1]:
                if p not in parent._modules:
                    parent.add_module(p, nn.Module())
                parent = parent._modules[p]
            parent.add_module(parts[-1], m)
            self.mods[node['id']] = m

    def forward(self, x):
        v = {}
        for node in self.spec['nodes']:
            op, a, i = node['op'], node['attrs'], [v[k] for k in node['inputs']]
            if op == 'input':
                y = x
            elif op in ('conv', 'dwconv', 'bn', 'gn'):
                y = self.mods[node['id']](i[0])
            elif op == 'fc':
                y = self.mods[node['id']](i[0].flatten(1))[:, :, None, None]
            elif op == 'maxpool':
                y = F.max_pool2d(i[0], a['k'], a['stride'], a['pad'])
            elif op == 'avgpool':
                y = F.avg_pool2d(i[0], a['k'], a['stride'], a['pad'], count_include_pad=a['count_include_pad'])
            elif op == 'gap':
                y = F.adaptive_avg_pool2d(i[0], 1)
            elif op == 'flatten':
                y = i[0].flatten(1)[:, :, None, None]
            elif op in ('relu', 'relu6') and node['id'] in self.branches:
                # The engine's branch per element: 0 below 0, 1 linear, 2 clamped at 6.
                b = self.branches[node['id']]
                y = i[0] * (b == 1).to(i[0].dtype) + 6.0 * (b == 2).to(i[0].dtype)
            elif op == 'relu':
                y = F.relu(i[0])
            elif op == 'relu6':
                y = F.relu6(i[0])
            elif op == 'hswish':
                y = F.hardswish(i[0])
            elif op == 'hsigmoid':
                y = F.hardsigmoid(i[0])
            elif op == 'swish':
                y = F.silu(i[0])
            elif op == 'sigmoid':
                y = torch.sigmoid(i[0])
            elif op == 'identity':
                y = i[0]
            elif op == 'dropout':
                y = F.dropout(i[0], a['p'], self.training)
            elif op == 'zero':
                # As NAS-Bench-201's and DARTS' Zero: x[:, :, ::s, ::s].mul(0.), new zeros for other widths.
                s = a['stride']
                z = i[0][:, :, ::s, ::s].mul(0.)
                y = z if a['out'] == z.shape[1] else z.new_zeros((z.shape[0], a['out'], z.shape[2], z.shape[3]))
            elif op == 'add':
                y = i[0]
                for t in i[1:]:
                    y = y + t
            elif op == 'mul':
                y = i[0]
                for t in i[1:]:
                    y = y * t
            elif op == 'concat':
                y = torch.cat(i, 1)
            elif op == 'channel_shuffle':
                n, c, h, w = i[0].shape
                g = a['groups']
                y = i[0].view(n, g, c // g, h, w).transpose(1, 2).reshape(n, c, h, w)
            elif op == 'split':
                y = torch.chunk(i[0], a['parts'], 1)[a['index']]
            elif op == 'upsample':
                y = F.interpolate(i[0], scale_factor=a['scale'], mode='nearest')
            else:
                raise ValueError('unknown op ' + op)
            v[node['id']] = y
        return v[self.spec['output']].flatten(1)


def to_torch(t, p):
    perm = p.get('toTorch')
    return t.permute(*perm).contiguous() if perm else t


def to_engine(t, p):
    perm = p.get('toTorch')
    if not perm:
        return t
    inverse = [perm.index(k) for k in range(len(perm))]
    return t.permute(*inverse).contiguous()


def step(spec, weights, x, y, dtype, branches):
    model = SpecModule(spec, branches).to(dtype)
    params = {p['name']: p for node in spec['nodes'] for p in node['params']}
    state = model.state_dict()
    missing = set(params) ^ set(state)
    if missing:
        raise SystemExit('state_dict keys differ from the spec names: %s' % sorted(missing)[:10])
    model.load_state_dict({k: to_torch(weights[k], params[k]).to(state[k].dtype) for k in state})
    model.train()
    loss = F.cross_entropy(model(x.to(dtype)), y)
    loss.backward()
    named = dict(model.named_parameters())
    grads = {k: to_engine(named[k].grad if named[k].grad is not None else torch.zeros_like(named[k]), params[k]) for k in named}
    buffers = {k: to_engine(b, params[k]) for k, b in model.named_buffers()}
    return loss.detach(), grads, buffers


def main():
    d = sys.argv[1]
    spec = json.load(open(d + '/spec.json'))
    weights = read_safetensors(d + '/weights.safetensors')
    batch = read_safetensors(d + '/batch.safetensors')
    x = batch['x'].permute(0, 3, 1, 2).contiguous()
    y = batch['y'].long()
    branches = {}
    try:
        for k, t in read_safetensors(d + '/branches.safetensors').items():
            branches[int(k.split('.')[1])] = t.permute(0, 3, 1, 2).contiguous()
    except FileNotFoundError:
        pass
    torch.manual_seed(0)
    loss64, g64, b64 = step(spec, weights, x, y, torch.float64, branches)
    # PyTorch's own float32 run, as the yardstick, takes its own branches.
    loss32, g32, b32 = step(spec, weights, x, y, torch.float32, {})
    # Per tensor: the float32 run's largest absolute error and its relative L2 error.
    deviation = {'loss': [float(abs(loss32.double() - loss64))] * 2}
    for k in g64:
        diff = g32[k].double() - g64[k]
        deviation[k] = [float(diff.abs().max()), float(diff.norm() / max(float(g64[k].norm()), 1e-300))] if diff.numel() else [0.0, 0.0]
    out = {'loss': loss64.reshape([])}
    out.update({'grad.' + k: t for k, t in g64.items()})
    out.update({'state.' + k: t for k, t in b64.items()})
    write_safetensors(d + '/torch.safetensors', out, {'float32_deviation': json.dumps(deviation), 'torch': torch.__version__})


if __name__ == '__main__':
    main()
