"""The GPU backends' software stacks: install checks, versions, and the fixes they need.

Brian2GeNN 1.7.0 pins brian2 2.5.4 and numpy<2, and GeNN itself is not on PyPI; brian2cuda pins its
own brian2.  Each lives in its own environment (``constraints/genn.txt``, ``constraints/cuda.txt``,
docs/GPU.md).  This module says what is missing and how to install it (:func:`check_gpu_stack`),
reports what is there (:func:`stack_report`), makes brian2cuda 1.0a7 build with CUDA 13
(:func:`cuda_compat`), applies Brian2GeNN's delay rule to the C++ device so that a network
Brian2GeNN cannot take is found where Brian2GeNN is not installed (:func:`genn_delay_rule`), and
makes a device generate code without compiling (:func:`codegen_only`).  Running protocols on these
backends is :mod:`workbench.protocol.gpu`'s job.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from brian2 import prefs
from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
from brian2.synapses.synapses import Synapses

from .errors import BackendError, BackendUnavailable

__all__ = ["GENN_HELP", "CUDA_HELP", "check_gpu_stack", "stack_report", "cuda_compat", "prepare_cuda_without_gpu",
           "CodegenDone", "codegen_only", "GeNNUnsupported", "GENN_DELAY_LIMIT", "genn_unsupported",
           "genn_error", "genn_delay_rule"]

GENN_HELP = """\
The 'genn' backend needs Brian2GeNN and GeNN itself, which is not on PyPI.
Brian2GeNN 1.7.0 pins brian2 2.5.4 and numpy<2, so it lives in its own environment:

    python -m venv ~/venvs/wb-genn && . ~/venvs/wb-genn/bin/activate
    pip install -c constraints/genn.txt brian2genn==1.7.0 brian2==2.5.4 'numpy<2' \\
        xarray h5netcdf h5py scipy matplotlib scikit-learn tqdm cython pooch filelock
    pip install --no-deps -e .
    git clone --branch 4.8.1 https://github.com/genn-team/genn.git ~/genn   # GeNN 4.x (5.x has no Brian2GeNN)
    export GENN_PATH=~/genn CUDA_PATH=/usr/local/cuda PATH=$PATH:~/genn/bin

See docs/GPU.md, then select it again with --backend genn.  Problem found: {problem}"""

CUDA_HELP = """\
The 'cuda' backend needs brian2cuda and the CUDA toolkit (nvcc, cuRAND).  brian2cuda 1.0a7 pins
brian2 2.8.0 (1.0b1 pins brian2 2.10.1, which needs Python >= 3.12), so it lives in its own environment:

    python -m venv ~/venvs/wb-cuda && . ~/venvs/wb-cuda/bin/activate
    pip install -c constraints/cuda.txt brian2cuda==1.0a7 brian2==2.8.0 'numpy<2.4' \\
        xarray h5netcdf h5py scipy matplotlib scikit-learn tqdm cython pooch filelock
    pip install --no-deps -e .
    export CUDA_PATH=/usr/local/cuda PATH=$PATH:/usr/local/cuda/bin

