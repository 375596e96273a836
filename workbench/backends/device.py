"""Selecting the Brian2 device for a block of code, and the standalone build cache (see the package docs)."""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brian2
import numpy as np
from brian2 import prefs, set_device
from brian2.devices.device import get_device
from filelock import FileLock

from .errors import BackendError, BackendUnavailable
from .gpu import check_gpu_stack, cuda_compat

__all__ = ["BACKENDS", "ActiveBackend", "use_backend", "canonical", "is_standalone", "check_available",
           "build_cache_root", "make_jobs", "model_key", "canonical_clock_resets"]

logger = logging.getLogger(__name__)

#: use_backend holds an exclusive lock on a cached build directory for the whole block (code
#: generation, compile, runs, reading results), so concurrent processes never share one unsafely.
BUILD_LOCKING = True

#: Backend name -> (Brian2 device name, description)
BACKENDS: dict[str, tuple[str, str]] = {
    "numpy": ("runtime", "runtime, numpy code generation"),
    "cython": ("runtime", "runtime, Cython code generation"),
    "cpp_standalone": ("cpp_standalone", "C++ standalone program, built once, re-run with run_args"),
    "genn": ("genn", "GPU via Brian2GeNN (needs GeNN 4.x and the 'genn' profile)"),
    "cuda": ("cuda_standalone", "GPU via brian2cuda (needs CUDA and the 'cuda' profile)"),
}

_ALIASES = {"cpp": "cpp_standalone", "standalone": "cpp_standalone", "runtime": "numpy",
            "brian2genn": "genn", "brian2cuda": "cuda", "cuda_standalone": "cuda"}

def canonical(name: str) -> str:
    key = name.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in BACKENDS:
        raise BackendError(f"unknown backend {name!r}; valid backends: {', '.join(BACKENDS)}")
    return key


def is_standalone(name: str) -> bool:
    return BACKENDS[canonical(name)][0] != "runtime"


def check_available(name: str) -> None:
    """Raise :class:`BackendUnavailable` (with install instructions) if ``name`` cannot run here."""
    name = canonical(name)
    if name in ("genn", "cuda"):
        check_gpu_stack(name)
    elif name == "cython":
        try:
            import Cython  # noqa: F401  (an availability check: the 'cython' backend needs it)
        except ImportError:
            raise BackendUnavailable("The 'cython' backend needs Cython: pip install cython") from None


def build_cache_root() -> Path:
    """Where standalone builds are cached: ``$WORKBENCH_BUILD_DIR`` or ``~/.cache/workbench/builds``."""
    root = os.environ.get("WORKBENCH_BUILD_DIR")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "workbench" / "builds"


def _prefs_snapshot(keys):
    return {k: prefs[k] for k in keys}


_PREF_KEYS = (
    "codegen.target",
    "codegen.cpp.extra_link_args",
    "devices.cpp_standalone.openmp_threads",
    "devices.cpp_standalone.extra_make_args_unix",
    "devices.cpp_standalone.run_cmd_unix",
    "core.stop_on_keyboard_interrupt",
)

#: ``setpriv --pdeathsig KILL ./main``: the standalone program dies with the Python process, even when
#: that is killed with SIGKILL (it would otherwise keep running in the shared build folder).
PDEATHSIG = shutil.which("setpriv")


def make_jobs() -> int:
    """Parallel compile jobs for standalone builds: ``$WORKBENCH_MAKE_JOBS`` or the CPU count.

    Brian2's default is an unbounded ``make -j``: a network with a few hundred code
    objects then starts a few hundred compilers at once (measured here: load
    average 300 and swapping on a 2-core, 24 GiB machine).
    """
    env = os.environ.get("WORKBENCH_MAKE_JOBS")
    if env:
        try:
            n = int(env)
        except ValueError:
            raise BackendError(f"WORKBENCH_MAKE_JOBS={env!r}: expected a positive integer") from None
        if n < 1:
            raise BackendError(f"WORKBENCH_MAKE_JOBS={env!r}: expected a positive integer")
        return n
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class ActiveBackend:
    """What :func:`use_backend` yields: the name and, for standalone, the build directory."""

    name: str
    build_dir: Path | None = None
    threads: int = 1
    timers: dict = field(default_factory=dict)

    @property
    def standalone(self) -> bool:
        return is_standalone(self.name)


