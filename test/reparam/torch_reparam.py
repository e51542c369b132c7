"""PyTorch side of the structural-reparameterization tests (test/reparam/*.test.ts).

`fuse CASES.json`: each case gives an input, a multi-branch block (branches of conv / eval-mode
BN / BN-and-pad / average pooling layers on one input, summed) and a fused conv computed by NAS
Studio. PyTorch computes both outputs in float32 with torch.nn.functional (BN with
training=False: the running estimates) and reports their largest absolute difference.

`cost SPECS.json`: builds the reference training-time modules of the Diverse Branch Block
(DingXiaoH/DiverseBranchBlock, diversebranchblock.py) and of MobileOne (apple/ml-mobileone,
mobileone.py) with their layer order, runs them, and reports output shape, parameters
(sum of p.numel()) and MACs of their convolutions (output elements x weights per output, the
project's convention: BN and pooling cost none).

Arrays travel as base64 of little-endian float32, OIHW for kernels, NCHW for tensors.
"""
import base64
import json
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def arr(s, shape=None):
    t = torch.from_numpy(np.frombuffer(base64.b64decode(s), dtype="<f4").copy())
    return t if shape is None else t.reshape(shape)


def bn_values(layer):
    """The value an eval-mode BN maps a zero to: DBB's BNAndPadLayer pads with it."""
    return layer["beta"] - layer["mean"] * layer["gamma"] / torch.sqrt(layer["var"] + layer["eps"])


def run_layer(x, layer):
    op = layer["op"]
    if op == "conv":
        c_in_per = x.shape[1] // layer["groups"]
        w = arr(layer["weight"], (layer["out"], c_in_per, layer["kh"], layer["kw"]))
        b = arr(layer["bias"]) if layer.get("bias") else None
        return F.conv2d(x, w, b, tuple(layer["stride"]), tuple(layer["pad"]), tuple(layer["dilation"]), layer["groups"])
    if op == "bn":
        p = {k: arr(layer[k]) for k in ("gamma", "beta", "mean", "var")}
        p["eps"] = layer["eps"]
        y = F.batch_norm(x, p["mean"], p["var"], p["gamma"], p["beta"], training=False, eps=p["eps"])
        pad = layer.get("pad", 0)
        if pad > 0:
            # As the reference BNAndPadLayer: pad, then overwrite the border with BN(0).
            y = F.pad(y, [pad] * 4)
            v = bn_values(p).view(1, -1, 1, 1)
            y[:, :, 0:pad, :] = v
            y[:, :, -pad:, :] = v
            y[:, :, :, 0:pad] = v
            y[:, :, :, -pad:] = v
        return y
    if op == "zeropad":
        return F.pad(x, [layer["pad"]] * 4)
    if op == "avgpool":
        return F.avg_pool2d(x, layer["k"], layer["stride"], layer["pad"], count_include_pad=layer.get("count_include_pad", True))
    raise ValueError(f"unknown layer {op}")


def fuse_cases(cases):
    out = []
    torch.set_grad_enabled(False)
    for cs in cases:
        x = arr(cs["x"], (cs["n"], cs["c"], cs["h"], cs["w"]))
        try:
            total = None
            for branch in cs["branches"]:
                y = x
                for layer in branch:
                    y = run_layer(y, layer)
                total = y if total is None else total + y
        except RuntimeError as e:
            out.append({"id": cs["id"], "ok": False, "error": str(e).split("\n")[0]})
            continue
        fused = run_layer(x, cs["fused"]) if cs.get("fused") else None
        r = {"id": cs["id"], "ok": True, "shape": list(total.shape), "maxAbs": float(total.abs().max())}
        if fused is not None:
            r["fusedShape"] = list(fused.shape)
            if fused.shape == total.shape:
                r["maxAbsDiff"] = float((fused - total).abs().max())
        out.append(r)
    return out


class BNAndPad(nn.Module):
    """DBB's BN followed by padding with BN(0) (diversebranchblock.py, BNAndPadLayer)."""

    def __init__(self, pad, channels):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels)
        self.pad = pad

    def forward(self, x):
        y = self.bn(x)
        if self.pad > 0:
            b = self.bn
            v = (b.bias - b.running_mean * b.weight / torch.sqrt(b.running_var + b.eps)).view(1, -1, 1, 1)
            y = F.pad(y, [self.pad] * 4)
            y[:, :, : self.pad, :] = v
            y[:, :, -self.pad :, :] = v
            y[:, :, :, : self.pad] = v
            y[:, :, :, -self.pad :] = v
        return y


