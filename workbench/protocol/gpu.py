"""Protocols on the GPU backends: does a protocol's network generate code for Brian2GeNN or
brian2cuda, and can Brian2GeNN take it at all (found before any GPU software is needed)?

Brian2GeNN 1.7 cannot run networks with heterogeneous synaptic delays (a delay per synapse: the
Diehl & Cook network, the LSM liquid): it accepts one delay per ``Synapses``, given to its
initializer.  :func:`genn_check` finds this in any environment with Brian2, and
:func:`workbench.protocol.run` calls it before a ``genn`` run.  Code generation without a GPU:
brian2cuda is told the GPU (compute capability, default 9.0 = H100) and the CUDA version instead of
detecting them; Brian2GeNN needs no GeNN to generate its model code.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

from .. import backends
from ..backends.gpu import (CodegenDone, codegen_only, genn_delay_rule, genn_unsupported,
                            prepare_cuda_without_gpu)
from .context import RunContext
from .spec import load_protocol

__all__ = ["genn_check", "codegen_check"]


def genn_check(protocol, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check that Brian2GeNN can take ``protocol``'s network, before GeNN (or Brian2GeNN) is needed.

    Builds the network and generates its code on ``cpp_standalone`` (no compile,
    no run) with Brian2GeNN's own rule for synaptic delays applied, in a
    temporary folder.  Raises :class:`GeNNUnsupported` naming the limitation and
    the ``Synapses`` if the network breaks it; returns the generated project's
    summary otherwise.  Works in any environment with Brian2.
    """
    proto = load_protocol(protocol) if isinstance(protocol, str) else protocol
    directory = tempfile.mkdtemp(prefix="workbench-genn-check-")
    try:
        with genn_delay_rule(proto.name):
            return codegen_check(proto, overrides, backend="cpp_standalone", directory=directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def codegen_check(protocol, overrides: Mapping[str, Any] | None = None, *, backend: str = "cuda",
                  directory: str | os.PathLike | None = None, compute_capability: float = 9.0,
                  cuda_version: float = 12.0) -> dict[str, Any]:
    """Generate ``protocol``'s network for ``backend`` without compiling or running it.

    Returns the build directory and the generated source files.  Raises
    whatever the backend raises for unsupported features (that is the point).
    """
    name = backends.canonical(backend)
    if name not in ("cuda", "genn", "cpp_standalone"):
        raise backends.BackendError(f"codegen_check is for standalone backends, not {backend!r}")
    proto = load_protocol(protocol) if isinstance(protocol, str) else protocol
    params = proto.resolve(overrides)
    directory = Path(directory or tempfile.mkdtemp(prefix=f"workbench-codegen-{name}-"))
    if name == "cuda":
        import brian2cuda  # noqa: F401  (optional GPU stack: registers the device and its prefs)

        if not shutil.which("nvidia-smi") or not backends.gpu.stack_report()["gpu"]:
            prepare_cuda_without_gpu(compute_capability, cuda_version)
    env = {}
    if name == "genn" and not os.environ.get("GENN_PATH"):
        # code generation needs no GeNN; check_available() asks for it because running does
        env["GENN_PATH"] = str(directory / "no-genn")
    if name == "cuda" and not shutil.which("nvcc") and not os.environ.get("CUDA_PATH"):
        env["CUDA_PATH"] = str(directory / "no-cuda")
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        # Brian2GeNN 1.7 raises NotImplementedError on brian2.seed(): generate unseeded for genn
        ctx = RunContext(protocol=proto.name, backend=name, seed=None if name == "genn" else 0, progress=False)
        with codegen_only(name):
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
