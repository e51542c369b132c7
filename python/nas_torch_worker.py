#!/usr/bin/env python3
"""NAS Studio's PyTorch engine: trains networks exported by `nas export --to pytorch`.

Started by the extension or the CLI with the user's Python; speaks line-delimited JSON on
stdin (requests) and stdout (events), one object per line, declared once in
src/protocol/torch-worker.ts and documented in docs/protocol.md ("PyTorch worker"). stderr is
free text for logs. Needs the standard library and torch only.

Requests: hello, train, cancel, shutdown, and the supernet's (supernet_open, supernet_train,
supernet_save, supernet_score: nas_torch_supernet.py, shipped beside this file). A train
request carries the exported module's code, a data pack (a safetensors file of uint8 images
and int32 labels written by the host, with the normalisation statistics) and the options of
the training engine's loop. The worker reproduces that loop's conventions
(src/core/train/loop.ts, data/pipeline.ts, data/rng.ts): each epoch's shuffle and
augmentation draws come from the same Mulberry32 streams seeded by (seed, epoch), so both
engines see the same batches in the same order; SGD as torch.optim.SGD;
the learning rate set per step (linear warmup, then cosine annealing). Initial weights come
from torch's generator seeded with the seed (PyTorch's default initialisation: the same
distributions as the engine's, not the same draws).

One job runs at a time; `cancel` is read by a thread while it trains and honoured between
batches. A failing job reports an error event (kind oom, diverged, build, data, request or
internal) and the worker waits for the next request.
"""
import gc
import json
import math
import os
import signal
import sys
import threading
import time
import traceback
import types

PROTOCOL = 1
_out_lock = threading.Lock()


def emit(event):
    line = json.dumps(event, separators=(",", ":"), allow_nan=False)
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


try:
    import torch
    import torch.nn.functional as F
except Exception as e:  # the host names the package to install
    emit({"type": "error", "kind": "missing-torch", "message": "%s: %s" % (type(e).__name__, e)})
    sys.exit(3)

M32 = 0xFFFFFFFF


# --- Seeded streams, as src/core/train/data/rng.ts ---------------------------------------------

def _imul(a, b):
    return (a * b) & M32


def mix_seed(*parts):
    h = 0x9E3779B9
    for p in parts:
        h = (h ^ (p & M32)) & M32
        h = _imul(h ^ (h >> 16), 0x85EBCA6B)
        h = _imul(h ^ (h >> 13), 0xC2B2AE35)
        h = (h ^ (h >> 16)) & M32
        h = (h + 0x9E3779B9) & M32
    return h


def _timul(x, y):
    """Math.imul on int64 tensors holding uint32 values, without overflowing 64 bits."""
    return ((x * (y & 0xFFFF)) + (((x * (y >> 16)) & 0xFFFF) << 16)) & M32


class Mulberry32:
    """createRng(seed): Mulberry32 whose state is mix_seed(seed); draws taken in bulk."""

    def __init__(self, seed):
        self.state = mix_seed(seed)

    def u32(self, n):
        """The next n draws of nextU32(), as an int64 tensor."""
        k = torch.arange(1, n + 1, dtype=torch.int64)
        a = (self.state + k * 0x6D2B79F5) & M32
        self.state = (self.state + n * 0x6D2B79F5) & M32
        t = _timul(a ^ (a >> 15), a | 1)
        t = (t ^ ((t + _timul(t ^ (t >> 7), t | 61)) & M32)) & M32
        return (t ^ (t >> 14)) & M32


def shuffled_indices(n, rng):
    """Fisher-Yates over 0..n-1 with j = nextInt(i + 1), as shuffledIndices."""
    idx = list(range(n))
    if n < 2:
        return idx
    u = rng.u32(n - 1).double() / 4294967296.0
    bounds = torch.arange(n, 1, -1, dtype=torch.float64)
    js = torch.floor(u * bounds).to(torch.int64).tolist()
    for k, i in enumerate(range(n - 1, 0, -1)):
        j = js[k]
        idx[i], idx[j] = idx[j], idx[i]
    return idx


def learning_rate(step, total, warmup, lr, min_lr, schedule):
    """computeLearningRate of loop.ts: linear warmup, then cosine annealing to min_lr."""
    if step < warmup:
        return lr * (step + 1) / warmup
    if schedule == "constant":
        return lr
    span = max(1, total - warmup)
    t = min(step - warmup, span)
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * t / span))