See docs/GPU.md, then select it again with --backend cuda.  Problem found: {problem}"""



def check_gpu_stack(name: str) -> None:
    """Raise :class:`BackendUnavailable` (with install instructions) if the GPU backend ``name``
    (``genn`` or ``cuda``) cannot run here."""
    if name == "genn":
        try:
            import brian2genn  # noqa: F401  (optional GPU stack, its own environment)
        except Exception as exc:  # ImportError, or the version clash with brian2
            raise BackendUnavailable(GENN_HELP.format(problem=f"'import brian2genn' failed: {exc}")) from None
        genn_path = os.environ.get("GENN_PATH") or (
            os.path.dirname(os.path.dirname(shutil.which("genn-buildmodel.sh") or "")) or None
        )
        if not genn_path:
            raise BackendUnavailable(GENN_HELP.format(problem="GENN_PATH is not set and genn-buildmodel.sh is not on PATH"))
    elif name == "cuda":
        try:
            import brian2cuda  # noqa: F401  (optional GPU stack, its own environment)
        except Exception as exc:
            raise BackendUnavailable(CUDA_HELP.format(problem=f"'import brian2cuda' failed: {exc}")) from None
        if not shutil.which("nvcc") and not os.environ.get("CUDA_PATH"):
            raise BackendUnavailable(CUDA_HELP.format(problem="nvcc is not on PATH and CUDA_PATH is not set"))


def _version(module: str) -> str | None:
    try:
        mod = __import__(module)  # optional GPU stacks: their version if they import, else why not
    except Exception as exc:  # ImportError or a version clash
        return f"not importable: {type(exc).__name__}: {exc}"
    return getattr(mod, "__version__", "unknown")


def _run(cmd) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout or out.stderr).strip() if out.returncode == 0 else None


def stack_report() -> dict[str, Any]:
    """What of the GPU stacks is installed here (versions, nvcc, GPU, GeNN)."""
    nvcc = shutil.which("nvcc") or (os.path.join(os.environ["CUDA_PATH"], "bin", "nvcc")
                                    if os.environ.get("CUDA_PATH") else None)
    nvcc_version = _run([nvcc, "--version"]) if nvcc and os.path.exists(nvcc) else None
    gpu = _run(["nvidia-smi", "--query-gpu=name,compute_cap,driver_version,memory.total",
                "--format=csv,noheader"])
    return {
        "python": sys.version.split()[0],
        "brian2": _version("brian2"),
        "numpy": _version("numpy"),
        "brian2cuda": _version("brian2cuda"),
        "brian2genn": _version("brian2genn"),
        "nvcc": nvcc,
        "cuda_release": nvcc_version.splitlines()[-2] if nvcc_version else None,
        "gpu": gpu,
        "GENN_PATH": os.environ.get("GENN_PATH"),
        "genn_buildmodel": shutil.which("genn-buildmodel.sh"),
    }


def cuda_compat(std: str = "c++17") -> list[str]:
    """Make brian2cuda 1.0a7 build with CUDA 13 (and keep working with CUDA 11/12).

    CUDA 13's Thrust/CUB/libcu++ (CCCL 3) refuse to compile below C++17, but
    brian2cuda 1.0a7's makefile template passes ``-std=c++11`` to nvcc and
    Brian2's default host flags (``codegen.cpp.extra_compile_args_gcc``) pass
    ``-std=c++11`` to g++.  This replaces both with ``std`` (C++17 works with
    nvcc >= 11).  Returns what it changed; calling it twice changes nothing more.
    """
    changed = []
    flags = list(prefs.codegen.cpp.extra_compile_args_gcc)
    new = [f"-std={std}" if f.startswith("-std=") else f for f in flags]
    if new != flags:
        prefs.codegen.cpp.extra_compile_args_gcc = new
        changed.append("prefs.codegen.cpp.extra_compile_args_gcc")
    from brian2cuda.device import CUDAStandaloneDevice  # optional GPU stack, its own environment

    if not getattr(CUDAStandaloneDevice.generate_makefile, "_workbench_std", None):
        original = CUDAStandaloneDevice.generate_makefile

        def generate_makefile(self, writer, *args, **kwargs):
            # fix the text before Brian2's writer compares it with the file on disk (no needless rebuilds)
            def write(filename, contents, _write=writer.write):
                if filename == "makefile":
                    contents = contents.replace("-std=c++11", f"-std={std}")
                return _write(filename, contents)

            writer.write = write
            try:
                original(self, writer, *args, **kwargs)
            finally:
                del writer.write

        generate_makefile._workbench_std = std
        CUDAStandaloneDevice.generate_makefile = generate_makefile
        changed.append("brian2cuda makefile -std")
    return changed


def prepare_cuda_without_gpu(compute_capability: float, cuda_version: float) -> None:
    """Tell brian2cuda the GPU and CUDA version instead of detecting them (code generation only)."""
    cb = prefs.devices.cuda_standalone.cuda_backend
    cb.detect_gpus = False
    cb.gpu_id = 0
    cb.compute_capability = float(compute_capability)
    cb.detect_cuda = False
    cb.cuda_runtime_version = float(cuda_version)
    if not shutil.which("nvcc") and not os.environ.get("CUDA_PATH"):
        cb.cuda_path = tempfile.mkdtemp(prefix="no-cuda-")


class CodegenDone(Exception):
    """Raised (and caught) to stop a protocol right after its network's code was generated."""

    def __init__(self, directory):
        super().__init__(str(directory))
        self.directory = Path(directory)


@contextlib.contextmanager
def codegen_only(backend: str):
    """Make the backend's ``device.build`` generate the code only, then stop the protocol.

    Whether a protocol builds through :class:`workbench.backends.Simulation` or
    calls ``device.build`` itself, the build writes the project with
    ``compile=False, run=False`` and raises :class:`CodegenDone`.
    """
    if backend == "cuda":
        from brian2cuda.device import CUDAStandaloneDevice as cls  # optional GPU stack, its own environment
    elif backend == "genn":
        from brian2genn.device import GeNNDevice as cls  # optional GPU stack, its own environment
    else:
        cls = CPPStandaloneDevice
    original = cls.build

    def build(self, directory=None, *args, **kwargs):
        directory = directory or kwargs.pop("directory", None) or self.project_dir
        kwargs.update(compile=False, run=False)
        kwargs.pop("run_args", None)
        if hasattr(self, "run_statement_used"):
            # Brian2GeNN expects the build inside run() (build_on_run=True), before it marks the run
            # statement as used; a manual build afterwards rejects every initialisation code object
            self.run_statement_used = False
        original(self, directory, *args, **kwargs)
        raise CodegenDone(directory)

    cls.build = build
    try:
        yield
    finally:
        cls.build = original


