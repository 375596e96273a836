"""Protocols: declared parameters + a run function that returns an archive Dataset.

A protocol lives in the library (``workbench/experiments/*.py``) as a
:class:`Protocol`; a script in ``protocols/NAME.py`` exposes it, usually with
a few overridden defaults, as ``PROTOCOL``.  :func:`run` validates the
configuration (nothing is simulated or written if a key or value is wrong),
checks that ``out`` can be written and takes its lock (a second run with the
same ``out`` is refused while the first holds it), refuses a run whose
estimated peak memory exceeds the machine's available memory, selects the
backend, seeds every generator, times the run, attaches the provenance and
writes the archive atomically.  An interrupted run (Ctrl-C, SIGTERM: a
``KeyboardInterrupt``) writes no final archive; its last checkpoint holds
whole batches only.
"""
from __future__ import annotations

import contextlib
import os
import shlex
import tempfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import xarray as xr
from brian2 import prefs
from filelock import FileLock, Timeout

from .. import __version__
from .. import archive as _archive
from .. import backends
from ..params import ParameterError
from ..timing import Timer
from .context import RunContext
from .gpu import genn_check
from .estimates import ESTIMATES
from .memory import check_memory
from .spec import Protocol, ProtocolError, load_protocol

__all__ = ["run", "OutputBusy", "check_out"]


class OutputBusy(OSError):
    """Another run holds the lock of the same ``--out``."""


def check_out(out_path: Path) -> None:
    """Refuse an ``--out`` that cannot be written (before anything runs)."""
    if out_path.suffix not in (".nc", ".zarr", ".h5", ".netcdf"):
        raise ParameterError(f"--out {str(out_path)!r}: use a .nc (NetCDF) or .zarr (Zarr) file name")
    if out_path.is_dir() and out_path.suffix != ".zarr":
        raise ParameterError(f"--out {str(out_path)!r} is a folder; give a file name")
    folder = out_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ParameterError(f"--out {str(out_path)!r}: cannot write in {str(folder)!r} ({exc.strerror or exc}); "
                             "choose a writable folder") from None
    if out_path.exists() and not os.access(out_path, os.W_OK):
        raise ParameterError(f"--out {str(out_path)!r} exists and is not writable")


@contextlib.contextmanager
def out_lock(out_path: Path | None):
    """Hold ``.NAME.lock`` beside ``out`` for the run; raise :class:`OutputBusy` if another run holds it."""
    if out_path is None:
        yield
        return
    lock = FileLock(str(out_path.with_name(f".{out_path.name}.lock")))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise OutputBusy(f"--out {str(out_path)!r}: another run is writing this archive (lock {lock.lock_file}); "
                         "wait for it to finish or choose another --out") from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def _interrupt_raises():
    """Ctrl-C raises ``KeyboardInterrupt`` at once.  Brian2's default (``core.stop_on_keyboard_interrupt``)
    stops the running network at the end of the time step and returns normally, so a cut batch looked
    complete to the caller (issue 16)."""
    old = prefs.core.stop_on_keyboard_interrupt
    prefs.core.stop_on_keyboard_interrupt = False
    try:
        yield
    finally:
        prefs.core.stop_on_keyboard_interrupt = old


def run(
    protocol: Protocol | str,
    overrides: Mapping[str, Any] | None = None,
    *,
    backend: str | None = None,
    seed: int = 0,
    out: str | os.PathLike | None = None,
    resume: str | os.PathLike | None = None,
    progress: bool = True,
    threads: int = 1,
    memory_check: bool = True,
) -> xr.Dataset:
    """Run a protocol and return its archive Dataset (also saved to ``out`` if given).

    The configuration is validated before anything runs; provenance (config
    JSON and hash, seed, backend, threads, segments, versions, git commit,
    timing, memory estimate) is attached.
    """
    if isinstance(protocol, str):
        protocol = load_protocol(protocol)
    params = protocol.resolve(overrides)
    backend = backends.canonical(backend or protocol.default_backend)
    if seed is None or int(seed) < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}")
    if threads is None or int(threads) < 1:
        raise ParameterError(f"--threads must be a positive integer, got {threads!r}")
    out_path = Path(out) if out is not None else None
    if out_path is not None:
        check_out(out_path)
    resume_path = Path(resume) if resume is not None else None
    if resume_path is not None and not protocol.resumable:
        raise ParameterError(f"--resume: protocol {protocol.name!r} cannot resume from a checkpoint; "
                             "run it again without --resume")
    if resume_path is not None and not resume_path.exists():
        raise ParameterError(f"--resume {str(resume_path)!r}: no such archive")
    estimate = check_memory(protocol, params, backend, ESTIMATES.get(protocol.name)) if memory_check else None
    if backend == "genn":  # Brian2GeNN's limits (heterogeneous delays), found before GeNN is needed
        genn_check(protocol, overrides)
    backends.check_available(backend)
    title = (protocol.description.strip().splitlines() or [""])[0] or f"workbench {protocol.name} result"
    with out_lock(out_path):
        ctx = RunContext(protocol=protocol.name, backend=backend, seed=int(seed), out=out_path,
                         resume=resume_path, progress=progress, threads=int(threads), title=title)
        np.random.seed(int(seed) % 2**32)
        with _interrupt_raises(), Timer() as timer, ctx.heartbeat():
            ds = protocol.func(params, ctx)
        if not isinstance(ds, xr.Dataset):
            raise ProtocolError(f"protocol {protocol.name!r} returned {type(ds).__name__}, not an xarray.Dataset")
        extra = {k: v for k, v in ds.attrs.items()}
        command = " ".join(["workbench run", protocol.name] + [f"--set {shlex.quote(f'{k}={v}')}"
                                                               for k, v in sorted((overrides or {}).items())]
                           + [f"--seed {int(seed)}", f"--backend {backend}", f"--threads {int(threads)}"])
        ds.attrs = _archive.provenance(
            protocol=protocol.name, config=params.to_dict(), config_hash=params.hash(), seed=int(seed),
            backend=backend, start_time=timer.start_iso, end_time=timer.end_iso,
            wall_time=float(ctx.prior["wall_time_s"]) + timer.wall, title=title,
            history=f"{timer.end_iso}: {command} (workbench {__version__}, {ctx.segments} segment(s))",
        )
        ds.attrs.update(ctx.run_attrs())
        ds.attrs["segment_wall_time_s"] = float(timer.wall)
        if estimate is not None:
            ds.attrs["memory_estimate_bytes"] = int(estimate.bytes)
            ds.attrs["memory_estimate"] = estimate.formula
        extra.pop("status", None)
        ds.attrs.update({k: v for k, v in extra.items() if k not in ds.attrs})
        ds.attrs["status"] = "complete"
        if out_path is not None:
            _archive.save(ds, out_path)
    return ds


