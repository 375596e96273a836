"""Result archives of the benchmarks: the numbers ``BENCHMARKS.md`` shows, with where they came from.

A benchmark script ends with :func:`write_result`, which saves ``benchmarks/results/NAME.nc``: one
0-d variable per number (with ``units`` and ``long_name``), and as attributes the configuration,
the command that made it, the git commit, the date, the machine, the Brian2/numpy versions, how any
choice was made (``how_chosen``: a validation split, inner cross-validation, or nothing chosen) and
the SHA-256 of every source file that defines the science behind the numbers
(:func:`workbench.sources.science_sources`).  ``python benchmarks/report.py`` renders the tables
from these archives; ``--check`` fails when a file has changed since an archive was made.
"""
from __future__ import annotations

import json
import os
import platform
import shlex
import sys
from pathlib import Path

import xarray as xr

from workbench import archive
from workbench.recording import scalar
from workbench.sources import science_sources, source_hashes
from workbench.timing import now_iso

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"

__all__ = ["write_result", "machine", "RESULTS", "ROOT"]


def machine() -> str:
    """CPU model, usable cores and memory of this machine, in one line."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = ""
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
        mem = f", {kib / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{model}, {cores} cores{mem}, {platform.system()} {platform.release()}"


def write_result(name: str, values: dict, *, config: dict | None = None, protocols=(), scripts=(),
                 how_chosen: str = "nothing chosen: fixed configuration", notes: str = "",
                 command: str | None = None) -> Path:
    """Save the numbers of one benchmark as ``benchmarks/results/NAME.nc``.

    ``values`` maps a variable name to ``(value, units, long_name)`` (or an ``xarray.DataArray``
    with those attributes).  ``protocols`` names the protocols whose scripts (``protocols/NAME.py``)
    produced the numbers; the calling script (``sys.argv[0]``) and ``scripts`` are followed too.
    """
    data = {}
    for key, v in values.items():
        if isinstance(v, xr.DataArray):
            if "units" not in v.attrs or "long_name" not in v.attrs:
                raise ValueError(f"result {key!r}: a DataArray needs 'units' and 'long_name' attributes")
            data[key] = v
        else:
            value, units, long_name = v
            data[key] = scalar(value, units, long_name)
    roots = [Path(sys.argv[0]).resolve(), *(Path(s).resolve() for s in scripts)]
    roots += [ROOT / "protocols" / f"{p.replace('-', '_')}.py" for p in protocols]
    sources = science_sources([r for r in roots if r.is_file()], ROOT)
    ds = xr.Dataset(data)
    ds.attrs.update(archive.provenance(protocol=f"benchmark:{name}", config=config or {}, config_hash="",
                                       seed=(config or {}).get("seed"), backend=str((config or {}).get("backend", ""))))
    ds.attrs.update(
        command=command or " ".join(shlex.quote(a) for a in ["python", os.path.relpath(sys.argv[0], ROOT),
                                                               *sys.argv[1:]]),
        date=now_iso(), machine=machine(), python_version=platform.python_version(),
        how_chosen=how_chosen, notes=notes,
        source_hashes=json.dumps(source_hashes(sources, ROOT), sort_keys=True),
        status="complete",
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    return archive.save(ds, RESULTS / f"{name}.nc")
