"""One call selects the Brian2 code-generation target for a run.

Backends
--------
``numpy``           runtime, numpy code generation (no compiler needed)
``cython``          runtime, Cython code generation (compiled and cached per model)
``cpp_standalone``  the whole simulation as one C++ program, built once into a
                    build directory cached by a hash of the model and re-run with
                    new inputs or parameters through ``run_args``
``genn``            Brian2GeNN (NVIDIA GPU; needs GeNN, which is not on PyPI)
``cuda``            brian2cuda (NVIDIA GPU)

Use :class:`Simulation` to run a network once or many times with different
values: on the runtime targets it restores the stored initial state and sets
the values; on the standalone targets it re-runs the compiled binary with
``run_args`` (no rebuild).

Measured on 2-core machines: OpenMP with 2 threads was 2-3x slower than one
thread and raced on ``run_regularly`` summations, so standalone runs are
single-threaded unless asked otherwise.  Standalone builds link with
``-ffast-math``, which sets flush-to-zero/denormals-are-zero: decaying
conductances otherwise reach denormal floats and slowed a build ~3x.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

__all__ = [
    "BACKENDS",
    "BackendError",
    "BackendUnavailable",
    "Simulation",
    "use_backend",
    "is_standalone",
    "check_available",
    "build_cache_root",
]

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

GENN_HELP = """\
The 'genn' backend needs Brian2GeNN and GeNN itself, which is not on PyPI.
Brian2GeNN 1.7.0 pins brian2 2.5.4 and numpy<2, so it lives in its own environment:

    python -m venv ~/venvs/wb-genn && . ~/venvs/wb-genn/bin/activate
    pip install -c constraints/genn.txt brian2genn==1.7.0 brian2==2.5.4 'numpy<2' \\
        xarray h5netcdf h5py scipy matplotlib scikit-learn tqdm cython
    pip install --no-deps -e .
    git clone --branch 4.8.1 https://github.com/genn-team/genn.git ~/genn   # GeNN 4.x (5.x has no Brian2GeNN)
    export GENN_PATH=~/genn CUDA_PATH=/usr/local/cuda PATH=$PATH:~/genn/bin

See docs/GPU.md, then select it again with --backend genn.  Problem found: {problem}"""

CUDA_HELP = """\
The 'cuda' backend needs brian2cuda and the CUDA toolkit (nvcc, cuRAND).  brian2cuda 1.0a7 pins
brian2 2.8.0 (1.0b1 pins brian2 2.10.1, which is not on PyPI), so it lives in its own environment:

    python -m venv ~/venvs/wb-cuda && . ~/venvs/wb-cuda/bin/activate
    pip install -c constraints/cuda.txt brian2cuda==1.0a7 brian2==2.8.0 'numpy<2.4' \\
        xarray h5netcdf h5py scipy matplotlib scikit-learn tqdm cython
    pip install --no-deps -e .
    export CUDA_PATH=/usr/local/cuda PATH=$PATH:/usr/local/cuda/bin

See docs/GPU.md, then select it again with --backend cuda.  Problem found: {problem}"""


class BackendError(RuntimeError):
    """A backend was misused or failed."""


class BackendUnavailable(BackendError):
    """The selected backend's software stack is not installed; the message says how to install it."""


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
    if name == "genn":
        try:
            import brian2genn  # noqa: F401
        except Exception as exc:  # ImportError, or the version clash with brian2
            raise BackendUnavailable(GENN_HELP.format(problem=f"'import brian2genn' failed: {exc}")) from None
        genn_path = os.environ.get("GENN_PATH") or (
            os.path.dirname(os.path.dirname(shutil.which("genn-buildmodel.sh") or "")) or None
        )
        if not genn_path:
            raise BackendUnavailable(GENN_HELP.format(problem="GENN_PATH is not set and genn-buildmodel.sh is not on PATH"))
    elif name == "cuda":
        try:
            import brian2cuda  # noqa: F401
        except Exception as exc:
            raise BackendUnavailable(CUDA_HELP.format(problem=f"'import brian2cuda' failed: {exc}")) from None
        if not shutil.which("nvcc") and not os.environ.get("CUDA_PATH"):
            raise BackendUnavailable(CUDA_HELP.format(problem="nvcc is not on PATH and CUDA_PATH is not set"))
    elif name == "cython":
        try:
            import Cython  # noqa: F401
        except ImportError:
            raise BackendUnavailable("The 'cython' backend needs Cython: pip install cython") from None


