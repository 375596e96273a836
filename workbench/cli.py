"""The ``workbench`` command line.

    workbench list
    workbench run NAME [--config FILE.toml] [--set key=value ...] [--backend B] [--seed N] [--out PATH]
    workbench info ARCHIVE
    workbench figure NAME ARCHIVE [--out FILE]
    workbench sweep NAME --grid key=v1,v2 [--set key=value ...] [--seeds N] --out DIR
    workbench collect DIR --out ARCHIVE

User errors (unknown protocol, unknown or mistyped key, wrong type, unit or
range, data set, archive, resume, chip, an ``--out`` another run holds, a run
too large for the memory) exit with status 2 and a message naming the problem,
without a traceback (``workbench --debug ...`` shows it); nothing is written
then.  Ctrl-C and SIGTERM stop a run cleanly (exit 130 and 143): the child
simulation is ended, temporary files are removed, and the last checkpoint
holds whole batches only.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import traceback
from pathlib import Path

from brian2 import prefs

from . import __version__, backends, models
from .archive import ArchiveError, open_archive
from .params import format_value, load_toml, parse_assignments, positive_int
from .plotting import save, use_style
from .protocol import ProtocolError, list_figures, list_protocols, load_figure, load_protocol, run
from .sweep.cli import add_cli_commands

__all__ = ["main"]

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

#: Errors that are the user's (a value, a file, a data set, an archive, a chip, a backend, a protocol
#: name): their messages name the problem and the fix, so no traceback is shown (``--debug`` shows it).
#: ValueError covers ParameterError, ResumeError, ChipError, ...; OSError covers ArchiveError,
#: DatasetError, OutputBusy, PermissionError, ...
USER_ERRORS = (ValueError, OSError, ProtocolError, backends.BackendError)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interrupt so that the same cleanup runs as for Ctrl-C."""


def _on_sigterm(signum, frame):
    raise Terminated()


def _fail(msg: str) -> int:
    print(f"workbench: error: {msg}", file=sys.stderr)
    return EXIT_USAGE


def _cmd_list(args) -> int:
    print("protocols:")
    for name in list_protocols():
        try:
            proto = load_protocol(name)
            doc = proto.description.strip().splitlines()[0] if proto.description else ""
        except Exception as exc:  # a broken script should not hide the others
            doc = f"(cannot load: {exc})"
        print(f"  {name:<18} {doc}")
    print("figures:")
    for name in list_figures():
        print(f"  {name}")
    print("neuron models:")
    for name, m in sorted(models.NEURONS.items()):
        print(f"  {name:<18} {m.description.splitlines()[0] if m.description else ''}")
    print("synapse models:")
    for name, m in sorted(models.SYNAPSES.items()):
        print(f"  {name:<18} {m.description}")
    print("plasticity rules:")
    for name, m in sorted(models.PLASTICITY.items()):
        print(f"  {name:<24} {m.description}")
    print("backends:")
    for name, (_, doc) in backends.BACKENDS.items():
        try:
            backends.check_available(name)
            status = "available"
        except backends.BackendUnavailable:
            status = "not installed"
        print(f"  {name:<16} {doc} [{status}]")
    if args.verbose:
        for name in list_protocols():
            proto = load_protocol(name)
            print(f"\nparameters of {name}:")
            for key, p in proto.params.items():
                print(f"  {key:<22} = {format_value(p.default)!s:<16} {p.doc}")
    return 0


def _summary(ds, path) -> str:
    lines = [f"protocol {ds.attrs.get('protocol')} on {ds.attrs.get('backend')} "
             f"(seed {ds.attrs.get('seed')}) in {ds.attrs.get('wall_time_s', float('nan')):.1f} s"]
    for name, var in ds.data_vars.items():
        if name.startswith(("param_", "state_")):  # model constants and resume state: see `workbench info`
            continue
        if var.ndim == 0 and var.dtype.kind in "fiu":
            units = var.attrs.get("units", "")
            lines.append(f"  {name} = {float(var):.6g}" + (f" {units}" if units and units != "1" else ""))
    if path:
        lines.append(f"archive: {path}")
    return "\n".join(lines)


def _cmd_run(args) -> int:
    # every user error (ParameterError, ResumeError, DatasetError, ArchiveError, ...) goes up to main()
    proto = load_protocol(args.name)
    overrides = {}
    if args.config:
        overrides.update(load_toml(args.config))
    overrides.update(parse_assignments(args.set or []))
    proto.resolve(overrides)  # validate before anything runs
    if args.backend:
        backends.canonical(args.backend)
    out = args.out
    if out is None and not args.no_save:
        out = Path("data") / "runs" / f"{proto.name}-{proto.resolve(overrides).hash()}-s{args.seed}.nc"
    ds = run(proto, overrides, backend=args.backend, seed=args.seed, out=out, resume=args.resume,
             progress=not args.quiet, threads=args.threads)
    print(_summary(ds, out))
    return 0


