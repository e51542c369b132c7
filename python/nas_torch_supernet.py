"""The supernet jobs of NAS Studio's PyTorch worker (nas_torch_worker.py imports this file).

Weight sharing as SPOS trains it (Guo et al. 2020, "Single Path One-Shot Neural Architecture
Search with Uniform Sampling"): one store of tensors for every architecture of a space, keyed
as the host's sharedWeightKeys (src/core/train/supernet/weight-store.ts) says, and one path
trained per batch, drawn by the host. A path is the module `nas export --to pytorch` writes;
it runs through functional_call on views of the store's tensors, so a step through one path
updates, in place, the very memory every other path reads (no copies in or out).

With `share = "slices"` each key holds one tensor as large as the largest option met and a
path takes a slice of it: the leading channels, and the centre of a convolution's kernel
(SPOS, section 3.3; Once-for-All, Cai et al. 2020, shares kernels by their centre). The store
is held in PyTorch's layouts and saved in the engine's (conv [kh, kw, in/groups, out], linear
[in, out]), with the keys and metadata of the tfjs engine's cache, so either engine loads the
other's supernet. Requests and events: src/protocol/torch-worker.ts, docs/protocol.md.
"""
import collections
import json
import os
import struct
import time
import types

import torch
import torch.nn.functional as F

try:
    from torch.func import functional_call
except ImportError:  # torch < 2.0
    from torch.nn.utils.stateless import functional_call

REQUESTS = ("supernet_open", "supernet_train", "supernet_save", "supernet_score")
# Modules of paths kept built (their classes come from the exported code).
MODULE_CACHE = 32
# Supernets held at once by one worker (each is a whole space's weights).
STORE_LIMIT = 2

W = None  # the worker module (nas_torch_worker), bound by bind()
STORES = collections.OrderedDict()


def bind(worker):
    global W
    W = worker


def is_trainable(name):
    return name.endswith(".weight") or name.endswith(".bias")


def to_engine(t):
    """PyTorch layout -> the engine's: conv [out, in, kh, kw] -> [kh, kw, in, out]; linear [out, in] -> [in, out]."""
    t = t.detach().cpu()
    if t.dim() == 4:
        return t.permute(2, 3, 1, 0)
    return t.t() if t.dim() == 2 else t


def from_engine(t):
    if t.dim() == 4:
        return t.permute(3, 2, 0, 1)
    return t.t() if t.dim() == 2 else t


