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
from .device import (BACKENDS, BUILD_LOCKING, ActiveBackend, build_cache_root, canonical, canonical_clock_resets,
                     check_available, is_standalone, make_jobs, model_key, use_backend)
from .errors import BackendError, BackendUnavailable
from .simulation import Simulation

__all__ = ["BACKENDS", "BUILD_LOCKING", "ActiveBackend", "BackendError", "BackendUnavailable", "Simulation", "use_backend",
           "canonical", "is_standalone", "check_available", "build_cache_root", "make_jobs", "model_key",
           "canonical_clock_resets"]
