"""Self-describing xarray result archives (NetCDF via h5netcdf, or Zarr).

Every run produces an :class:`xarray.Dataset` whose attributes carry the
provenance of the run (protocol, full configuration as JSON and its hash,
seed, backend, versions, git commit, timing).  :func:`save` writes it
atomically: to a temporary file beside the target, then ``os.replace``.
:func:`open_archive` loads an archive fully into memory and checks that it is
a workbench archive, raising :class:`ArchiveError` that names the file
otherwise.

Conventions (see ``shared/STYLE.md``): named dims; spikes flat along a
``spike`` dim (``spike_neuron``, ``spike_time``); state traces as
(``neuron``, ``time``); synaptic weights along ``synapse`` with ``pre`` and
``post`` coordinates; every variable has ``units`` and ``long_name`` attrs.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping

import brian2
import numpy as np
import scipy
import xarray as xr

from . import __version__
from .timing import now_iso

__all__ = [
    "ArchiveError",
    "ARCHIVE_FORMAT",
    "save",
    "open_archive",
    "provenance",
    "config_of",
    "CONVENTIONS",
    "git_commit",
]

#: Value of the ``workbench_archive`` attribute that marks a workbench archive.
ARCHIVE_FORMAT = "workbench-archive-1"

#: The CF ``Conventions`` attribute: every variable carries ``units`` and ``long_name``.
CONVENTIONS = "CF-1.10"


class ArchiveError(OSError):
    """A file is missing, corrupt, or not a workbench archive."""


#: How long a computed git commit / dirty state is trusted (seconds) while the repository's
#: HEAD, current branch ref, packed-refs and index are unchanged.  Edits to tracked files that
#: are not staged change none of these, so the dirty flag is re-checked at least this often.
GIT_CACHE_SECONDS = 60.0

_GIT_CACHE: dict[str, tuple[Any, float, str]] = {}


def _git_dir(start: Path) -> Path | None:
    """The ``.git`` directory of the repository holding ``start`` (also for worktrees), or None."""
    for folder in (start, *start.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():  # a worktree or submodule: 'gitdir: PATH'
            try:
                text = dot.read_text().strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:"):].strip())
                return target if target.is_absolute() else (folder / target).resolve()
            return None
    return None


def _git_signature(gitdir: Path | None):
    """Cheap stat signature of what changes on a commit, checkout or staging (no subprocess)."""
    if gitdir is None:
        return None
    files = [gitdir / "HEAD", gitdir / "index", gitdir / "packed-refs"]
    try:
        head = (gitdir / "HEAD").read_text().strip()
    except OSError:
        head = ""
    if head.startswith("ref:"):
        ref = head[4:].strip()
        files.append(gitdir / ref)
        common = gitdir / "commondir"  # worktrees keep branch refs in the main repository
        if common.is_file():
            try:
                files.append((gitdir / common.read_text().strip()).resolve() / ref)
            except OSError:
                pass
    sig = [head]
    for f in files:
        try:
            st = f.stat()
            sig.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            sig.append(None)
    return tuple(sig)


def _git_commit_uncached(here: Path) -> str:
    # --no-optional-locks: 'git status' must not take .git/index.lock to refresh the index (a
    # sweep's workers would otherwise race people committing in the same checkout)
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, env=env
        )
        if out.returncode == 0:
            commit = out.stdout.strip()
            dirty = subprocess.run(
                ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
                cwd=here, capture_output=True, text=True, timeout=5, env=env,
            ).stdout.strip()
            return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return "unknown"


def git_commit(path: str | os.PathLike | None = None, *, max_age: float | None = None) -> str:
    """The git commit of the workbench source tree (``-dirty`` if tracked files changed), or ``'unknown'``.

    Computed with two ``git`` calls, then cached per process: the cached value is
    reused while the repository's HEAD, branch ref, packed-refs and index are
    unchanged (a commit, checkout or ``git add`` invalidates it at once) and it is
    younger than ``max_age`` seconds (default :data:`GIT_CACHE_SECONDS`; ``0``
    disables the cache), so unstaged edits show up as ``-dirty`` within that time.
    A sweep worker writing many archives thus runs ``git`` about once a minute,
    not twice per archive.
    """
    here = (Path(path) if path else Path(__file__).resolve().parent).resolve()
    max_age = GIT_CACHE_SECONDS if max_age is None else float(max_age)
    sig = _git_signature(_git_dir(here))
    key = str(here)
    now = time.monotonic()
    hit = _GIT_CACHE.get(key)
    if hit is not None and hit[0] == sig and now - hit[1] < max_age:
        return hit[2]
    value = _git_commit_uncached(here)
    # signature taken before the git calls: a change during them invalidates the entry next time
    _GIT_CACHE[key] = (sig, now, value)
    return value


def _versions() -> dict[str, str]:
    return {
        "workbench_version": __version__,
        "brian2_version": brian2.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "xarray_version": xr.__version__,
    }


def provenance(
    *,
    protocol: str,
    config: Mapping[str, Any],
    config_hash: str,
    seed: int | None,
    backend: str,
    start_time: str | None = None,
    end_time: str | None = None,
    wall_time: float | None = None,
    title: str | None = None,
    history: str | None = None,
) -> dict[str, Any]:
    """The provenance attributes every archive carries (NetCDF-safe types only), with the CF
    global attributes ``Conventions``, ``title`` and ``history`` (one line per step that made it)."""
    end = end_time or now_iso()
    attrs = {
        "Conventions": CONVENTIONS,
        "title": title or f"workbench {protocol} result",
        "history": history or f"{end}: workbench {protocol} (seed {seed}, backend {backend}, workbench {__version__})",
        "workbench_archive": ARCHIVE_FORMAT,
        "protocol": protocol,
        "config": json.dumps(dict(config), sort_keys=True, default=str),
        "config_hash": config_hash,
        "seed": -1 if seed is None else int(seed),
        "backend": backend,
        "git_commit": git_commit(),
        "start_time": start_time or now_iso(),
        "end_time": end,
        "wall_time_s": float(wall_time) if wall_time is not None else float("nan"),
    }
    attrs.update(_versions())
    return attrs


def config_of(ds: xr.Dataset) -> dict[str, Any]:
    """The configuration a run was made with, decoded from its JSON attribute."""
    return json.loads(ds.attrs.get("config", "{}"))


def _clean_attrs(attrs: Mapping[str, Any], where: str) -> dict[str, Any]:
    """NetCDF attributes cannot hold None, dicts or bools: convert or refuse."""
    out = {}
    for key, value in attrs.items():
        if value is None:
            value = "none"
        elif isinstance(value, (bool, np.bool_)):
            value = int(value)
        elif isinstance(value, dict):
            value = json.dumps(value, sort_keys=True, default=str)
        elif hasattr(value, "dim") and hasattr(value, "dimensions"):  # brian2 Quantity
            raise ArchiveError(
                f"{where}: attribute {key!r} is a Brian2 quantity ({value!r}); store the number in a "
                "fixed unit with a 'units' attribute instead (e.g. t/ms with units='ms')"
            )
        out[key] = value
    return out


def _prepare(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.copy()
    ds.attrs = _clean_attrs(ds.attrs, "dataset")
    for name, var in list(ds.variables.items()):
        var.attrs = _clean_attrs(var.attrs, f"variable {name!r}")
        if var.dtype == bool:
            new = var.astype(np.int8)
            new.attrs = {**var.attrs, "dtype_bool": 1}
            if name in ds.coords:
                ds = ds.assign_coords({name: new})
            else:
                ds[name] = new
    return ds


def _restore(ds: xr.Dataset) -> xr.Dataset:
    for name in list(ds.variables):
        var = ds.variables[name]
        if var.attrs.get("dtype_bool") == 1:
            new = var.astype(bool)
            new.attrs = {k: v for k, v in var.attrs.items() if k != "dtype_bool"}
            if name in ds.coords:
                ds = ds.assign_coords({name: new})
            else:
                ds[name] = new
    return ds


def _format_for(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in ("netcdf", "zarr"):
            raise ArchiveError(f"{path}: unknown archive format {fmt!r}; use 'netcdf' or 'zarr'")
        return fmt
    return "zarr" if path.suffix == ".zarr" else "netcdf"


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (ignored where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _publish_mode(path, folder: bool = False) -> None:
    """Give a temporary file (0600) or folder (0700) the mode a plain ``open()`` would: 0666 (0777)
    less the umask, so archives are readable as the user's other files are."""
    base = 0o777 if folder else 0o666
    os.chmod(path, base & ~_umask())
    if folder:
        for root, dirs, files in os.walk(path):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o777 & ~_umask())
            for f in files:
                os.chmod(os.path.join(root, f), 0o666 & ~_umask())


