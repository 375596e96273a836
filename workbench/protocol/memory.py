"""Peak-memory estimates of protocols, checked before a run starts.

A protocol may declare ``memory(params) -> MemoryEstimate``: its peak resident memory as a stated
function of its parameters (the formula is kept in the archive as ``memory_estimate``).  :func:`run`
refuses a run whose estimate exceeds the memory available now (``MemAvailable``; or
``$WORKBENCH_MEMORY_LIMIT``, e.g. ``2GiB``, to state a smaller budget) with an error naming the
parameter to change.
"""
from __future__ import annotations

import inspect
import os
import re
from dataclasses import dataclass

from ..params import ParameterError

__all__ = ["MemoryEstimate", "available_memory", "check_memory", "gib", "parse_bytes"]

#: resident memory of the interpreter with numpy, xarray, scipy and Brian2 imported (measured: ~190 MB)
BASE_BYTES = 250 * 2**20


@dataclass(frozen=True)
class MemoryEstimate:
    """Estimated peak resident memory (bytes), the formula it came from and the parameter that
    changes it most (named in the error when it does not fit)."""

    bytes: int
    formula: str
    parameter: str


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def parse_bytes(text: str) -> int:
    m = re.fullmatch(r"\s*([0-9.]+)\s*([kKmMgGtT]?)(i?[bB])?\s*", str(text))
    if not m:
        raise ParameterError(f"WORKBENCH_MEMORY_LIMIT={text!r}: expected bytes, e.g. 2GiB or 512MiB")
    scale = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def available_memory() -> int:
    """Bytes available to a new run: ``$WORKBENCH_MEMORY_LIMIT`` or the kernel's ``MemAvailable``."""
    env = os.environ.get("WORKBENCH_MEMORY_LIMIT")
    if env:
        return parse_bytes(env)
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 2**62  # unknown: do not refuse


def check_memory(protocol, params, backend: str | None = None, default=None) -> MemoryEstimate | None:
    """The protocol's estimate for ``params`` (its ``memory``, else ``default``: the runner passes
    :data:`workbench.protocol.estimates.ESTIMATES`'s; on ``backend`` where the function takes one, a
    standalone build adds the compiler; ``protocol`` itself where it takes one); :class:`ParameterError` if it
    exceeds the available memory."""
    fn = getattr(protocol, "memory", None) or default
    if fn is None:
        return None
    sig = inspect.signature(fn).parameters
    kw = {"backend": backend} if "backend" in sig and backend else {}
    if "protocol" in sig:  # estimates that read the protocol script's own tables (workbench.protocol.estimates)
        kw["protocol"] = protocol
    est = fn(params, **kw)
    avail = available_memory()
    if est.bytes > avail:
        raise ParameterError(
            f"protocol {protocol.name!r} would need about {gib(est.bytes)} of memory with these parameters "
            f"({est.formula}), but {gib(avail)} is available; lower {est.parameter} "
            f"(now {params[est.parameter] if est.parameter in params else '?'})")
    return est