def window(full_shape, shape):
    """The slices that take `shape` out of a tensor of `full_shape`: kernels (axes 2, 3 of a 4-D
    tensor) from the centre, every other axis from 0; weight-slices.ts's rule in PyTorch's layout."""
    centred = (2, 3) if len(shape) == 4 else ()
    return tuple(slice(b, b + s) for b, s in
                 (((f - s) // 2 if d in centred else 0, s) for d, (f, s) in enumerate(zip(full_shape, shape))))


def read_safetensors(path):
    with open(path, "rb") as f:
        buf = bytearray(f.read())
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", None) or {}
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        t = torch.frombuffer(buf, dtype=dtypes[info["dtype"]], count=count, offset=8 + n + b) if e > b else torch.zeros(0)
        out[name] = t.reshape(info["shape"]).clone()
    return out, meta


def _bytes(t):
    try:
        return t.numpy().tobytes()
    except (ImportError, RuntimeError):  # a torch built without numpy
        import array
        return array.array("f" if t.is_floating_point() else "i", t.flatten().tolist()).tobytes()


def write_safetensors(path, tensors, metadata):
    """Float32 and int32 tensors to `path`, written to a temporary file and renamed."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.float().contiguous() if t.is_floating_point() else t.int().contiguous()
        blob = _bytes(t)
        header[name] = {"dtype": "F32" if t.is_floating_point() else "I32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = "%s.tmp-%d" % (path, os.getpid())
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h)
            for blob in blobs:
                f.write(blob)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class Bound:
    """A path's module run on given tensors: what the worker's evaluate() and latency_ms() call."""

    def __init__(self, module, tensors):
        self.module, self.tensors = module, tensors

    def eval(self):
        self.module.eval()

    def train(self):
        self.module.train()

    def __call__(self, x):
        return functional_call(self.module, self.tensors, (x,))


class Store:
    """The supernet of one space: full tensors by key (PyTorch layout), momentum buffers, paths."""

    def __init__(self, options, device, data):
        self.sliced = options.get("share", "slices") == "slices"
        self.seed = options["seed"]
        self.device = device
        self.data = data
        self.tensors = {}
        self.momenta = {}
        self.paths = {}  # id -> {"code", "keys"}
        self.modules = collections.OrderedDict()  # id -> (module, own buffers)
        self.step = 0

    def module(self, pid):
        """The path's module (its classes executed once) and the buffers it keeps for itself."""
        hit = self.modules.pop(pid, None)
        if hit is None:
            path = self.paths.get(pid)
            if path is None:
                raise W.JobError("request", "path %s was not sent to this worker" % pid)
            module = self.build(path, pid)
            missing = [n for n in module.state_dict() if n not in path["keys"]]
            if missing:
                raise W.JobError("build", "path %s: no store key for %s" % (pid, ", ".join(missing[:3])))
            own = {n: (torch.ones if n.endswith("running_var") else torch.zeros)(b.shape, dtype=b.dtype, device=self.device)
                   for n, b in module.named_buffers() if not self.shared(n)}
            module.nas_shapes = [(n, tuple(t.shape)) for n, t in module.state_dict().items()]
            hit = (module, own)
            if len(self.modules) >= MODULE_CACHE:
                self.modules.popitem(last=False)
        self.modules[pid] = hit
        return hit

    def build(self, path, pid, real=False):
        code = types.ModuleType("nas_supernet_path")
        try:
            exec(compile(path["code"], "<path %s>" % pid, "exec"), code.__dict__)
            # Weights come from the store: the module's own are only its initial values for new keys.
            torch.manual_seed(self.seed)
            if not real and hasattr(torch.device("meta"), "__enter__"):
                with torch.device("meta"):
                    return code.Model()
            return code.Model().to(self.device)
        except Exception as e:
            if W.is_oom(e):
                raise
            raise W.JobError("build", "path %s does not build: %s: %s" % (pid, type(e).__name__, e))

    def shared(self, name):
        """Running statistics are shared only with `share = "shapes"` (recomputed before scoring anyway)."""
        return is_trainable(name) or not self.sliced

    def ensure(self, pid, module):
        """Creates or grows the store's tensors this path needs, from its initial values:
        old values keep their place, the rest of a grown tensor starts from the path's."""
        keys = self.paths[pid]["keys"]
        need = [(n, keys[n], shape) for n, shape in module.nas_shapes if self.shared(n)]
        short = [x for x in need if x[1] not in self.tensors or any(f < s for f, s in zip(self.tensors[x[1]].shape, x[2]))]
        if not short:
            return
        init = self.build(self.paths[pid], pid, real=True).state_dict()
        for name, key, shape in short:
            value = init[name].detach().to(self.device)
            old = self.tensors.get(key)
            if old is None:
                self.tensors[key] = value.clone()
                if is_trainable(name):
                    self.momenta[key] = torch.zeros_like(value)
                continue
            full = tuple(max(f, s) for f, s in zip(old.shape, shape))
            grown = torch.zeros(full, dtype=old.dtype, device=self.device)
            grown[window(full, shape)] = value
            grown[window(full, old.shape)] = old
            self.tensors[key] = grown
            if key in self.momenta:
                m = torch.zeros(full, dtype=old.dtype, device=self.device)
                m[window(full, old.shape)] = self.momenta[key]
                self.momenta[key] = m

    def views(self, pid, module, own, grad):
        """The path's tensors: views of the store's (leaves with their own gradients when `grad`), and its own buffers."""
        keys = self.paths[pid]["keys"]
        out = dict(own)
        for name, shape in module.nas_shapes:
            if not self.shared(name):
                continue
            full = self.tensors[keys[name]]
            v = full[window(full.shape, shape)]
            if grad and is_trainable(name):
                v.requires_grad_(True)
            out[name] = v
        return out


def open_store(req, device):
    o = req["options"]
    if o.get("threads"):
        torch.set_num_threads(o["threads"])
    try:
        splits = W.open_pack(req["data"], device)
    except (OSError, KeyError, ValueError, RuntimeError) as e:
        raise W.JobError("data", "cannot read the data pack %s: %s" % (req["data"].get("path"), e))
    mean, std = req["data"]["mean"], req["data"]["std"]
    stats = {"scale": torch.tensor([1 / (255 * s) for s in std], dtype=torch.float64),
             "bias": torch.tensor([-m / s for m, s in zip(mean, std)], dtype=torch.float64)}
    store = Store(o, device, (splits, stats))
    if req.get("load"):
        try:
            tensors, _ = read_safetensors(req["load"])
        except (OSError, KeyError, ValueError, RuntimeError) as e:
            raise W.JobError("data", "cannot read the supernet %s: %s" % (req["load"], e))
        for key, t in tensors.items():
            t = from_engine(t).contiguous().to(device)
            store.tensors[key] = t.long() if key.split("|")[0].endswith("num_batches_tracked") else t
    STORES.pop(req["supernet"], None)
    STORES[req["supernet"]] = store
    while len(STORES) > STORE_LIMIT:
        STORES.popitem(last=False)
    return store


def store_of(req):
    store = STORES.get(req.get("supernet"))
    if store is None:
        raise W.JobError("request", "no supernet %r is open in this worker (send supernet_open first)" % req.get("supernet"))
    return store


def train_epoch(req, store, cancelled):
    """One epoch: batch b of the epoch's shuffle trains path steps[b] with one SGD step."""
    o = req["options"]
    for p in req.get("paths", []):
        store.paths[p["id"]] = {"code": p["code"], "keys": p["keys"]}
    (splits, stats), device = store.data, store.device
    train = splits["train"]
    batch, epoch, seed = o["batch"], o["epoch"], o["seed"]
    lr0, momentum, wd = o["lr"], o["momentum"], o["weight_decay"]
    drop_last = len(train) > batch
    per_epoch = len(train) // batch if drop_last else -(-len(train) // batch)
    steps = req["steps"]
    if len(steps) != per_epoch:
        raise W.JobError("request", "%d paths for an epoch of %d batches" % (len(steps), per_epoch))
    total = o["total_steps"]
    augment = o.get("augment")
    order = W.shuffled_indices(len(train), W.Mulberry32(W.mix_seed(seed, epoch, 0x5AF1E)))
    draws = W.epoch_draws(seed, epoch, per_epoch * batch if drop_last else len(train), augment)
    exact = device.type == "cpu"
    t0, last = time.perf_counter(), time.perf_counter()
    loss_sum, correct, seen, lr = 0.0, 0, 0, lr0
    step = o["first_step"]
    for b, pid in enumerate(steps):
        if cancelled():
            raise W.Cancelled(0)
        start = b * batch
        n = min(batch, len(train) - start)
        d = None if draws is None else tuple(t[start:start + n] for t in draws)
        x, y = W.make_batch(train, order, start, n, stats, augment, d, device, False, exact)
        lr = W.learning_rate(step, total, 0, lr0, 0.0, "cosine")
        module, own = store.module(pid)
        store.ensure(pid, module)
        module.train()
        tensors = store.views(pid, module, own, True)
        params = [(name, t) for name, t in tensors.items() if t.requires_grad]
        logits = functional_call(module, tensors, (x,))
        loss = F.cross_entropy(logits, y)
        grads = torch.autograd.grad(loss, [t for _, t in params])
        keys = store.paths[pid]["keys"]
        with torch.no_grad():
            # torch.optim.SGD's rule (coupled weight decay, dampening 0) on the path's slice of
            # each tensor and of its momentum buffer; the rest of the tensor is left as it is.
            for (name, p), g in zip(params, grads):
                buf = store.momenta[keys[name]]
                buf = buf[window(buf.shape, p.shape)]
                if wd:
                    g = g.add(p, alpha=wd)
                buf.mul_(momentum).add_(g)
                p.sub_(buf, alpha=lr)
        step += 1
        lv = loss.item()
        if lv != lv or lv in (float("inf"), float("-inf")):
            raise W.JobError("diverged", "the supernet's training loss is not finite at epoch %d, batch %d (lr %.3g); try a lower learning rate" % (epoch, b + 1, lr))
        seen += n
        loss_sum += lv * n
        correct += int((logits.detach().argmax(1) == y).sum())
        now = time.perf_counter()
        if now - last >= o.get("progress_interval", 0.5) or b == per_epoch - 1:
            last = now
            W.emit({"type": "progress", "id": req["id"], "epoch": epoch, "batch": b + 1, "batches": per_epoch, "step": step,
                    "loss": loss_sum / seen, "acc": correct / seen, "lr": lr, "images_per_s": seen / max(now - t0, 1e-9)})
    store.step = step
    # The host sends the next epoch only the paths this one did not use: the worker holds one epoch's.
    used = set(steps)
    store.paths = {pid: p for pid, p in store.paths.items() if pid in used}
    for pid in [pid for pid in store.modules if pid not in used]:
        del store.modules[pid]
    W.emit({"type": "done", "id": req["id"], "epochs": 1, "stopped_early": False, "seconds": time.perf_counter() - t0,
            "supernet": {"tensors": len(store.tensors), "steps": step, "loss": loss_sum / max(seen, 1), "acc": correct / max(seen, 1)}})


def calibrate(store, bound, module, count, batch, seed, cancelled):
    """Recomputes the path's batch-norm statistics as PyTorch's reset_running_stats() then
    forward passes in training mode with momentum=None (SPOS, section 3.3): each running mean
    is the mean of the batch means over `count` fixed training batches (the host's shuffle of
    epoch 0xCA1), each running variance the mean of the unbiased batch variances."""
    (splits, stats), device = store.data, store.device
    train = splits["train"]
    drop_last = len(train) > batch
    order = W.shuffled_indices(len(train), W.Mulberry32(W.mix_seed(seed, 0xCA1, 0x5AF1E)))
    for name, t in bound.tensors.items():
        if name.endswith("running_mean") or name.endswith("num_batches_tracked"):
            bound.tensors[name] = torch.zeros_like(t)
        elif name.endswith("running_var"):
            bound.tensors[name] = torch.ones_like(t)
    bns = [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.momentum = None
    bound.train()
    try:
        with torch.no_grad():
            for b in range(count):
                start = b * batch
                if start >= len(train) or (drop_last and start + batch > len(train)):
                    break
                if cancelled():
                    raise W.Cancelled(0)
                x, _ = W.make_batch(train, order, start, min(batch, len(train) - start), stats, None, None, device, False, device.type == "cpu")
                bound(x)
    finally:
        for m, v in zip(bns, saved):
            m.momentum = v


def score(req, store, cancelled):
    """A candidate's validation loss and accuracy with the weights it inherits (views of the
    store), after its batch-norm statistics are recomputed; its latency when asked."""
    o = req["options"]
    p = req["path"]
    store.paths[p["id"]] = {"code": p["code"], "keys": p["keys"]}
    module, own = store.module(p["id"])
    keys = p["keys"]
    untrained = [n for n, _ in module.nas_shapes if is_trainable(n) and keys[n] not in store.tensors]
    store.ensure(p["id"], module)
    tensors = store.views(p["id"], module, own, False)
    # Statistics are the candidate's own: copies, so the store's (share = "shapes") stay as trained.
    tensors = {n: (t.clone() if not is_trainable(n) else t) for n, t in tensors.items()}
    bound = Bound(module, tensors)
    if o.get("calibration", 0) > 0:
        calibrate(store, bound, module, o["calibration"], o["batch"], o["seed"], cancelled)
    (splits, stats), device = store.data, store.device
    loss, acc = W.evaluate(bound, splits["val"], stats, o.get("eval_batch", 2 * o["batch"]), device, False, False, cancelled)
    result = {"type": "done", "id": req["id"], "epochs": 0, "stopped_early": False, "seconds": 0.0,
              "score": {"loss": loss, "acc": acc, "untrained": len(untrained)}}
    if o.get("latency_batches"):
        shape = tuple(splits["val"].images.shape[1:])
        result["latency_ms"] = {str(b): W.latency_ms(bound, b, shape, device, False, False) for b in o["latency_batches"]}
    W.emit(result)


def save(req, store):
    tensors = collections.OrderedDict((k, to_engine(t)) for k, t in store.tensors.items())
    try:
        write_safetensors(req["file"], tensors, req.get("metadata") or {})
    except OSError as e:
        raise W.JobError("data", "cannot write the supernet to %s: %s" % (req["file"], e))
    W.emit({"type": "done", "id": req["id"], "epochs": 0, "stopped_early": False, "seconds": 0.0,
            "supernet": {"tensors": len(tensors), "steps": store.step, "params": sum(t.numel() for k, t in tensors.items() if is_trainable(k.split("|")[0]))}})


def handle(req, cancelled):
    """Runs one supernet request; raises JobError/Cancelled as run_train does."""
    kind = req["type"]
    if kind == "supernet_open":
        o = req["options"]
        device = W.pick_device(o.get("device", "auto"), o.get("cuda_index", 0))
        store = open_store(req, device)
        W.emit({"type": "done", "id": req["id"], "epochs": 0, "stopped_early": False, "seconds": 0.0,
                "supernet": {"tensors": len(store.tensors), "steps": 0, "device": device.type, "device_name": W.device_name(device)}})
    elif kind == "supernet_train":
        train_epoch(req, store_of(req), cancelled)
    elif kind == "supernet_save":
        save(req, store_of(req))
    else:
        score(req, store_of(req), cancelled)
