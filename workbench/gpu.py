"""Checks for the GPU backends (Brian2GeNN and brian2cuda) in their own installation profiles.

The GPU stacks pin their own Brian2 (Brian2GeNN 1.7.0: brian2 2.5.4 and
numpy<2; brian2cuda 1.0a7: brian2 2.8.0), so they live in separate virtual
environments (``constraints/genn.txt``, ``constraints/cuda.txt``, docs/GPU.md).
This module runs *inside* such an environment:

    python -m workbench.gpu report
        versions of the stack, nvcc / GPU / GeNN found or not (JSON)
    python -m workbench.gpu codegen fi-curve --backend cuda --set models=lif --set n_currents=5
        generates the protocol's network for the backend WITHOUT compiling or running it
        (``device.build(compile=False, run=False)``), so unsupported features are caught
        on machines without a GPU or a CUDA toolkit; prints the generated files (JSON)
    python -m workbench.gpu genn-check lsm --set n_pairs=2
        whether Brian2GeNN can take the protocol's network at all (no Brian2GeNN, GeNN or
        GPU needed: any environment); exit status 2 and the limitation if not

Brian2GeNN 1.7 cannot run networks with heterogeneous synaptic delays (a delay
per synapse: the Diehl & Cook network, the LSM liquid): it accepts one delay
per ``Synapses``, given to its initializer.  :func:`genn_check` finds this
before any GPU software is needed, and ``python -m workbench.gpu run --backend
genn`` runs it first.

Code generation without a GPU: brian2cuda is told the GPU (id 0, compute
capability ``--compute-capability``, default 9.0 = H100) and the CUDA version
instead of detecting them; Brian2GeNN needs no GeNN to generate its model code.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Mapping

from .backends import BackendError

__all__ = ["stack_report", "codegen_check", "cuda_compat", "CodegenDone", "GeNNUnsupported", "genn_check",
           "genn_unsupported", "main"]


class CodegenDone(Exception):
    """Raised (and caught) to stop a protocol right after its network's code was generated."""

    def __init__(self, directory):
        super().__init__(str(directory))
        self.directory = Path(directory)


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
    return _genn_error(getattr(owner, "name", None), protocol, detail=text)


def _genn_error(synapses: str | None, protocol: str | None, detail: str = ""):
    what = f"protocol {protocol!r}" if protocol else "this network"
    where = f" (Synapses {synapses!r} sets a delay per synapse)" if synapses else ""
    msg = (f"the genn backend cannot run {what}{where}: {GENN_DELAY_LIMIT}. Run it with --backend cpp_standalone "
           "or --backend cuda (brian2cuda supports heterogeneous delays).")
    if detail:
        msg += f" [Brian2GeNN: {detail}]"
    return GeNNUnsupported(msg)


@contextlib.contextmanager
def _genn_delay_rule(protocol: str | None):
    """Apply Brian2GeNN's delay rule to the cpp_standalone device (raise on any assignment to a
    per-synapse ``delay``), so the check runs where Brian2GeNN is not installed."""
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice as cls
    from brian2.synapses.synapses import Synapses

    def _check(var):
        if isinstance(var.owner, Synapses) and var.name == "delay" and not var.scalar:
            raise _genn_error(var.owner.name, protocol)

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