# --- Data packs --------------------------------------------------------------------------------

class Split:
    def __init__(self, images, labels):
        self.images = images  # uint8 [N, H, W, C]
        self.labels = labels  # int64 [N]

    def __len__(self):
        return self.labels.shape[0]


def open_pack(spec, device):
    """The splits of a data pack: safetensors with {split}.x (U8 N,H,W,C) and {split}.y (I32 N)."""
    path = spec["path"]
    size = os.path.getsize(path)
    raw = torch.from_file(path, shared=False, size=size, dtype=torch.uint8)
    (n,) = __import__("struct").unpack("<Q", bytes(raw[:8].tolist()))
    header = json.loads(bytes(raw[8:8 + n].tolist()).decode("utf-8"))
    header.pop("__metadata__", None)
    base = 8 + n

    def tensor(name):
        info = header[name]
        b, e = info["data_offsets"]
        t = raw[base + b:base + e]
        return t.view(torch.int32).to(torch.int64) if info["dtype"] == "I32" else t.view(info["shape"])

    splits = {}
    for split in ("train", "val", "test"):
        if split + ".x" in header:
            x, y = tensor(split + ".x"), tensor(split + ".y")
            if device.type == "cuda" and x.numel() <= spec.get("gpu_bytes", 2 << 30):
                x = x.to(device)  # batches are then gathered and augmented on the GPU
            splits[split] = Split(x, y)
    return splits


def make_batch(split, order, start, n, stats, augment, draws, device, channels_last, exact):
    """Images order[start:start+n], cropped and flipped with their draws, normalised, NCHW."""
    idx = torch.tensor(order[start:start + n], dtype=torch.int64)
    imgs = split.images[idx.to(split.images.device)]
    labels = split.labels[idx].to(device, non_blocking=True)
    b, h, w, c = imgs.shape
    if augment is not None and draws is not None:
        p = augment["crop_padding"]
        dy, dx, mirror = draws
        if p > 0:
            imgs = F.pad(imgs, (0, 0, p, p, p, p))  # raw 0, as torchvision's RandomCrop(padding=p)
        dev = imgs.device
        rows = (torch.arange(h)[None, :] + dy[:, None] + p).to(dev)
        cols = torch.arange(w)[None, :].repeat(b, 1)
        cols = torch.where(mirror[:, None], w - 1 - cols, cols)
        cols = (cols + dx[:, None] + p).to(dev)
        imgs = imgs[torch.arange(b, device=dev)[:, None, None], rows[:, :, None], cols[:, None, :]]
    dtype = torch.float64 if exact else torch.float32
    x = imgs.to(device, non_blocking=True).to(dtype) * stats["scale"].to(device, dtype) + stats["bias"].to(device, dtype)
    x = x.float().permute(0, 3, 1, 2)
    x = x if channels_last else x.contiguous()
    return x, labels


def epoch_draws(seed, epoch, count, augment):
    """Per image of the epoch: dy, dx (crop offsets) and the mirror flag, in reading order."""
    if augment is None:
        return None
    p, flip = augment["crop_padding"], augment["horizontal_flip"]
    per = (2 if p > 0 else 0) + (1 if flip else 0)
    zeros = torch.zeros(count, dtype=torch.int64)
    if per == 0:
        return zeros, zeros, torch.zeros(count, dtype=torch.bool)
    u = Mulberry32(mix_seed(seed, epoch, 0xA096)).u32(count * per).view(count, per)
    f = u.double() / 4294967296.0
    dy = torch.floor(f[:, 0] * (2 * p + 1)).to(torch.int64) - p if p > 0 else zeros
    dx = torch.floor(f[:, 1] * (2 * p + 1)).to(torch.int64) - p if p > 0 else zeros
    mirror = f[:, per - 1] < 0.5 if flip else torch.zeros(count, dtype=torch.bool)
    return dy, dx, mirror


# --- Jobs --------------------------------------------------------------------------------------

class JobError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


class Cancelled(Exception):
    pass


def is_oom(e):
    oom = getattr(torch.cuda, "OutOfMemoryError", None)
    return (oom is not None and isinstance(e, oom)) or "out of memory" in str(e) or "can't allocate memory" in str(e)