class GeNNUnsupported(BackendError):
    """A network uses a feature Brian2GeNN cannot run; the message names the feature, the
    ``Synapses`` and the backends to use instead."""


#: Brian2GeNN 1.7's rule (brian2genn/device.py, ``fill_with_array`` and the ``variableview_set_*``
#: overrides): a Synapses' ``delay`` may only be assigned when it is a scalar, i.e. declared by
#: ``Synapses(..., delay=<one value>)``; any assignment to a per-synapse delay raises.
GENN_DELAY_LIMIT = ("Brian2GeNN 1.7 does not support heterogeneous synaptic delays: GeNN takes one delay "
                    "per Synapses object, given to its initializer (Synapses(..., delay=<value>))")


def genn_unsupported(exc: BaseException, protocol: str | None = None):
    """Brian2GeNN's ``NotImplementedError`` for a network feature as a :class:`GeNNUnsupported`
    naming the limitation, the ``Synapses`` and the alternatives; ``None`` for other errors."""
    text = str(exc)
    if not isinstance(exc, NotImplementedError) or "delay" not in text or "heterogeneous" not in text:
        return None
    owner = None
    tb = exc.__traceback__
    while tb is not None:  # the Synapses whose delay was assigned
        candidate = tb.tb_frame.f_locals.get("self")
        if type(candidate).__name__ == "Synapses" or (
                hasattr(candidate, "owner") and type(getattr(candidate, "owner", None)).__name__ == "Synapses"):
            owner = candidate if type(candidate).__name__ == "Synapses" else candidate.owner
        var = tb.tb_frame.f_locals.get("var") or getattr(tb.tb_frame.f_locals.get("variableview"), "variable", None)
        if owner is None and type(getattr(var, "owner", None)).__name__ == "Synapses":
            owner = var.owner
        tb = tb.tb_next
    return genn_error(getattr(owner, "name", None), protocol, detail=text)


def genn_error(synapses: str | None, protocol: str | None, detail: str = ""):
    what = f"protocol {protocol!r}" if protocol else "this network"
    where = f" (Synapses {synapses!r} sets a delay per synapse)" if synapses else ""
    msg = (f"the genn backend cannot run {what}{where}: {GENN_DELAY_LIMIT}. Run it with --backend cpp_standalone "
           "or --backend cuda (brian2cuda supports heterogeneous delays).")
    if detail:
        msg += f" [Brian2GeNN: {detail}]"
    return GeNNUnsupported(msg)


@contextlib.contextmanager
def genn_delay_rule(protocol: str | None):
    """Apply Brian2GeNN's delay rule to the cpp_standalone device (raise on any assignment to a
    per-synapse ``delay``), so the check runs where Brian2GeNN is not installed."""
    cls = CPPStandaloneDevice

    def _check(var):
        if isinstance(var.owner, Synapses) and var.name == "delay" and not var.scalar:
            raise genn_error(var.owner.name, protocol)

    originals = {name: cls.__dict__.get(name) for name in (
        "fill_with_array", "variableview_set_with_index_array", "variableview_set_with_expression",
        "variableview_set_with_expression_conditional")}

    def fill_with_array(self, var, arr):
        _check(var)
        return originals["fill_with_array"](self, var, arr)

    def variableview_set_with_index_array(self, variableview, item, value, check_units):
        _check(variableview.variable)
        return originals["variableview_set_with_index_array"](self, variableview, item, value, check_units)

    def variableview_set_with_expression(self, variableview, item, code, run_namespace, check_units=True):
        _check(variableview.variable)
        return variableview.set_with_expression.original_function(variableview, item, code, run_namespace,
                                                                   check_units)

    def variableview_set_with_expression_conditional(self, variableview, cond, code, run_namespace,
                                                     check_units=True):
        _check(variableview.variable)
        return variableview.set_with_expression_conditional.original_function(variableview, cond, code,
                                                                               run_namespace, check_units)

    patch = {"fill_with_array": fill_with_array,
             "variableview_set_with_index_array": variableview_set_with_index_array,
             "variableview_set_with_expression": variableview_set_with_expression,
             "variableview_set_with_expression_conditional": variableview_set_with_expression_conditional}
    for name, func in patch.items():
        setattr(cls, name, func)
    try:
        yield
    finally:
        for name, func in originals.items():
            if func is None:
                delattr(cls, name)
            else:
                setattr(cls, name, func)