def genn_check(protocol, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check that Brian2GeNN can take ``protocol``'s network, before GeNN (or Brian2GeNN) is needed.

    Builds the network and generates its code on ``cpp_standalone`` (no compile,
    no run) with Brian2GeNN's own rule for synaptic delays applied, in a
    temporary folder.  Raises :class:`GeNNUnsupported` naming the limitation and
    the ``Synapses`` if the network breaks it; returns the generated project's
    summary otherwise.  Works in any environment with Brian2.
    """
    from .protocol import load_protocol

    proto = load_protocol(protocol) if isinstance(protocol, str) else protocol
    directory = tempfile.mkdtemp(prefix="workbench-genn-check-")
    try:
        with _genn_delay_rule(proto.name):
            return codegen_check(proto, overrides, backend="cpp_standalone", directory=directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _version(module: str) -> str | None:
    try:
        mod = __import__(module)
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
    from brian2 import prefs

    changed = []
    flags = list(prefs.codegen.cpp.extra_compile_args_gcc)
    new = [f"-std={std}" if f.startswith("-std=") else f for f in flags]
    if new != flags:
        prefs.codegen.cpp.extra_compile_args_gcc = new
        changed.append("prefs.codegen.cpp.extra_compile_args_gcc")
    from brian2cuda.device import CUDAStandaloneDevice

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


def _prepare_cuda_without_gpu(compute_capability: float, cuda_version: float) -> None:
    """Tell brian2cuda the GPU and CUDA version instead of detecting them (code generation only)."""
    from brian2 import prefs

    cb = prefs.devices.cuda_standalone.cuda_backend
    cb.detect_gpus = False
    cb.gpu_id = 0
    cb.compute_capability = float(compute_capability)
    cb.detect_cuda = False
    cb.cuda_runtime_version = float(cuda_version)
    if not shutil.which("nvcc") and not os.environ.get("CUDA_PATH"):
        cb.cuda_path = tempfile.mkdtemp(prefix="no-cuda-")


@contextlib.contextmanager
def _codegen_only(backend: str):
    """Make the backend's ``device.build`` generate the code only, then stop the protocol.

    Whether a protocol builds through :class:`workbench.backends.Simulation` or
    calls ``device.build`` itself, the build writes the project with
    ``compile=False, run=False`` and raises :class:`CodegenDone`.
    """
    if backend == "cuda":
        from brian2cuda.device import CUDAStandaloneDevice as cls
    elif backend == "genn":
        from brian2genn.device import GeNNDevice as cls
    else:
        from brian2.devices.cpp_standalone.device import CPPStandaloneDevice as cls
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


def codegen_check(protocol, overrides: Mapping[str, Any] | None = None, *, backend: str = "cuda",
                  directory: str | os.PathLike | None = None, compute_capability: float = 9.0,
                  cuda_version: float = 12.0) -> dict[str, Any]:
    """Generate ``protocol``'s network for ``backend`` without compiling or running it.

    Returns the build directory and the generated source files.  Raises
    whatever the backend raises for unsupported features (that is the point).
    """
    from . import backends
    from .protocol import load_protocol

    name = backends.canonical(backend)
    if name not in ("cuda", "genn", "cpp_standalone"):
        raise backends.BackendError(f"codegen_check is for standalone backends, not {backend!r}")
    proto = load_protocol(protocol) if isinstance(protocol, str) else protocol
    params = proto.resolve(overrides)
    directory = Path(directory or tempfile.mkdtemp(prefix=f"workbench-codegen-{name}-"))
    if name == "cuda":
        import brian2cuda  # noqa: F401  (registers the device and its prefs)

        if not shutil.which("nvidia-smi") or _run(["nvidia-smi", "-L"]) is None:
            _prepare_cuda_without_gpu(compute_capability, cuda_version)
    env = {}
    if name == "genn" and not os.environ.get("GENN_PATH"):
        # code generation needs no GeNN; check_available() asks for it because running does
        env["GENN_PATH"] = str(directory / "no-genn")
    if name == "cuda" and not shutil.which("nvcc") and not os.environ.get("CUDA_PATH"):
        env["CUDA_PATH"] = str(directory / "no-cuda")
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        from .protocol import RunContext

        # Brian2GeNN 1.7 raises NotImplementedError on brian2.seed(): generate unseeded for genn
        ctx = RunContext(protocol=proto.name, backend=name, seed=None if name == "genn" else 0, progress=False)
        with _codegen_only(name):
            # protocols pass key=...: redirect their build directory to ours
            orig_root = os.environ.get("WORKBENCH_BUILD_DIR")
            os.environ["WORKBENCH_BUILD_DIR"] = str(directory)
            try:
                proto.func(params, ctx)
            except CodegenDone as done:
                build_dir = done.directory
            except NotImplementedError as exc:  # Brian2GeNN's limits: say which, and what to use instead
                unsupported = genn_unsupported(exc, proto.name) if name == "genn" else None
                if unsupported is None:
                    raise
                raise unsupported from exc
            else:
                raise backends.BackendError(f"protocol {proto.name!r} never ran a Simulation: nothing generated")
            finally:
                if orig_root is None:
                    os.environ.pop("WORKBENCH_BUILD_DIR", None)
                else:
                    os.environ["WORKBENCH_BUILD_DIR"] = orig_root
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    sources = sorted(str(p.relative_to(build_dir)) for p in build_dir.rglob("*")
                     if p.suffix in (".cu", ".cpp", ".h", ".cuh") and p.is_file())
    return {"protocol": proto.name, "backend": name, "build_dir": str(build_dir),
            "n_sources": len(sources), "sources": sources[:40]}


def _cmd_run(args) -> int:
    """Run a protocol on a backend (with :func:`cuda_compat` for cuda); print metrics and checksums."""
    import time

    import numpy as np
    from brian2 import prefs

    from . import backends
    from .params import parse_assignments
    from .protocol import run

    prefs.logging.console_log_level = "WARNING"
    name = backends.canonical(args.backend)
    if name == "cuda":
        cuda_compat()
    if name == "genn":  # a network Brian2GeNN cannot take fails here, before GeNN builds anything
        genn_check(args.protocol, parse_assignments(args.set))
    t0 = time.perf_counter()
    ds = run(args.protocol, parse_assignments(args.set), backend=name, seed=args.seed, progress=False)
    out = {"protocol": args.protocol, "backend": name, "wall_s": time.perf_counter() - t0,
           "protocol_wall_s": float(ds.attrs.get("wall_time_s", float("nan"))), "metrics": {}, "checksums": {}}
    for var_name, var in ds.data_vars.items():
        if var.dtype.kind not in "fiu":
            continue
        if var.ndim == 0:
            out["metrics"][var_name] = float(var)
        else:
            out["checksums"][var_name] = float(np.nansum(np.asarray(var, dtype=float)))
    print("RESULT " + json.dumps(out), flush=True)
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m workbench.gpu", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("report", help="versions of the GPU stack here (JSON)")
    q = sub.add_parser("codegen", help="generate a protocol's network for a GPU backend, no compile")
    q.add_argument("protocol")
    q.add_argument("--backend", default="cuda", help="cuda or genn (or cpp_standalone)")
    q.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    q.add_argument("--directory", help="where to write the generated project (default: a temp folder)")
    q.add_argument("--compute-capability", type=float, default=9.0,
                   help="GPU to generate for when none is present (default 9.0, H100)")
    q = sub.add_parser("genn-check", help="can Brian2GeNN take the protocol's network? (no GPU software needed)")
    q.add_argument("protocol")
    q.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    q = sub.add_parser("run", help="run a protocol (no archive) and print its timing and metrics (JSON)")
    q.add_argument("protocol")
    q.add_argument("--backend", default="cuda")
    q.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    q.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.command == "report":
        print(json.dumps(stack_report(), indent=1))
        return 0
    from brian2 import prefs

    from .params import ParameterError, parse_assignments
    from .protocol import ProtocolError

    prefs.logging.console_log_level = "WARNING"
    try:
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "genn-check":
            genn_check(args.protocol, parse_assignments(args.set))
            print(json.dumps({"protocol": args.protocol, "genn": "supported"}))
            return 0
        result = codegen_check(args.protocol, parse_assignments(args.set), backend=args.backend,
                               directory=args.directory, compute_capability=args.compute_capability)
    except (BackendError, ParameterError, ProtocolError) as exc:
        print(f"workbench.gpu: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
