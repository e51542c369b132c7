#!/usr/bin/env python3
"""Checks files written by NAS Studio's PyTorch export (test/export/pytorch-export.test.ts).

  check_exports.py counts -
      Reads one JSON object per line on stdin, {"file": ..., "names": {name: torch shape},
      "forward": bool}, as the test writes them; imports each file, builds its Model with
      initialisation skipped (nn.init does nothing: only the tensors' sizes are counted), and
      prints one JSON line per file: the parameter count, the state_dict names and shapes that
      differ from the expected ones and, with "forward", the output shape of one image in
      inference mode.

  check_exports.py parity DIR
      DIR/model.py (an export), DIR/engine.safetensors (the engine's weights), DIR/x.safetensors
      (x: N,H,W,C float32 batch; y: N int32 labels). Loads the weights with the file's own
      load_nas_safetensors, writes DIR/torch.safetensors with the inference-mode and
      training-mode outputs on x (eval, train), the loss and the float32 training-mode output's
      largest deviation from float64's (train_dev32), saves the loaded weights back
      with save_nas_safetensors (DIR/roundtrip.safetensors), then takes one SGD step
      (lr 0.01, momentum 0.9) on (x, y) and saves the result (DIR/stepped.safetensors); its
      inference-mode output on x goes into DIR/torch.safetensors too (stepped_eval).

  check_exports.py parity -
      The same for each DIR read as a line on stdin (one PyTorch start for many checks); prints
      one JSON line per DIR: {"dir": DIR} when done, with "error" (the traceback) when it failed.
"""
import copy
import importlib.util
import json
import struct
import sys
import traceback

import torch
import torch.nn.functional as F


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_outputs(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().float().contiguous()
        blob = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_batch(path):
    buf = bytearray(open(path, "rb").read())
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        dtype = {"F32": torch.float32, "I32": torch.int32}[info["dtype"]]
        out[name] = torch.frombuffer(buf, dtype=dtype, count=(e - b) // 4, offset=8 + n + b).reshape(info["shape"]).clone()
    return out


def counts(_):
    skip = lambda t, *a, **k: t
    torch.nn.init.kaiming_uniform_ = skip
    torch.nn.init.uniform_ = skip
    for k, line in enumerate(sys.stdin):
        e = json.loads(line)
        m = load_module(e["file"], "export_%d" % k)
        model = m.Model()
        names = {n: list(t.shape) for n, t in model.state_dict().items()}
        expected = e["names"]
        r = {
            "file": e["file"],
            "params": sum(p.numel() for p in model.parameters()),
            "missing": sorted(set(expected) - set(names))[:5],
            "unexpected": sorted(set(names) - set(expected))[:5],
            "shapes": sorted(n for n in names if n in expected and names[n] != expected[n])[:5],
        }
        if e.get("forward"):
            with torch.no_grad():
                r["output"] = list(model.eval()(torch.zeros(1, *m.INPUT_SHAPE)).shape)
        print(json.dumps(r), flush=True)
        del model, m
        sys.modules.pop("export_%d" % k, None)


def parity(d):
    torch.manual_seed(0)
    m = load_module(d + "/model.py", "export_parity")
    model = m.Model()
    m.load_nas_safetensors(model, d + "/engine.safetensors")
    batch = read_batch(d + "/x.safetensors")
    x = batch["x"].permute(0, 3, 1, 2).contiguous()
    y = batch["y"].long()
    m.save_nas_safetensors(model, d + "/roundtrip.safetensors", {"from": "torch"})
    with torch.no_grad():
        out_eval = model.eval()(x)
    # PyTorch's own float32 error in training mode (against float64): the yardstick for the engine's.
    with torch.no_grad():
        ref64 = copy.deepcopy(model).double().train()(x.double())
    model.train()
    out_train = model(x)
    loss = F.cross_entropy(out_train, y)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    opt.zero_grad()
    loss.backward()
    opt.step()
    m.save_nas_safetensors(model, d + "/stepped.safetensors")
    with torch.no_grad():
        stepped_eval = model.eval()(x)
    write_outputs(d + "/torch.safetensors", {"eval": out_eval, "train": out_train, "loss": loss.reshape(1), "stepped_eval": stepped_eval,
                                               "train_dev32": (out_train.double() - ref64).abs().max().reshape(1)})


def parity_lines():
    for line in sys.stdin:
        d = line.strip()
        try:
            parity(d)
            print(json.dumps({"dir": d}), flush=True)
        except Exception:
            print(json.dumps({"dir": d, "error": traceback.format_exc()}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["parity", "-"]:
        parity_lines()
        sys.exit(0)
    {"counts": counts, "parity": parity}[sys.argv[1]](sys.argv[2] if len(sys.argv) > 2 else None)
