"""Protocols and how they run: :class:`Protocol` (parameters + run function), :class:`RunContext`
(seed, backend, output, progress, checkpoints, resume), :func:`run` (validate, select the backend,
seed, time, attach provenance, write the archive atomically), and the GPU checks of protocols.
"""
from .context import ResumeError, RunContext
from .memory import MemoryEstimate, available_memory
from .runner import OutputBusy, run
from .spec import Protocol, ProtocolError, list_figures, list_protocols, load_figure, load_protocol

__all__ = ["Protocol", "ProtocolError", "RunContext", "ResumeError", "run", "OutputBusy", "MemoryEstimate",
           "available_memory", "load_protocol", "list_protocols",
           "load_figure", "list_figures"]
