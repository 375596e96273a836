"""The paper's stdp-digits protocol end to end on all of Fashion-MNIST: one plastic epoch over the
60,000 training images, classes assigned on a frozen pass over training images, the 10,000 test images
scored once; accuracy, CPU time and the peak memory of the whole process tree.  Resumable: run the
same command again after a kill and it continues from the last checkpoint in ``--out``.

    nice -n 10 python benchmarks/stdp_fashion_60k.py --out /tmp/fm60k.nc --record stdp_fashion_60k
    python benchmarks/stdp_fashion_60k.py --n-train 200 --n-assign 200 --n-test 200 --out /tmp/est.nc  # estimate

Peak memory: the resident set of this process and all its descendants (the standalone program
included), summed and sampled every 0.5 s; the maximum over all segments of a resumed run is kept in
``OUT.bench.json`` beside the archive, with each segment's CPU time (this process and its children).
Prints one JSON summary (``stdp_digits_accuracy.summary`` plus these numbers).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stdp_digits_accuracy import summary  # noqa: E402  (benchmarks/ is not a package)


def tree_rss_bytes(root: int) -> int:
    """Resident memory of process ``root`` and all its descendants (bytes, from /proc)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
                parent[int(d)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    page, total = os.sysconf("SC_PAGE_SIZE"), 0
    for p in tree:
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total


class PeakSampler(threading.Thread):
    """Samples :func:`tree_rss_bytes` of this process every ``interval`` s; ``peak`` holds the maximum."""

    def __init__(self, interval: float = 0.5):
        super().__init__(daemon=True)
        self.interval, self.peak, self._halt = interval, 0, threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss_bytes(os.getpid()))
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join()


def _cpu_s() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-exc", type=int, default=1600)
    ap.add_argument("--n-train", type=int, default=60000)
    ap.add_argument("--n-assign", type=int, default=-1, help="-1: n_train (the protocol's default)")
    ap.add_argument("--n-test", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="the archive, checkpointed after every batch (resumed from if it "
                                                 "is a checkpoint)")
    ap.add_argument("--record", help="also write benchmarks/results/NAME.nc (e.g. stdp_fashion_60k)")
    ap.add_argument("--how-chosen", default="nothing chosen on test data: the paper's protocol at 1,600 neurons "
                    "(the size the machine runs in about an hour); classes assigned on training images, the "
                    "test images scored once")
    args = ap.parse_args(argv)
    from workbench.archive import open_archive
    from workbench.protocol import run

    out = Path(args.out)
    side = out.with_name(out.name + ".bench.json")
    book = json.loads(side.read_text()) if side.exists() and out.exists() else {"peak_rss_bytes": 0, "segments": []}
    overrides = {"dataset": "fashion-mnist", "n_exc": args.n_exc, "n_train": args.n_train, "epochs": 1,
                 "n_assign": args.n_assign, "n_test": args.n_test, "batch": args.batch}
    sampler = PeakSampler()
    sampler.start()
    t0, c0 = time.perf_counter(), _cpu_s()
    segment = {"start": time.strftime("%Y-%m-%dT%H:%M:%S"), "cpu_s": 0.0, "wall_s": 0.0, "finished": False}
    done_before = out.exists() and open_archive(out).attrs.get("status") == "complete"
    if not done_before:
        book["segments"].append(segment)

    def save():
        if done_before:
            return
        segment.update(cpu_s=_cpu_s() - c0, wall_s=time.perf_counter() - t0)
        book["peak_rss_bytes"] = max(book["peak_rss_bytes"], sampler.peak)
        side.write_text(json.dumps(book, indent=1))

    stop_saving = threading.Event()

    def keep_saving():                      # a killed segment still leaves its CPU time and peak
        while not stop_saving.wait(30):
            save()

    saver = threading.Thread(target=keep_saving, daemon=True)
    saver.start()
    try:
        if done_before:
            ds = open_archive(out)          # finished before: summarise (and record) only
        else:
            ds = run("stdp-digits", overrides, backend="cpp_standalone", seed=args.seed, out=out,
                     resume=out if out.exists() else None, progress=False)
    finally:
        stop_saving.set()
        saver.join()
        sampler.stop()
        save()
    segment["finished"] = True
    if not done_before:
        save()
    s = summary(ds)
    s.update({"training_cpu_s": float(ds["training_cpu_time"]),
              "tree_cpu_s": sum(g["cpu_s"] for g in book["segments"]),
              "peak_rss_MiB": book["peak_rss_bytes"] / 2**20, "segments": len(book["segments"]),
              "n_assign_images": args.n_train if args.n_assign < 0 else args.n_assign})
    print(json.dumps(s, indent=1))
    if args.record:
        record(args, s, ds)
    return 0


def record(args, s: dict, ds) -> None:
    """The numbers as a result archive (benchmarks/_record.py)."""
    from _record import write_result

    write_result(args.record, {
        "test_accuracy": (s["test_accuracy"], "1", "test accuracy (classes assigned on training images)"),
        "n_train_images": (s["n_train"] * s["epochs"], "1", "training images (one epoch)"),
        "n_assign_images": (s["n_assign_images"], "1", "training images of the frozen assignment pass"),
        "n_test": (s["n_test"], "1", "test images, scored once"),
        "n_exc": (s["n_exc"], "1", "excitatory neurons"),
        "cpu_ms_per_train_image": (s["cpu_ms_per_train_image"], "ms",
                                   "CPU time per training image, simulation program (repeats included)"),
        "training_cpu_time": (s["training_cpu_s"], "s", "CPU time of the simulation program, training phase"),
        "total_cpu_time": (s["tree_cpu_s"], "s", "CPU time of the whole process tree, all segments (compile "
                                                 "and Python included)"),
        "wall_time": (s["wall_time_s"], "s", "wall time, all segments (shared machine)"),
        "peak_rss": (s["peak_rss_MiB"], "MiB", "peak resident memory of the whole process tree"),
        "train_presentations": (s["presentations_per_phase"][0], "1", "training presentations (repeats included)"),
        "runaway_slots": (s["runaway_slots"], "1", "slots with runaway activity"),
        "segments": (s["segments"], "1", "segments the run took (resumed from checkpoints)"),
    }, config={"n_exc": args.n_exc, "n_train": args.n_train, "n_assign": args.n_assign, "n_test": args.n_test,
               "batch": args.batch, "seed": args.seed, "dataset": "fashion-mnist", "backend": "cpp_standalone",
               "threads": 1},
        protocols=["stdp-digits"], how_chosen=args.how_chosen,
        notes="one core, no OpenMP, niced, on a machine shared with other jobs")


if __name__ == "__main__":
    sys.exit(main())