def conv_bn(cin, cout, k, stride, pad, groups):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, groups=groups, bias=False), nn.BatchNorm2d(cout))


class DBB(nn.Module):
    """The training-time Diverse Branch Block (Ding et al. 2021) with its reference layer
    order: origin kxk conv-BN; 1x1 conv-BN and 1x1 conv + BN-and-pad + avgpool + BN when not
    depthwise (else avgpool + BN); 1x1 conv (internal channels) + BN-and-pad + kxk conv + BN."""

    def __init__(self, cin, cout, k, stride, groups, internal=None):
        super().__init__()
        p = k // 2
        self.origin = conv_bn(cin, cout, k, stride, p, groups)
        if groups < cout:
            self.avg = nn.Sequential(nn.Conv2d(cin, cout, 1, 1, 0, groups=groups, bias=False), BNAndPad(p, cout), nn.AvgPool2d(k, stride, 0), nn.BatchNorm2d(cout))
            self.one = conv_bn(cin, cout, 1, stride, 0, groups)
        else:
            self.avg = nn.Sequential(nn.AvgPool2d(k, stride, p), nn.BatchNorm2d(cout))
            self.one = None
        mid = internal if internal else (cin if groups < cout else 2 * cin)
        self.kxk = nn.Sequential(
            nn.Conv2d(cin, mid, 1, 1, 0, groups=groups, bias=False), BNAndPad(p, mid), nn.Conv2d(mid, cout, k, stride, 0, groups=groups, bias=False), nn.BatchNorm2d(cout)
        )

    def forward(self, x):
        y = self.origin(x) + self.avg(x) + self.kxk(x)
        return y + self.one(x) if self.one is not None else y


class MobileOne(nn.Module):
    """The training-time MobileOne block (Vasu et al. 2023) as the reference builds it: BN skip
    when in == out and stride 1, `branches` kxk conv-BN, a 1x1 conv-BN scale branch when k > 1,
    summed, then ReLU (no SE)."""

    def __init__(self, cin, cout, k, stride, groups, branches):
        super().__init__()
        self.skip = nn.BatchNorm2d(cin) if cin == cout and stride == 1 else None
        self.convs = nn.ModuleList([conv_bn(cin, cout, k, stride, k // 2, groups) for _ in range(branches)])
        self.scale = conv_bn(cin, cout, 1, stride, 0, groups) if k > 1 else None

    def forward(self, x):
        y = sum(c(x) for c in self.convs)
        if self.scale is not None:
            y = y + self.scale(x)
        if self.skip is not None:
            y = y + self.skip(x)
        return F.relu(y)


def cost_specs(specs):
    out = []
    torch.set_grad_enabled(False)
    for s in specs:
        try:
            if s["block"] == "DBBlock":
                m = DBB(s["in"], s["C"], s["k"], s["stride"], s["groups"], s.get("internal"))
            else:
                m = MobileOne(s["in"], s["C"], s["k"], s["stride"], s["groups"], s["branches"])
        except ValueError as e:  # groups that do not divide the channels
            out.append({"ok": False, "error": str(e)})
            continue
        m.eval()
        macs = [0]

        def hook(mod, inp, y):
            macs[0] += y[0].numel() * mod.weight[0].numel()

        for mod in m.modules():
            if isinstance(mod, nn.Conv2d):
                mod.register_forward_hook(hook)
        try:
            y = m(torch.zeros(1, s["in"], s["h"], s["h"]))
        except RuntimeError as e:
            out.append({"ok": False, "error": str(e).split("\n")[0]})
            continue
        out.append({"ok": True, "shape": list(y.shape[1:]), "params": sum(p.numel() for p in m.parameters()), "macs": macs[0]})
    return out


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        data = json.load(f)
    result = fuse_cases(data) if mode == "fuse" else cost_specs(data)
    json.dump(result, sys.stdout)