def save(ds: xr.Dataset, path: str | os.PathLike, format: str | None = None) -> Path:
    """Write ``ds`` atomically to ``path`` (NetCDF by default, Zarr for ``*.zarr``).

    The dataset is first written to a temporary file in the target's folder and
    then renamed over the target, so an interrupted save never leaves a broken
    archive where a good one was.  NetCDF: one ``fsync`` of the written file
    before the rename, one of the folder after it.
    """
    path = Path(path)
    fmt = _format_for(path, format)
    if "workbench_archive" not in ds.attrs:
        raise ArchiveError(
            f"{path}: the dataset has no provenance; build its attrs with workbench.archive.provenance()"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    ds = _prepare(ds)
    if fmt == "netcdf":
        tmp = None
        try:  # mkstemp inside: an interrupt (Ctrl-C, SIGTERM) right after it must not leave the file
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.close(fd)
            ds.to_netcdf(tmp, engine="h5netcdf", invalid_netcdf=False)
            _publish_mode(tmp)
            # the data must be on disk before the name points to it: a crash after the rename
            # must never leave an empty archive that a resumed sweep would take as done
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            raise
        _fsync_dir(path.parent)  # and the rename itself is durable
    else:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
        try:
            ds.to_zarr(tmp, mode="w")
            _publish_mode(tmp, folder=True)
            old = None
            if path.exists():
                old = path.with_name(f".{path.name}.old.{os.getpid()}")
                os.replace(path, old)
            os.replace(tmp, path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return path


def open_archive(path: str | os.PathLike, *, lazy: bool = False) -> xr.Dataset:
    """Open a workbench archive (NetCDF or Zarr), loaded into memory unless ``lazy``.

    Raises
    ------
    ArchiveError
        If the file does not exist, cannot be read, or is not a workbench archive.
    """
    path = Path(path)
    if not path.exists():
        raise ArchiveError(f"{path}: no such archive")
    fmt = "zarr" if path.is_dir() or path.suffix == ".zarr" else "netcdf"
    try:
        if fmt == "zarr":
            ds = xr.open_zarr(path)
        else:
            ds = xr.open_dataset(path, engine="h5netcdf")
        if not lazy:
            ds = ds.load()
            ds.close()
    except Exception as exc:
        raise ArchiveError(f"{path}: cannot read it as a {fmt} archive ({type(exc).__name__}: {exc})") from None
    if ds.attrs.get("workbench_archive") != ARCHIVE_FORMAT:
        raise ArchiveError(
            f"{path}: not a workbench archive (no 'workbench_archive' = {ARCHIVE_FORMAT!r} attribute)"
        )
    return _restore(ds)
