"""Memristive crossbars: synaptic weights as device conductances, read by spikes, with device non-idealities.

The pipeline, from a :class:`~workbench.hardware.quantize.ChipNetwork` (or a neutral graph)::

    spec = get_crossbar("pcm")                          # specs: presets, TOML, every number cited
    mapping = map_network(net, spec)                    # mapping: tiles, conductance pairs, partial sums
    violations = check(mapping, raise_on_error=False)   # rules: one named check per limit
    chip = program(mapping, rng)                        # state: devices drawn once (devices.py)
    state = at_time(chip, 86400.0)                      # drift, relaxation, IR drop (irdrop.py), compensation
    res = aersim.simulate(net, stim, synapse_read=SynapseReader(state, rng))
    stats = crossbar_statistics(res, state)             # energy and latency per trial

No Brian2 import: this package sits in the hardware layer beside the AER simulator.
"""
from .devices import ProgramVerify  # noqa: F401
from .irdrop import effective_conductance, solve_array  # noqa: F401
from .mapping import CrossbarMapping, Tile, map_network  # noqa: F401
from .rules import CROSSBAR_RULES, check  # noqa: F401
from .simulate import STATISTICS, SynapseReader, crossbar_statistics  # noqa: F401
from .specs import PRESETS, CrossbarSpec, crossbar_from_dict, get_crossbar, ideal_devices, load_crossbar  # noqa: F401
from .state import CrossbarState, ProgrammedCrossbar, at_time, build_crossbar, program  # noqa: F401

__all__ = ["ProgramVerify", "effective_conductance", "solve_array", "CrossbarMapping", "Tile", "map_network",
           "CROSSBAR_RULES", "check", "STATISTICS", "SynapseReader", "crossbar_statistics", "PRESETS", "CrossbarSpec",
           "crossbar_from_dict", "get_crossbar", "ideal_devices", "load_crossbar", "CrossbarState", "ProgrammedCrossbar",
           "at_time", "build_crossbar", "program"]
