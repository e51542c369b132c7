#!/usr/bin/env python3
"""The GPU check of NAS Studio's PyTorch engine: runs python/nas_torch_worker.py through its
NDJSON protocol (src/protocol/torch-worker.ts), on a folder bench/torch-gpu-prepare.ts wrote.

  python3 bench/torch_gpu_check.py bench/gpu-kit [--batch 256] [--steps 30] [--trials 24]
                                   [--workers 2] [--out report.json]

Prints, and writes as JSON with --out:
  - the device: torch and CUDA versions, the GPU's name (the worker's `ready` and `started`);
  - training images per second of the three reference networks at --batch, float32 and
    mixed precision with channels-last (one epoch of --steps timed steps after 5 untimed
    ones: cuDNN autotuning and the allocator warm up in those);
  - a short search with the torch engine: --trials architectures sampled from the
    NAS-Bench-201 space, each trained one epoch on shapes10 (10,240 images, batch --batch) and
    validated, by --workers workers at once, spread over --gpus (default GPU 0); trials per minute of wall time and the
    best validation accuracy;
  - the same search run by the product itself, `nas search KIT/search.nas --engine torch
    --search GpuCheck --gpus ... --slots ...` (bin/nas.cjs), when node and the bundles
    dist/cli.cjs and dist/cli-train.cjs are there (carry them to the GPU machine): its trials
    per minute, failures and best accuracy.
Needs only Python and a CUDA build of torch for the first two; on a machine without a GPU it runs
on the CPU and says so (the figures are then not GPU figures). `--quick` is a CPU dry run of
every step at toy sizes (batch 32, 3 steps, 2 trials, the CpuDryRun search).
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "python", "nas_torch_worker.py")


class Worker:
    """One worker process; `request` sends a line and returns the events of that job."""

    def __init__(self, python):
        self.proc = subprocess.Popen([python, "-u", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lock = threading.Lock()

    def send(self, req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()

    def events(self):
        for line in self.proc.stdout:
            yield json.loads(line)
        raise RuntimeError("the worker exited (status %s)" % self.proc.wait())

    def hello(self):
        self.send({"type": "hello"})
        for e in self.events():
            if e["type"] in ("ready", "error"):
                return e

    def train(self, job):
        self.send(dict(job, type="train"))
        out = []
        for e in self.events():
            if e.get("id") == job["id"] and e["type"] != "progress":
                out.append(e)
                if e["type"] in ("done", "error", "cancelled"):
                    return out

    def close(self):
        self.send({"type": "shutdown"})
        self.proc.stdin.close()
        self.proc.wait()


def job(jid, code, name, data, batch, epochs=1, amp=False, channels_last=False, untimed=5, gpu=0):
    return {"id": jid, "model": {"code": code, "name": name}, "data": data,
            "options": {"epochs": epochs, "batch": batch, "lr": 0.1, "momentum": 0.9, "weight_decay": 5e-4,
                        "label_smoothing": 0, "warmup_epochs": 0, "seed": 0, "device": "auto", "cuda_index": gpu,
                        "amp": amp, "channels_last": channels_last, "untimed_steps": untimed, "progress_interval": 5}}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kit")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--trials", type=int, default=24)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--gpus", default="0", help="GPU indices the search's workers are spread over, e.g. 0,1")
    p.add_argument("--trial-images", type=int, default=10240, help="training images per search trial (at most 10,240)")
    p.add_argument("--val-images", type=int, default=1024, help="validation images (at most 1,024)")
    p.add_argument("--slots", type=int, default=2, help="nas search: trials at once per GPU")
    p.add_argument("--search-timeout", type=int, default=900, help="seconds nas search may run")
    p.add_argument("--quick", action="store_true", help="a CPU dry run at toy sizes")
    p.add_argument("--out")
    a = p.parse_args()
    if a.quick:
        a.batch, a.steps, a.trials, a.trial_images, a.val_images, a.workers = 32, 3, 2, 256, 64, 1
    manifest = json.load(open(os.path.join(a.kit, "manifest.json")))
    data = dict(manifest["data"], path=os.path.join(os.path.abspath(a.kit), manifest["data"]["path"]))
    read = lambda f: open(os.path.join(a.kit, f)).read()
    report = {"nets": {}, "search": {}}

    w = Worker(a.python)
    ready = w.hello()
    report["device"] = ready
    print("worker: python %s, torch %s, cuda %s, %s GPU(s), device %s (%s), cuDNN %s" % (
        ready.get("python"), ready.get("torch"), ready.get("cuda"), ready.get("gpus"), ready.get("device"), ready.get("device_name"), ready.get("cudnn")))
    if not ready.get("cuda"):
        print("NO CUDA GPU: the figures below are CPU figures, not GPU figures")

    # Throughput: a pack slice of (steps + 5) batches per epoch.
    n_train = (a.steps + 5) * a.batch
    if n_train > 10240:
        sys.exit("--steps %d at --batch %d needs %d images; the kit has 10,240" % (a.steps, a.batch, n_train))
    for name, net in manifest["nets"].items():
        for amp, cl in ((False, False), (True, True)):
            jid = "%s-%s" % (name, "amp" if amp else "fp32")
            j = job(jid, read(net["file"]), name, data, a.batch, amp=amp, channels_last=cl)
            j["options"]["train_limit"] = n_train
            j["options"]["val_limit"] = a.batch
            evs = w.train(j)
            end = evs[-1]
            if end["type"] != "done":
                print("%s: %s" % (jid, end.get("message", end["type"])))
                continue
            started = next(e for e in evs if e["type"] == "started")
            ep = next(e for e in evs if e["type"] == "epoch")
            report["nets"][jid] = {"params": started["params"], "device_name": started["device_name"], "images_per_s": ep["images_per_s"],
                                   "amp": started["amp"], "channels_last": started["channels_last"], "batch": a.batch}
            print("%-7s %-4s batch %d on %s: %8.0f images/s  (%d parameters)" % (
                name, "amp" if started["amp"] else "fp32", a.batch, started["device_name"], ep["images_per_s"], started["params"]))
    w.close()

    # A short search: sampled NB201 architectures, one epoch each, --workers at once.
    archs = manifest["archs"][:a.trials]
    queue = list(enumerate(archs))
    gpus = [int(g) for g in a.gpus.split(",")]
    results = []
    lock = threading.Lock()

    def run_worker(k):
        wk = Worker(a.python)
        wk.hello()
        while True:
            with lock:
                if not queue:
                    break
                i, arch = queue.pop(0)
            t0 = time.perf_counter()
            j = job("trial-%d" % i, read(arch["file"]), arch["file"], data, a.batch, untimed=0, gpu=gpus[k % len(gpus)])
            j["options"].update(train_limit=a.trial_images, val_limit=a.val_images)
            evs = wk.train(j)
            end = evs[-1]
            ep = [e for e in evs if e["type"] == "epoch"]
            with lock:
                results.append({"trial": i, "status": end["type"], "val_acc": ep[-1]["val_acc"] if ep else None,
                                "seconds": time.perf_counter() - t0, "params": arch["params"],
                                "error": end.get("message")})
                print("trial %2d (worker %d): %s val_acc %s, %.1f s" % (i, k, end["type"], "%.3f" % ep[-1]["val_acc"] if ep else "-", time.perf_counter() - t0))
        wk.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run_worker, args=(k,)) for k in range(a.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ok = [r for r in results if r["status"] == "done"]
    report["search"] = {"trials": len(results), "ok": len(ok), "workers": a.workers, "wall_s": wall,
                        "trials_per_minute": 60 * len(results) / wall,
                        "best_val_acc": max((r["val_acc"] for r in ok), default=None), "results": results}
    print("search: %d trials (%d ok) in %.1f s with %d workers: %.2f trials/min, best val_acc %s" % (
        len(results), len(ok), wall, a.workers, 60 * len(results) / wall, report["search"]["best_val_acc"]))
    report["nas_search"] = nas_search(a, bool(ready.get("cuda")))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=1)


def nas_search(a, cuda):
    """`nas search --engine torch` on the kit's search.nas: the product's own search loop."""
    node = shutil.which("node")
    bundles = [os.path.join(ROOT, "dist", b) for b in ("cli.cjs", "cli-train.cjs")]
    if not node or not all(os.path.exists(b) for b in bundles):
        print("nas search: skipped (needs node on PATH and dist/cli.cjs, dist/cli-train.cjs)")
        return None
    out = tempfile.mkdtemp(prefix="nas-gpu-search-")
    cmd = [node, os.path.join(ROOT, "bin", "nas.cjs"), "search", os.path.join(os.path.abspath(a.kit), "search.nas"),
           "--search", "CpuDryRun" if a.quick else "GpuCheck", "--engine", "torch", "--python", a.python,
           "--gpus", a.gpus if cuda else "cpu", "--slots", str(a.slots), "--out", os.path.join(out, "run"), "--json"]
    if not a.quick:
        cmd += ["--budget", str(a.trials)]
    print("nas search: %s" % " ".join(cmd[1:]))
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.search_timeout)
    except subprocess.TimeoutExpired:
        print("nas search: over %d s, stopped" % a.search_timeout)
        return {"error": "timeout"}
    finally:
        wall = time.perf_counter() - t0
    events = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    done = next((e for e in events if e.get("event") == "done"), None)
    start = next((e for e in events if e.get("event") == "start"), {})
    if r.returncode != 0 or done is None:
        print("nas search: exit %s: %s" % (r.returncode, r.stderr.strip()[-2000:]))
        return {"error": r.stderr.strip()[-2000:], "exit": r.returncode}
    best = (done.get("best") or {}).get("metrics", {}).get("accuracy")
    rate = 60 * done["evaluations"] / done["seconds"]
    print("nas search --engine torch: %s" % "; ".join(start.get("notes", [])))
    print("nas search: %d trials (%d failed) in %.1f s (process %.1f s): %.2f trials/min, best accuracy %s" % (
        done["evaluations"], done["failed"], done["seconds"], wall, rate, best))
    shutil.rmtree(out, ignore_errors=True)
    return {"trials": done["evaluations"], "failed": done["failed"], "seconds": done["seconds"], "process_seconds": wall,
            "trials_per_minute": rate, "best_accuracy": best, "notes": start.get("notes", [])}


if __name__ == "__main__":
    main()
