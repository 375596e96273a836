"""Everything the GPU check needs, in one call on a machine with an NVIDIA GPU.

    python benchmarks/gpu_device_run.py --out RESULTS_DIR [--budget 540]

Run inside the ``cuda`` profile (brian2 2.8.0 + brian2cuda 1.0a7, docs/GPU.md), which also needs
the workbench's pure-Python dependencies (``pooch``, ``filelock``, ``xarray``, ``h5netcdf``, ...).
Steps, each in its own process, stopped when the time budget runs out:

1. the stack: ``python -m workbench.gpu report``, ``nvidia-smi``, ``nvcc --version``;
   if the toolkit has no cuRAND (brian2cuda links ``-lcurand``), the
   ``nvidia-curand`` wheel's headers and library are put on CPATH/LIBRARY_PATH;
2. the CUBA benchmark (``benchmarks/gpu_cuba.py``) on cpp_standalone and cuda;
3. protocols on cuda beside cpp_standalone: fi-curve (all neuron models; the
   spike counts must agree) and stdp-digits (Diehl & Cook) at a small size.

Writes ``gpu_results.jsonl`` (one JSON line per step) and ``gpu_log.txt`` to ``--out``.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _curand_env(env: dict) -> dict:
    """Point nvcc at cuRAND if the CUDA toolkit lacks it (pip's nvidia-curand wheel has it)."""
    nvcc = subprocess.run(["bash", "-lc", "command -v nvcc"], capture_output=True, text=True).stdout.strip()
    cuda = Path(nvcc).resolve().parent.parent if nvcc else Path("/usr/local/cuda")
    if (cuda / "include" / "curand.h").exists():
        return {"curand": str(cuda / "include" / "curand.h")}
    hits = []
    for entry in sys.path + glob.glob("/opt/*/.venv/lib/python3*/site-packages"):
        hits += sorted(glob.glob(os.path.join(entry, "nvidia", "*", "include", "curand.h")))
    if not hits:
        return {"curand": None}
    inc = Path(hits[0]).parent
    lib = inc.parent / "lib"
    link = Path("/tmp/curand-lib")
    link.mkdir(exist_ok=True)
    for so in lib.glob("libcurand.so*"):
        target = link / "libcurand.so"
        if not target.exists():
            target.symlink_to(so)
        if not (link / so.name).exists():
            (link / so.name).symlink_to(so)
    for key, value in (("CPATH", str(inc)), ("LIBRARY_PATH", str(link)), ("LD_LIBRARY_PATH", str(link))):
        env[key] = value + (os.pathsep + env[key] if env.get(key) else "")
    return {"curand": str(inc), "curand_lib": str(link)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--budget", type=float, default=540, help="seconds for all steps together")
    p.add_argument("--cuba-N", nargs="+", type=int, default=[4000, 40000, 400000])
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t_end = time.time() + args.budget
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    results = open(out / "gpu_results.jsonl", "a")
    log = open(out / "gpu_log.txt", "a")

    def record(step, data):
        data = {"step": step, **data}
        results.write(json.dumps(data) + "\n")
        results.flush()
        print(json.dumps(data)[:2000], flush=True)

    def run(step, cmd, timeout):
        left = t_end - time.time()
        if left < 20:
            record(step, {"skipped": "time budget used up"})
            return None
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=min(timeout, left), env=env,
                                  cwd=ROOT)
        except subprocess.TimeoutExpired as exc:
            record(step, {"error": f"timed out after {min(timeout, left):.0f} s", "cmd": cmd})
            log.write(f"== {step} TIMEOUT\n{exc.stdout or ''}\n{exc.stderr or ''}\n")
            return None
        wall = time.perf_counter() - t0
        log.write(f"== {step} rc={proc.returncode} {wall:.1f}s\n$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}\n")
        log.flush()
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode == 0 and lines:
            data = json.loads(lines[-1][len("RESULT "):])
            data["process_s"] = wall
            record(step, data)
            return data
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-30:])
        record(step, {"error": tail, "rc": proc.returncode, "process_s": wall})
        return None

    # 1. the stack
    info = _curand_env(env)
    for cmd in (["nvidia-smi", "--query-gpu=name,compute_cap,driver_version,memory.total", "--format=csv"],
                ["nvcc", "--version"]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        info[cmd[0]] = (r.stdout or r.stderr).strip()
    r = subprocess.run([sys.executable, "-m", "workbench.gpu", "report"], capture_output=True, text=True,
                       env=env, cwd=ROOT)
    try:
        info["report"] = json.loads(r.stdout)
    except ValueError:
        info["report"] = (r.stdout + r.stderr)[-3000:]
    record("stack", info)

    cuba = [sys.executable, str(ROOT / "benchmarks" / "gpu_cuba.py"), "--one", "--duration", "1"]
    fi = ["--set", "n_currents=25", "--set", "duration=1s"]
    stdp = ["--set", "dataset=digits", "--set", "n_exc=50", "--set", "n_train=200", "--set", "n_test=100",
            "--set", "batch=200"]
    plan = []
    for N in args.cuba_N[:2]:
        plan += [(f"cuba-{b}-{N}", cuba + ["--backends", b, "--N", str(N)], 240) for b in ("cpp_standalone", "cuda")]
    plan += [(f"fi-curve-{b}", [sys.executable, "-m", "workbench.gpu", "run", "fi-curve", "--backend", b] + fi, 240)
             for b in ("cpp_standalone", "cuda")]
    plan += [(f"stdp-digits-{b}", [sys.executable, "-m", "workbench.gpu", "run", "stdp-digits", "--backend", b]
              + stdp, 240) for b in ("cuda", "cpp_standalone")]
    for N in args.cuba_N[2:]:
        plan += [(f"cuba-{b}-{N}", cuba + ["--backends", b, "--N", str(N)], 300) for b in ("cuda", "cpp_standalone")]
    for step, cmd, timeout in plan:
        run(step, cmd, timeout)
    results.close()
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
