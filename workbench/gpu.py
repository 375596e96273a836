"""``python -m workbench.gpu``: the GPU backends in their own installation profiles.

    python -m workbench.gpu report
        versions of the stack, nvcc / GPU / GeNN found or not (JSON)
    python -m workbench.gpu codegen fi-curve --backend cuda --set models=lif --set n_currents=5
        generates the protocol's network for the backend WITHOUT compiling or running it
        (``device.build(compile=False, run=False)``), so unsupported features are caught
        on machines without a GPU or a CUDA toolkit; prints the generated files (JSON)
    python -m workbench.gpu genn-check lsm --set n_pairs=2
        whether Brian2GeNN can take the protocol's network at all (no Brian2GeNN, GeNN or
        GPU needed: any environment); exit status 2 and the limitation if not
    python -m workbench.gpu run fi-curve --backend cuda
        runs a protocol (no archive) and prints its timing, scalars and checksums (JSON)

The install checks are :mod:`workbench.backends.gpu`; the protocol checks :mod:`workbench.protocol.gpu`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from brian2 import prefs

from . import backends
from .backends.errors import BackendError
from .backends.gpu import stack_report
from .params import ParameterError, parse_assignments
from .protocol import ProtocolError, run
from .protocol.gpu import codegen_check, genn_check


def _cmd_run(args) -> int:
    """Run a protocol on a backend; print metrics and checksums.  (``use_backend`` applies
    :func:`workbench.backends.gpu.cuda_compat` for cuda, and :func:`workbench.protocol.run` the GeNN
    check for genn.)"""
    prefs.logging.console_log_level = "WARNING"
    name = backends.canonical(args.backend)
    t0 = time.perf_counter()
    ds = run(args.protocol, parse_assignments(args.set), backend=name, seed=args.seed, progress=False)
    out = {"protocol": args.protocol, "backend": name, "wall_s": time.perf_counter() - t0,
           "protocol_wall_s": float(ds.attrs.get("wall_time_s", float("nan"))), "metrics": {}, "checksums": {}}
    for var_name, var in ds.data_vars.items():
        if var.dtype.kind not in "fiu":
            continue
        if var.ndim == 0:
            out["metrics"][var_name] = float(var)
        else:
            out["checksums"][var_name] = float(np.nansum(np.asarray(var, dtype=float)))
    print("RESULT " + json.dumps(out), flush=True)
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m workbench.gpu", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("report", help="versions of the GPU stack here (JSON)")
    q = sub.add_parser("codegen", help="generate a protocol's network for a GPU backend, no compile")
    q.add_argument("protocol")
    q.add_argument("--backend", default="cuda", help="cuda or genn (or cpp_standalone)")
    q.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    q.add_argument("--directory", help="where to write the generated project (default: a temp folder)")
    q.add_argument("--compute-capability", type=float, default=9.0,
                   help="GPU to generate for when none is present (default 9.0, H100)")
    q = sub.add_parser("genn-check", help="can Brian2GeNN take the protocol's network? (no GPU software needed)")
    q.add_argument("protocol")
    q.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    q = sub.add_parser("run", help="run a protocol (no archive) and print its timing and metrics (JSON)")
    q.add_argument("protocol")
    q.add_argument("--backend", default="cuda")
    q.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    q.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.command == "report":
        print(json.dumps(stack_report(), indent=1))
        return 0
    prefs.logging.console_log_level = "WARNING"
    try:
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "genn-check":
            genn_check(args.protocol, parse_assignments(args.set))
            print(json.dumps({"protocol": args.protocol, "genn": "supported"}))
            return 0
        result = codegen_check(args.protocol, parse_assignments(args.set), backend=args.backend,
                               directory=args.directory, compute_capability=args.compute_capability)
    except (BackendError, ParameterError, ProtocolError) as exc:
        print(f"workbench.gpu: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