def build_cache_root() -> Path:
    """Where standalone builds are cached: ``$WORKBENCH_BUILD_DIR`` or ``~/.cache/workbench/builds``."""
    root = os.environ.get("WORKBENCH_BUILD_DIR")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "workbench" / "builds"


def _prefs_snapshot(keys):
    from brian2 import prefs

    return {k: prefs[k] for k in keys}


_PREF_KEYS = (
    "codegen.target",
    "codegen.cpp.extra_link_args",
    "devices.cpp_standalone.openmp_threads",
    "devices.cpp_standalone.extra_make_args_unix",
)


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
    import brian2
    from brian2 import prefs, set_device
    from brian2.devices.device import get_device, reinit_devices

    name = canonical(name)
    check_available(name)
    saved = _prefs_snapshot(_PREF_KEYS)
    brian_device = BACKENDS[name][0]
    tmp = None
    lock_file = None
    active = ActiveBackend(name=name, threads=threads)
    try:
        if brian_device == "runtime":
            set_device("runtime")
            prefs.codegen.target = name
        else:
            if name == "genn":
                import brian2genn  # noqa: F401
            elif name == "cuda":
                import brian2cuda  # noqa: F401
            if build_dir is None:
                if key is None:
                    import tempfile

                    tmp = tempfile.mkdtemp(prefix=f"workbench-{name}-")
                    build_dir = tmp
                else:
                    build_dir = build_cache_root() / f"{name}-{key}"
            active.build_dir = Path(build_dir)
            active.build_dir.mkdir(parents=True, exist_ok=True)
            if tmp is None:  # a shared (cached or explicit) directory: one process at a time
                lock_file = open(active.build_dir.with_name(active.build_dir.name + ".lock"), "a")
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            if name == "cuda":
                from .gpu import cuda_compat

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
            set_device(brian_device, directory=str(active.build_dir), build_on_run=False)
        if seed is not None and name == "genn":
            # Brian2GeNN 1.7 raises NotImplementedError on brian2.seed(): seed numpy only
            import numpy as np

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
            if lock_file is not None:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
                lock_file.close()


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


class Simulation:
    """Run one network once or many times with new values, on any backend.

    Usage (inside :func:`use_backend`)::

        net = Network(...)
        sim = Simulation(net, duration, active_backend)
        sim.run()                                   # first run (builds on standalone)
        sim.run({group.I: new_currents})            # re-run: no rebuild on standalone

    On runtime backends the network's initial state is stored before the first
    run and restored before each later one; values are then assigned.  On
    standalone backends the values go through ``run_args``, which needs
    Brian2 >= 2.6.  Each ``run`` returns the wall time of the simulation.
    """

    def __init__(self, net, duration, backend: ActiveBackend, *, report=None, report_period=None):
        from brian2 import second

        self.net = net
        self.duration = duration
        self.backend = backend
        self.report = report
        self.report_period = report_period if report_period is not None else 10 * second
        self.n_runs = 0
        self.build_time = 0.0

    def run(self, values: Mapping[Any, Any] | None = None, *, results_directory: str | None = None) -> float:
        from brian2 import device

        values = dict(values or {})
        t0 = time.perf_counter()
        if not self.backend.standalone:
            if self.n_runs == 0:
                self.net.store("workbench_initial")
            else:
                self.net.restore("workbench_initial")
            for view, value in values.items():
                view[:] = value
            self.net.run(self.duration, report=self.report, report_period=self.report_period)
        else:
            if self.n_runs == 0:
                self.net.run(self.duration, report=self.report, report_period=self.report_period)
                tb = time.perf_counter()
                from brian2.devices.device import get_device

                if self.backend.name == "genn":
                    # Brian2GeNN builds inside run() before marking the run statement used; a manual
                    # build afterwards rejects every initialisation code object unless reset
                    get_device().run_statement_used = False
                else:
                    canonical_clock_resets(get_device())
                device.build(directory=str(self.backend.build_dir), compile=True, run=False,
                             with_output=False)
                self.build_time = time.perf_counter() - tb
            kwargs = {"run_args": values}
            if results_directory is not None:
                kwargs["results_directory"] = results_directory
            tr = time.perf_counter()
            device.run(with_output=False, **kwargs)
            self.backend.timers.setdefault("run", []).append(time.perf_counter() - tr)
        self.n_runs += 1
        return time.perf_counter() - t0