def _cmd_info(args) -> int:
    try:
        ds = open_archive(args.archive, lazy=True)
    except ArchiveError as exc:
        return _fail(str(exc))
    print(f"archive {args.archive}")
    print("dims: " + ", ".join(f"{k}={v}" for k, v in ds.sizes.items()))
    print("metrics:")
    for name, var in ds.data_vars.items():
        if var.ndim == 0:
            units = var.attrs.get("units", "")
            print(f"  {name:<28} {var.values.item()!s:<14} {units if units != '1' else ''}  {var.attrs.get('long_name', '')}")
    print("variables:")
    for name, var in ds.data_vars.items():
        if var.ndim > 0:
            print(f"  {name:<28} {tuple(var.dims)!s:<30} {var.attrs.get('units', '')}  {var.attrs.get('long_name', '')}")
    print("provenance:")
    for key in ("protocol", "status", "backend", "seed", "config_hash", "workbench_version", "brian2_version",
                "numpy_version", "git_commit", "start_time", "end_time", "wall_time_s", "threads", "resumed",
                "segments", "memory_estimate_bytes", "history"):
        if key in ds.attrs:
            print(f"  {key:<22} {ds.attrs[key]}")
    if args.config:
        print("config:")
        print(json.dumps(json.loads(ds.attrs.get("config", "{}")), indent=2, sort_keys=True))
    ds.close()
    return 0


def _cmd_figure(args) -> int:
    try:
        make = load_figure(args.name)
        ds = open_archive(args.archive)
    except (ProtocolError, ArchiveError) as exc:
        return _fail(str(exc))
    use_style()
    try:
        fig = make(ds)
    except (KeyError, ValueError) as exc:
        return _fail(f"figure {args.name!r} cannot be drawn from {args.archive}: {exc}")
    out = args.out or str(Path(args.archive).with_suffix("")) + f"-{args.name}.png"
    save(fig, out)
    print(f"figure: {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description="Brian2 research workbench for spiking networks.")
    p.add_argument("--version", action="version", version=f"workbench {__version__}")
    p.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = p.add_subparsers(dest="command", required=True)

    q = sub.add_parser("list", help="protocols, figures, models and backends")
    q.add_argument("-v", "--verbose", action="store_true", help="also list every protocol's parameters")
    q.set_defaults(func=_cmd_list)

    q = sub.add_parser("run", help="run a protocol and write its archive")
    q.add_argument("name", help="protocol name (protocols/NAME.py; dashes or underscores)")
    q.add_argument("--config", help="TOML file of parameter values")
    q.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a parameter (repeatable)")
    q.add_argument("--backend", help="numpy, cython, cpp_standalone, genn or cuda (default: the protocol's)")
    q.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    q.add_argument("--out", help="archive path (.nc or .zarr; default data/runs/NAME-HASH-sSEED.nc)")
    q.add_argument("--resume", help="continue from the last checkpoint in this archive")
    q.add_argument("--threads", type=positive_int, default=1, help="OpenMP threads for cpp_standalone (default 1)")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    q.add_argument("--no-save", action="store_true", help="do not write an archive when --out is not given")
    q.set_defaults(func=_cmd_run)

    q = sub.add_parser("info", help="dims, metrics and provenance of an archive")
    q.add_argument("archive")
    q.add_argument("--config", action="store_true", help="print the full configuration")
    q.set_defaults(func=_cmd_info)

    q = sub.add_parser("figure", help="draw figures/NAME.py from an archive")
    q.add_argument("name")
    q.add_argument("archive")
    q.add_argument("--out", help="image file (default: beside the archive)")
    q.set_defaults(func=_cmd_figure)

    add_cli_commands(sub)  # workbench sweep / workbench collect
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    prefs.logging.console_log_level = "WARNING"
    try:
        old_term = signal.signal(signal.SIGTERM, _on_sigterm)
        # Ctrl-C raises KeyboardInterrupt at once (Brian2's own handler stops a network at the end of
        # the time step, and calls whatever handler came before it: not callable where SIGINT was ignored)
        old_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread: the signals keep their handlers
        old_term = old_int = None
    try:
        return args.func(args)
    except Terminated:
        print("workbench: terminated (SIGTERM); the last checkpoint, if any, holds whole batches", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("workbench: interrupted; the last checkpoint, if any, holds whole batches", file=sys.stderr)
        return EXIT_INTERRUPTED
    except MemoryError as exc:  # a size the protocol's estimate did not foresee
        if args.debug:
            traceback.print_exc()
        return _fail(f"out of memory ({exc}); run smaller sizes (n_*, batch) or on a machine with more memory")
    except USER_ERRORS as exc:
        if args.debug:
            traceback.print_exc()
        return _fail(str(exc) or type(exc).__name__)
    except Exception:  # a bug: the traceback, without Brian2's excepthook (its banner and debug files)
        traceback.print_exc()
        print("workbench: internal error (the traceback above); please report it", file=sys.stderr)
        return 1
    finally:
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
            signal.signal(signal.SIGINT, old_int)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
