"""Hardware-constraint layer: neutral graph, chips, quantization, design rules, mapping, AER simulation,
and deployment (:mod:`workbench.hardware.deploy`: all of it for a task, with the readouts of
:mod:`workbench.readout`).

Nothing in this package imports Brian2 except :mod:`workbench.hardware.export`, which reads workbench
networks and archives and builds the neutral :class:`~workbench.hardware.graph.Graph`.
"""
from .chips import PRESETS, ChipSpec, get_chip  # noqa: F401
from .graph import Graph, Population, Projection, Readout  # noqa: F401