def pick_device(want, cuda_index):
    if want in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda", cuda_index)
    if want == "cuda":
        raise JobError("request", "CUDA was asked for but torch.cuda.is_available() is false (a CPU build of PyTorch, or no GPU visible)")
    return torch.device("cpu")


def device_name(device):
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return "CPU (%d threads)" % torch.get_num_threads()


def build_model(job, device, channels_last):
    module = types.ModuleType("nas_model_%s" % job["id"])
    try:
        exec(compile(job["model"]["code"], "<exported %s>" % job["model"].get("name", "model"), "exec"), module.__dict__)
        for helper in (["load_nas_safetensors"] if job.get("init") else []) + (["save_nas_safetensors"] if job.get("save") else []):
            if not callable(getattr(module, helper, None)):
                raise JobError("build", "the model's code has no %s() (the file nas export --to pytorch writes has it)" % helper)
        torch.manual_seed(job["options"]["seed"])
        model = module.Model()
        if job.get("init"):
            module.load_nas_safetensors(model, job["init"])
    except JobError:
        raise
    except Exception as e:
        if is_oom(e):
            raise
        raise JobError("build", "the exported model does not build: %s: %s" % (type(e).__name__, e))
    model = model.to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return module, model


def evaluate(model, split, stats, batch, device, channels_last, amp, cancelled):
    model.eval()
    loss_sum = torch.zeros((), dtype=torch.float64, device=device)
    correct = torch.zeros((), dtype=torch.int64, device=device)
    order = list(range(len(split)))
    with torch.no_grad():
        for start in range(0, len(split), batch):
            if cancelled():
                raise Cancelled()
            n = min(batch, len(split) - start)
            x, y = make_batch(split, order, start, n, stats, None, None, device, channels_last, device.type == "cpu")
            with torch.autocast("cuda", enabled=amp):
                logits = model(x)
            loss_sum += F.cross_entropy(logits.float(), y, reduction="sum").double()
            correct += (logits.argmax(1) == y).sum()
    return loss_sum.item() / len(split), correct.item() / len(split)


