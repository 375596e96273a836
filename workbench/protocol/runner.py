"""Protocols: declared parameters + a run function that returns an archive Dataset.

A protocol lives in the library (``workbench/experiments/*.py``) as a
:class:`Protocol`; a script in ``protocols/NAME.py`` exposes it, usually with
a few overridden defaults, as ``PROTOCOL``.  :func:`run` validates the
configuration (nothing is simulated or written if a key or value is wrong),
selects the backend, seeds every generator, times the run, attaches the
provenance and writes the archive atomically.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import xarray as xr

from .. import archive as _archive
from .. import backends
from ..params import ParameterError
from ..timing import Timer
from .context import RunContext
from .gpu import genn_check
from .spec import Protocol, ProtocolError, load_protocol

__all__ = ["run"]


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
) -> xr.Dataset:
    """Run a protocol and return its archive Dataset (also saved to ``out`` if given).

    The configuration is validated before anything runs; provenance (config
    JSON and hash, seed, backend, versions, git commit, timing) is attached.
    """
    if isinstance(protocol, str):
        protocol = load_protocol(protocol)
    params = protocol.resolve(overrides)
    backend = backends.canonical(backend or protocol.default_backend)
    if seed is None or int(seed) < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}")
    out_path = Path(out) if out is not None else None
    if out_path is not None and out_path.suffix not in (".nc", ".zarr", ".h5", ".netcdf"):
        raise ParameterError(f"--out {str(out_path)!r}: use a .nc (NetCDF) or .zarr (Zarr) file name")
    resume_path = Path(resume) if resume is not None else None
    if resume_path is not None and not resume_path.exists():
        raise ParameterError(f"--resume {str(resume_path)!r}: no such archive")
    if resume_path is not None and not protocol.resumable:
        raise ParameterError(f"--resume: protocol {protocol.name!r} cannot resume from a checkpoint; "
                             "run it again without --resume")
    if backend == "genn":  # Brian2GeNN's limits (heterogeneous delays), found before GeNN is needed
        genn_check(protocol, overrides)
    backends.check_available(backend)
    ctx = RunContext(protocol=protocol.name, backend=backend, seed=int(seed), out=out_path,
                     resume=resume_path, progress=progress, threads=threads)
    np.random.seed(int(seed) % 2**32)
    with Timer() as timer:
        ds = protocol.func(params, ctx)
    if not isinstance(ds, xr.Dataset):
        raise ProtocolError(f"protocol {protocol.name!r} returned {type(ds).__name__}, not an xarray.Dataset")
    extra = {k: v for k, v in ds.attrs.items()}
    ds.attrs = _archive.provenance(
        protocol=protocol.name, config=params.to_dict(), config_hash=params.hash(), seed=int(seed),
        backend=backend, start_time=timer.start_iso, end_time=timer.end_iso, wall_time=timer.wall,
    )
    extra.pop("status", None)
    ds.attrs.update({k: v for k, v in extra.items() if k not in ds.attrs})
    ds.attrs["status"] = "complete"
    if out_path is not None:
        _archive.save(ds, out_path)
    return ds
