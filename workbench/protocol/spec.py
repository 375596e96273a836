"""Protocols: declared parameters and a run function; found by name in ``protocols/NAME.py``.

A protocol is a :class:`Protocol`: its parameters (:class:`workbench.params.Param`, each with its
default, unit and doc) and ``func(params, ctx) -> xarray.Dataset``.  The script
``protocols/NAME.py`` defines it as ``PROTOCOL``; :func:`load_protocol` finds it by name.
Figures are found the same way in ``figures/NAME.py`` (``make(ds) -> Figure``).
"""
from __future__ import annotations

import dataclasses
import importlib.util
import sys
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import xarray as xr

from ..params import Param, Params, resolve
from ..paths import project_root

__all__ = ["Protocol", "ProtocolError", "load_protocol", "list_protocols", "load_figure", "list_figures"]


class ProtocolError(LookupError):
    """Unknown protocol or figure, or a script that does not define what it must."""


@dataclass(frozen=True)
class Protocol:
    """A named protocol: its parameters (with units and docs) and its run function.

    ``func(params, ctx) -> xarray.Dataset``.
    """

    name: str
    params: Mapping[str, Param]
    func: Callable[[Params, Any], xr.Dataset]  # (params, RunContext) -> Dataset
    description: str = ""
    default_backend: str = "numpy"
    #: the run function continues from ``ctx.load_checkpoint(params)`` when ``--resume`` is given
    resumable: bool = False
    #: ``memory(params) -> workbench.protocol.memory.MemoryEstimate``: peak memory, checked before a run
    memory: Callable[[Params], Any] | None = None

    def with_defaults(self, **overrides) -> "Protocol":
        """A copy with other defaults (validated: unknown keys and wrong units raise)."""
        values = resolve(self.params, overrides)
        new = {k: dataclasses.replace(p, default=values[k]) for k, p in self.params.items()}
        return dataclasses.replace(self, params=new)

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> Params:
        return resolve(self.params, overrides)


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
