"""Protocols: declared parameters + a run function that returns an archive Dataset.

A protocol lives in the library (``workbench/experiments/*.py``) as a
:class:`Protocol`; a script in ``protocols/NAME.py`` exposes it, usually with
a few overridden defaults, as ``PROTOCOL``.  :func:`run` validates the
configuration (nothing is simulated or written if a key or value is wrong),
selects the backend, seeds every generator, times the run, attaches the
provenance and writes the archive atomically.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import xarray as xr

from . import archive as _archive
from .params import Param, ParameterError, Params, resolve

__all__ = [
    "Protocol",
    "RunContext",
    "run",
    "load_protocol",
    "list_protocols",
    "load_figure",
    "list_figures",
    "project_root",
    "ProtocolError",
]


class ProtocolError(LookupError):
    """Unknown protocol or figure, or a script that does not define what it must."""


@dataclass
class RunContext:
    """What a protocol's run function gets besides its parameters."""

    protocol: str
    backend: str
    seed: int
    out: Path | None = None
    resume: Path | None = None
    progress: bool = True
    threads: int = 1
    checkpoint_attrs: dict = field(default_factory=dict)

    @property
    def rng(self) -> np.random.Generator:
        """A fresh generator seeded with the run's seed (same seed, same numbers)."""
        return np.random.default_rng(self.seed)

    def progress_bar(self, total=None, desc: str = "", unit: str = "it"):
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=desc, unit=unit, disable=not self.progress, file=sys.stderr,
                    dynamic_ncols=True, leave=False)

    def checkpoint(self, ds: xr.Dataset, params: Params, **state_attrs) -> Path | None:
        """Save a partial result to the output archive (atomically) so ``--resume`` can continue."""
        if self.out is None:
            return None
        ds = ds.copy()
        ds.attrs.update(
            _archive.provenance(protocol=self.protocol, config=params.to_dict(), config_hash=params.hash(),
                                seed=self.seed, backend=self.backend)
        )
        ds.attrs["status"] = "checkpoint"
        ds.attrs.update(state_attrs)
        return _archive.save(ds, self.out)


@dataclass(frozen=True)
class Protocol:
    """A named protocol: its parameters (with units and docs) and its run function.

    ``func(params, ctx) -> xarray.Dataset``.
    """

    name: str
    params: Mapping[str, Param]
    func: Callable[[Params, RunContext], xr.Dataset]
    description: str = ""
    default_backend: str = "numpy"

    def with_defaults(self, **overrides) -> "Protocol":
        """A copy with other defaults (validated: unknown keys and wrong units raise)."""
        values = resolve(self.params, overrides)
        new = {k: dataclasses.replace(p, default=values[k]) for k, p in self.params.items()}
        return dataclasses.replace(self, params=new)

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> Params:
        return resolve(self.params, overrides)


def project_root() -> Path:
    """The folder holding ``protocols/`` and ``figures/``: ``$WORKBENCH_ROOT``, the source
    checkout the package was installed from (editable install), or the working directory."""
    env = os.environ.get("WORKBENCH_ROOT")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    if (here / "protocols").is_dir():
        return here
    return Path.cwd()


def _load_script(folder: str, name: str, attr: str, kind: str):
    root = project_root() / folder
    stem = name.replace("-", "_")
    path = root / f"{stem}.py"
    if not path.is_file():
        known = ", ".join(_script_names(folder)) or "(none found)"
        raise ProtocolError(f"unknown {kind} {name!r} (no {path}); known {kind}s: {known}")
    mod_name = f"workbench_{folder}_{stem}"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)
    if not hasattr(module, attr):
        raise ProtocolError(f"{path} does not define {attr}")
    return getattr(module, attr)


def _script_names(folder: str) -> list[str]:
    root = project_root() / folder
    if not root.is_dir():
        return []
    return sorted(p.stem.replace("_", "-") for p in root.glob("*.py") if not p.stem.startswith("_"))


def load_protocol(name: str) -> Protocol:
    """The ``PROTOCOL`` defined by ``protocols/NAME.py`` (dashes and underscores both accepted)."""
    proto = _load_script("protocols", name, "PROTOCOL", "protocol")
    if not isinstance(proto, Protocol):
        raise ProtocolError(f"protocols/{name}.py: PROTOCOL is not a workbench Protocol")
    return proto


def list_protocols() -> list[str]:
    return _script_names("protocols")


def load_figure(name: str) -> Callable:
    """The ``make(ds, **kw) -> matplotlib Figure`` function of ``figures/NAME.py``."""
    return _load_script("figures", name, "make", "figure")


def list_figures() -> list[str]:
    return _script_names("figures")


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
    from . import backends

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
    if backend == "genn":  # Brian2GeNN's limits (heterogeneous delays), found before GeNN is needed
        from .gpu import genn_check

        genn_check(protocol, overrides)
    backends.check_available(backend)
    ctx = RunContext(protocol=protocol.name, backend=backend, seed=int(seed), out=out_path,
                     resume=resume_path, progress=progress, threads=threads)
    np.random.seed(int(seed) % 2**32)
    with _archive.Timer() as timer:
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
