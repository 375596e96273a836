"""``workbench sweep`` and ``workbench collect`` (registered on the ``workbench`` command by
:func:`add_cli_commands`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import backends
from ..params import ParameterError, load_toml, parse_assignments, positive_int
from ..protocol import ProtocolError
from .client import sweep
from .collect import collect
from .grid import SweepError

__all__ = ["add_cli_commands"]


def _fail(msg: str) -> int:
    print(f"workbench: error: {msg}", file=sys.stderr)
    return 2


def _cmd_sweep(args) -> int:
    try:
        overrides = {}
        if args.config:
            overrides.update(load_toml(args.config))
        overrides.update(parse_assignments(args.set or []))
        if not args.grid:
            raise SweepError("give at least one --grid key=v1,v2,...")
        result = sweep(args.name, args.grid, out=args.out, overrides=overrides, seeds=args.seeds,
                       backend=args.backend, scheduler=args.scheduler, workers=args.workers,
                       threads=args.threads, build_cache=args.build_cache, progress=not args.quiet)
    except (SweepError, ProtocolError, ParameterError, backends.BackendError) as exc:
        return _fail(str(exc))
    print(result.summary())
    print(f"collect with: workbench collect {args.out} --out {Path(args.out).as_posix().rstrip('/')}.nc")
    return 0 if result.n_failed == 0 else 1


def _cmd_collect(args) -> int:
    try:
        ds = collect(args.directory, out=args.out)
    except SweepError as exc:
        return _fail(str(exc))
    print(f"collected {ds.attrs['sweep_complete']} of {ds.attrs['sweep_points']} points "
          f"({ds.attrs['sweep_failed']} failed, {ds.attrs['sweep_missing']} not run) over "
          + ", ".join(f"{d}={ds.sizes[d]}" for d in json.loads(ds.attrs["sweep_dims"])))
    print(f"archive: {args.out}")
    ds.close()
    return 0


def add_cli_commands(sub):
    """Register ``workbench sweep`` and ``workbench collect`` on the CLI's subparsers."""
    q = sub.add_parser("sweep", help="run a protocol over a parameter grid on Dask")
    q.add_argument("name", help="protocol name")
    q.add_argument("--grid", action="append", metavar="KEY=V1,V2,...",
                   help="swept parameter and its values (repeatable; ';' separates values that hold commas)")
    q.add_argument("--set", action="append", metavar="KEY=VALUE", help="fixed parameter value (repeatable)")
    q.add_argument("--config", help="TOML file of fixed parameter values")
    q.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 per grid point (default 1)")
    q.add_argument("--backend", help="numpy, cython, cpp_standalone, genn or cuda (default: the protocol's)")
    q.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a LocalCluster)")
    q.add_argument("--workers", type=positive_int, help="LocalCluster worker processes (default min(cores, 4))")
    q.add_argument("--threads", type=positive_int, default=1, help="OpenMP threads per point for cpp_standalone")
    q.add_argument("--build-cache", choices=("worker", "shared"), default="worker",
                   help="standalone builds per worker (default) or shared with per-directory locks")
    q.add_argument("--out", required=True, help="sweep folder (point archives, manifest, log)")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    q.set_defaults(func=_cmd_sweep)

    q = sub.add_parser("collect", help="merge a sweep folder into one archive")
    q.add_argument("directory")
    q.add_argument("--out", required=True, help="archive path (.nc or .zarr)")
    q.set_defaults(func=_cmd_collect)
    return sub