def run_train(job, cancelled):
    o = job["options"]
    t_start = time.perf_counter()
    if o.get("threads"):
        torch.set_num_threads(o["threads"])
    device = pick_device(o.get("device", "auto"), o.get("cuda_index", 0))
    amp = bool(o.get("amp")) and device.type == "cuda"
    channels_last = bool(o.get("channels_last"))
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    try:
        splits = open_pack(job["data"], device)
    except (OSError, KeyError, ValueError, RuntimeError) as e:
        raise JobError("data", "cannot read the data pack %s: %s" % (job["data"].get("path"), e))
    mean, std = job["data"]["mean"], job["data"]["std"]
    stats = {"scale": torch.tensor([1 / (255 * s) for s in std], dtype=torch.float64),
             "bias": torch.tensor([-m / s for m, s in zip(mean, std)], dtype=torch.float64)}
    module, model = build_model(job, device, channels_last)
    params = sum(p.numel() for p in model.parameters())
    train, val = splits["train"], splits["val"]
    if o.get("train_limit"):
        train = Split(train.images[:o["train_limit"]], train.labels[:o["train_limit"]])
    if o.get("val_limit"):
        val = Split(val.images[:o["val_limit"]], val.labels[:o["val_limit"]])
    batch, epochs, seed = o["batch"], o["epochs"], o["seed"]
    drop_last = len(train) > batch
    steps_per_epoch = len(train) // batch if drop_last else -(-len(train) // batch)
    total = steps_per_epoch * epochs
    warmup = int(math.floor(o.get("warmup_epochs", 0) * steps_per_epoch + 0.5))
    augment = o.get("augment")
    opt = torch.optim.SGD(model.parameters(), lr=o["lr"], momentum=o.get("momentum", 0.9),
                          weight_decay=o.get("weight_decay", 5e-4), nesterov=bool(o.get("nesterov")))
    scaler = torch.cuda.amp.GradScaler(enabled=amp)
    smoothing = o.get("label_smoothing", 0.0)
    untimed = o.get("untimed_steps", 0)
    interval = o.get("progress_interval", 0.5)
    emit({"type": "started", "id": job["id"], "params": params, "device": device.type, "device_name": device_name(device),
          "amp": amp, "channels_last": channels_last, "steps_per_epoch": steps_per_epoch,
          "train_images": len(train), "val_images": len(val)})
    exact = device.type == "cpu"
    best, since, stopped_early, step, completed = -1.0, 0, False, 0, 0
    for epoch in range(1, epochs + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        model.train()
        order = shuffled_indices(len(train), Mulberry32(mix_seed(seed, epoch, 0x5AF1E)))
        draws = epoch_draws(seed, epoch, steps_per_epoch * batch if drop_last else len(train), augment)
        loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        correct = torch.zeros((), dtype=torch.int64, device=device)
        seen, last_report, timed_from, lr = 0, time.perf_counter(), None, o["lr"]
        for b in range(steps_per_epoch):
            if cancelled():
                raise Cancelled(completed)
            start = b * batch
            n = min(batch, len(train) - start)
            d = None if draws is None else tuple(t[start:start + n] for t in draws)
            x, y = make_batch(train, order, start, n, stats, augment, d, device, channels_last, exact)
            lr = learning_rate(step, total, warmup, o["lr"], o.get("min_lr", 0.0), o.get("schedule", "cosine"))
            for g in opt.param_groups:
                g["lr"] = lr
            with torch.autocast("cuda", enabled=amp):
                logits = model(x)
                loss = F.cross_entropy(logits.float(), y, label_smoothing=smoothing)
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            step += 1
            seen += n
            loss_sum += loss.detach().double() * n
            correct += (logits.detach().argmax(1) == y).sum()
            if step == untimed and timed_from is None:
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                timed_from = (time.perf_counter(), seen, time.process_time())
            now = time.perf_counter()
            if now - last_report >= interval or b == steps_per_epoch - 1:
                last_report = now
                mean_loss = loss_sum.item() / seen
                if not math.isfinite(mean_loss):
                    raise JobError("diverged", "training loss is not finite at epoch %d, batch %d (lr %.3g); try a lower learning rate" % (epoch, b + 1, lr))
                t_ref, s_ref, _ = timed_from if timed_from else (t0, 0, c0)
                emit({"type": "progress", "id": job["id"], "epoch": epoch, "batch": b + 1, "batches": steps_per_epoch, "step": step,
                      "loss": loss.item(), "acc": (logits.detach().argmax(1) == y).float().mean().item(), "lr": lr,
                      "images_per_s": (seen - s_ref) / max(now - t_ref, 1e-9)})
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        train_seconds = time.perf_counter() - t0
        t_ref, s_ref, c_ref = timed_from if timed_from and epoch == 1 else (t0, 0, c0)
        images_per_s = (seen - s_ref) / max(time.perf_counter() - t_ref, 1e-9)
        cpu_images_per_s = (seen - s_ref) / max(time.process_time() - c_ref, 1e-9)
        val_loss, val_acc = evaluate(model, val, stats, o.get("eval_batch", 2 * batch), device, channels_last, amp, cancelled)
        completed = epoch
        emit({"type": "epoch", "id": job["id"], "epoch": epoch, "epochs": epochs, "train_loss": loss_sum.item() / max(seen, 1),
              "train_acc": correct.item() / max(seen, 1), "val_loss": val_loss, "val_acc": val_acc, "lr": lr,
              "seconds": time.perf_counter() - t0, "train_seconds": train_seconds, "images_per_s": images_per_s,
              "cpu_images_per_s": cpu_images_per_s})
        if job.get("save"):
            meta = dict(job.get("save_metadata") or {})
            meta.update({"epoch": str(epoch), "epochs": str(epochs), "val_acc": str(val_acc), "val_loss": str(val_loss)})
            module.save_nas_safetensors(model, job["save"], meta)
            emit({"type": "saved", "id": job["id"], "file": job["save"], "epoch": epoch})
        patience = o.get("patience", 0)
        if val_acc > best:
            best, since = val_acc, 0
        else:
            since += 1
            if patience > 0 and since >= patience and epoch < epochs:
                stopped_early = True
                break
    result = {"type": "done", "id": job["id"], "epochs": completed, "stopped_early": stopped_early,
              "seconds": time.perf_counter() - t_start}
    if o.get("evaluate_test") and "test" in splits:
        test_loss, test_acc = evaluate(model, splits["test"], stats, o.get("eval_batch", 2 * batch), device, channels_last, amp, cancelled)
        result["test"] = {"loss": test_loss, "acc": test_acc}
    if o.get("latency_batches"):
        shape = tuple(train.images.shape[1:])
        result["latency_ms"] = {str(b): latency_ms(model, b, shape, device, channels_last, amp) for b in o["latency_batches"]}
    emit(result)


def latency_ms(model, n, shape, device, channels_last, amp):
    """Inference time of a batch of n in ms: the median of 10 runs after 3 warm-up runs
    (src/core/train/latency.ts's convention), on the job's device."""
    h, w, c = shape
    x = torch.randn(n, c, h, w, device=device)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    model.eval()
    times = []
    with torch.no_grad():
        for i in range(13):
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            t0 = time.perf_counter()
            with torch.autocast("cuda", enabled=amp):
                model(x)
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            if i >= 3:
                times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return (times[4] + times[5]) / 2


# The supernet's jobs live in the file beside this one, which uses the helpers above (given as
# a namespace: this file also runs as __main__, or loaded under another name by a wrapper).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nas_torch_supernet as supernet  # noqa: E402

supernet.bind(types.SimpleNamespace(**{k: v for k, v in globals().items() if not k.startswith("__")}))


# --- The request loop --------------------------------------------------------------------------

class Worker:
    def __init__(self):
        self.jobs = []
        self.cancelled = set()
        self.cond = threading.Condition()
        self.closed = False

    def read(self):
        """Reads requests; cancel is handled at once (the job in flight checks it between batches)."""
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                req = json.loads(line)
            except ValueError as e:
                emit({"type": "error", "kind": "request", "message": "not JSON: %s" % e})
                continue
            with self.cond:
                if req.get("type") == "cancel":
                    self.cancelled.add(req.get("id"))
                else:
                    self.jobs.append(req)
                self.cond.notify()
        with self.cond:
            self.closed = True
            self.cond.notify()

    def hello(self):
        cuda = torch.cuda.is_available()
        emit({"type": "ready", "protocol": PROTOCOL, "python": sys.version.split()[0], "torch": torch.__version__,
              "cuda": cuda, "gpus": torch.cuda.device_count() if cuda else 0,
              "device": "cuda" if cuda else "cpu", "device_name": device_name(torch.device("cuda", 0) if cuda else torch.device("cpu")),
              "cudnn": torch.backends.cudnn.version() if cuda else None, "pid": os.getpid()})

    def run(self):
        threading.Thread(target=self.read, daemon=True).start()
        while True:
            with self.cond:
                while not self.jobs and not self.closed:
                    self.cond.wait()
                if not self.jobs:
                    return
                req = self.jobs.pop(0)
            kind = req.get("type")
            if kind == "shutdown":
                return
            if kind == "hello":
                self.hello()
                continue
            if kind == "train":
                self.job(req, run_train)
            elif kind in supernet.REQUESTS:
                self.job(req, supernet.handle)
            else:
                emit({"type": "error", "id": req.get("id"), "kind": "request", "message": "unknown request %r" % kind})

    def job(self, req, run):
        jid = req.get("id")
        try:
            # A closed stdin (the host has gone) cancels the job too: the worker then exits.
            run(req, lambda: jid in self.cancelled or self.closed)
        except Cancelled as c:
            emit({"type": "cancelled", "id": jid, "completed_epochs": c.args[0] if c.args else 0})
        except JobError as e:
            emit({"type": "error", "id": jid, "kind": e.kind, "message": str(e)})
        except Exception as e:
            if is_oom(e):
                emit({"type": "error", "id": jid, "kind": "oom", "message": "out of memory: %s" % str(e).split("\n")[0]})
            else:
                where = traceback.extract_tb(e.__traceback__)[-1]
                emit({"type": "error", "id": jid, "kind": "internal",
                      "message": "%s: %s (%s:%d)" % (type(e).__name__, e, os.path.basename(where.filename), where.lineno)})
        finally:
            self.cancelled.discard(jid)
            gc.collect()
            if torch.cuda.is_available():
                torch.cuda.empty_cache()


if __name__ == "__main__":
    # Ctrl-C in a terminal reaches the whole process group: the host turns it into `cancel`.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Worker().run()
