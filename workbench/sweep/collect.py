"""Merge a sweep folder's points into one Dataset with the swept parameters (and ``seed``) as
dimensions: :func:`collect`."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import xarray as xr

from .. import archive as _archive
from ..params import config_hash
from ..recording import variable
from .folder import STATUS_COMPLETE, STATUS_FAILED, STATUS_MISSING, points_dir, read_manifest
from .grid import SweepError

__all__ = ["collect"]


def _point_status(directory: Path, manifest: dict):
    pdir = points_dir(directory)
    status = []
    for p in manifest["points"]:
        nc = pdir / f"point-{p['hash']}.nc"
        err = pdir / f"point-{p['hash']}.error.json"
        if nc.exists():
            status.append((p, STATUS_COMPLETE, str(nc), ""))
        elif err.exists():
            try:
                e = json.loads(err.read_text())
                msg = f"{e.get('error_type', 'Error')}: {e.get('error', '')}"
            except (OSError, ValueError) as exc:
                msg = f"unreadable error record {err}: {exc}"
            status.append((p, STATUS_FAILED, None, msg))
        else:
            status.append((p, STATUS_MISSING, None, "not run yet"))
    return status


def collect(directory: str | os.PathLike, out: str | os.PathLike | None = None, *, lazy: bool = True):
    """Merge a sweep folder's points into one Dataset with the swept parameters as dimensions.

    The point archives are opened lazily with :func:`xarray.open_mfdataset`
    (Dask-backed), concatenated along ``point`` and unstacked into the grid
    dimensions plus ``seed``; missing or failed points are NaN.  Added
    variables: ``point_status`` (1 complete, 0 failed, -1 not run),
    ``point_error`` and ``point_wall_time``.  With ``out`` the result is
    written atomically as a workbench archive.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    dims = manifest["dims"]
    status = _point_status(directory, manifest)
    done = [s for s in status if s[1] == STATUS_COMPLETE]
    if not done:
        failed = [s for s in status if s[1] == STATUS_FAILED]
        hint = f"; first error: {failed[0][3]}" if failed else ""
        raise SweepError(f"{directory}: no completed points to collect ({len(status)} points{hint})")

    walls = {}

    def _pre(ds):
        h = ds.attrs.get("sweep_point")
        walls[h] = float(ds.attrs.get("wall_time_s", np.nan))
        ds = ds.drop_attrs(deep=False) if hasattr(ds, "drop_attrs") else ds.assign_attrs({})
        # dims without coordinates get 0..n-1, so points of different sizes align (outer join, NaN)
        ds = ds.assign_coords({d: np.arange(n) for d, n in ds.sizes.items() if d not in ds.coords})
        return ds.expand_dims(point=[h])

    try:
        merged = xr.open_mfdataset(
            [s[2] for s in done], engine="h5netcdf", combine="nested", concat_dim="point",
            preprocess=_pre, data_vars="all", coords="minimal", compat="override", join="outer",
            combine_attrs="override", parallel=False, chunks={},
        )
    except Exception as exc:
        raise SweepError(f"{directory}: cannot merge the point archives ({type(exc).__name__}: {exc})") from None
    order = {p["hash"]: p for p, *_ in status}
    hashes = [str(h) for h in merged["point"].values]
    merged = merged.assign_coords({d: ("point", [order[h]["coords"][d] for h in hashes]) for d in dims})
    merged = merged.drop_vars("point").set_index(point=dims).unstack("point")
    # a full grid (also when whole rows of points failed), in the grid's own order
    full = {d: list(dict.fromkeys(p["coords"][d] for p in manifest["points"])) for d in dims}
    merged = merged.reindex(full)
    merged = merged.transpose(*dims, ...)
    # the point files' on-disk encodings (int dtypes, chunking) do not fit NaN-filled merged data
    for var in merged.variables.values():
        var.encoding = {}

    shape = [len(full[d]) for d in dims]
    st = np.full(shape, STATUS_MISSING, dtype=np.int8)
    err = np.full(shape, "", dtype=object)
    wall = np.full(shape, np.nan)
    for p, code, _, msg in status:
        idx = tuple(full[d].index(p["coords"][d]) for d in dims)
        st[idx] = code
        err[idx] = msg
        wall[idx] = walls.get(p["hash"], np.nan)
    merged["point_status"] = variable(st, dims, "1", "point status (1 complete, 0 failed, -1 not run)")
    merged["point_error"] = variable(err.astype(str), dims, "", "error of a failed point")
    merged["point_wall_time"] = variable(wall, dims, "s", "wall time of the point's protocol run")
    for d in dims:
        if d == "seed":
            merged[d].attrs.update(units="1", long_name="random seed")
        else:
            merged[d].attrs.update(units=manifest["units"].get(d, ""), long_name=manifest["long_names"].get(d) or d)
    counts = {c: int((st == c).sum()) for c in (STATUS_COMPLETE, STATUS_FAILED, STATUS_MISSING)}
    merged.attrs = _archive.provenance(
        protocol=manifest["protocol"], config=manifest["base_config"],
        config_hash=config_hash({"base": manifest["base_config"], "grid": manifest["grid"],
                                 "seeds": manifest["seeds"]}),
        seed=None, backend=manifest["backend"], wall_time=float(np.nansum(wall)),
    )
    merged.attrs.update({
        "status": "sweep",
        "sweep_dims": json.dumps(dims),
        "sweep_grid": json.dumps(manifest["grid"], sort_keys=True),
        "sweep_points": len(status),
        "sweep_complete": counts[STATUS_COMPLETE],
        "sweep_failed": counts[STATUS_FAILED],
        "sweep_missing": counts[STATUS_MISSING],
        "sweep_directory": str(directory.resolve()),
    })
    if not lazy:
        merged = merged.load()
    if out is not None:
        _archive.save(merged, out)
    return merged