@contextlib.contextmanager
def use_backend(
    name: str = "numpy",
    *,
    key: str | None = None,
    build_dir: str | os.PathLike | None = None,
    threads: int = 1,
    seed: int | None = None,
):
    """Select the Brian2 device for the enclosed block, and reset it afterwards.

    Parameters
    ----------
    name : str
        One of :data:`BACKENDS`.
    key : str, optional
        A hash of the model's structure.  Standalone builds go to
        ``build_cache_root()/<name>-<key>``, so a later run of the same model
        (in any process) reuses the compiled objects.  Without a key a fresh
        temporary directory is used.
    build_dir : path, optional
        An explicit build directory (overrides ``key``).
    threads : int
        OpenMP threads for ``cpp_standalone`` (default 1; see module docs).
    seed : int, optional
        Passed to :func:`brian2.seed` after the device is selected (so that
        it also seeds the generated code).

    Read monitors and variables inside the block: on leaving it, the
    standalone device is reset and its results can no longer be read.
    """
    name = canonical(name)
    check_available(name)
    saved = _prefs_snapshot(_PREF_KEYS)
    brian_device = BACKENDS[name][0]
    tmp = None
    lock = None
    active = ActiveBackend(name=name, threads=threads)
    try:
        # Ctrl-C raises KeyboardInterrupt at once, in Python and in the standalone program: Brian2's
        # default stops the network at the end of the time step and returns normally, so a cut batch
        # looked complete (issue 16).  The generated main() then installs no SIGINT handler either.
        prefs.core.stop_on_keyboard_interrupt = False
        if brian_device == "runtime":
            set_device("runtime")
            prefs.codegen.target = name
        else:
            if name == "genn":
                import brian2genn  # noqa: F401  (optional GPU stack, its own environment: registers the device)
            elif name == "cuda":
                import brian2cuda  # noqa: F401  (optional GPU stack, its own environment: registers the device)
            if build_dir is None:
                if key is None:
                    tmp = tempfile.mkdtemp(prefix=f"workbench-{name}-")
                    build_dir = tmp
                else:
                    build_dir = build_cache_root() / f"{name}-{key}"
            active.build_dir = Path(build_dir)
            active.build_dir.mkdir(parents=True, exist_ok=True)
            if tmp is None:  # a shared (cached or explicit) directory: one process at a time
                lock = FileLock(str(active.build_dir.with_name(active.build_dir.name + ".lock")))
                lock.acquire()
            if name == "cuda":
                cuda_compat()  # brian2cuda 1.0a7 + CUDA 13: C++17
            if name == "cpp_standalone":
                if threads > 1:
                    warnings.warn(
                        f"cpp_standalone with {threads} OpenMP threads: on 2-core machines this was "
                        "2-3x slower than one thread, and run_regularly summations raced under OpenMP "
                        "(wrong results). Check reductions before trusting the numbers.",
                        stacklevel=3,
                    )
                prefs.devices.cpp_standalone.openmp_threads = threads if threads > 1 else 0
                # Linking with -ffast-math pulls in crtfastmath.o: flush denormals to zero.
                prefs.codegen.cpp.extra_link_args = list(prefs.codegen.cpp.extra_link_args) + ["-ffast-math"]
                prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{make_jobs()}"]
                if PDEATHSIG and sys.platform.startswith("linux"):
                    prefs.devices.cpp_standalone.run_cmd_unix = [PDEATHSIG, "--pdeathsig", "KILL", "./main"]
            set_device(brian_device, directory=str(active.build_dir), build_on_run=False)
        if seed is not None and name == "genn":
            # Brian2GeNN 1.7 raises NotImplementedError on brian2.seed(): seed numpy only
            np.random.seed(int(seed) % 2**32)
        elif seed is not None:
            brian2.seed(int(seed))
        yield active
    finally:
        dev = get_device()
        try:
            if brian_device != "runtime":
                dev.reinit()
                dev.activate()
        finally:
            set_device("runtime")
            for k, v in saved.items():
                prefs[k] = v
            brian2.defaultclock.dt = 0.1 * brian2.ms
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            if lock is not None:
                lock.release()


def canonical_clock_resets(device) -> None:
    """Sort each run of clock t/timestep resets in a standalone device's main queue by array name.

    Brian2 2.9 queues them in the iteration order of a set of clocks, which differs
    between two constructions of the same model, so ``main.cpp`` changed (and was
    recompiled and relinked, 3-10 s) on re-runs of an unchanged model.
    """
    if not hasattr(device, "main_queue") or not hasattr(device, "clocks"):
        return
    names = {device.get_array_name(c.variables[v]) for c in device.clocks for v in ("t", "timestep")}
    queue, i = device.main_queue, 0
    while i < len(queue):
        j = i
        while j < len(queue) and queue[j][0] == "set_by_single_value" and queue[j][1][0] in names:
            j += 1
        if j - i > 1 and len({entry[1][0] for entry in queue[i:j]}) == j - i:
            queue[i:j] = sorted(queue[i:j], key=lambda entry: entry[1][0])
        i = max(j, i + 1)


def model_key(*parts: Any) -> str:
    """A short hash of the things that define a model's structure (for build caching)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]
