"""Neuromorphic chip specifications as data, with the source of every number.

A :class:`ChipSpec` holds the limits and costs that the quantizer, the design
rules, the mapper and the AER simulator read.  Presets: ``loihi`` (Davies et
al. 2018), ``truenorth`` (Merolla et al. 2014), ``dynapse`` (Moradi et al.
2018), ``spinnaker`` (Furber et al. 2014).  ``sources`` maps each field to
its citation; a value that the cited paper does not state is marked
``"assumption: ..."`` with the reasoning, never silently invented.

Verification status (November 2026, from the public text that could be read
here, through the workbench's search tool; no full papers were available):
``CHECKED`` means the value was found in the cited work's abstract or table
(or a verbatim copy of it), ``NOT CHECKED`` that it was transcribed from the
cited work earlier and could not be found again here -- treat those as
unverified.  :data:`PUBLISHED_INFERENCE` lists per-inference energies of
published systems with the same status marks.  User
chips come from a dict or a TOML file (:func:`chip_from_dict`,
:func:`load_chip`); unknown keys raise.

Energies are in joules (pJ written as ``e-12``), times in seconds, memory in
bits.
"""
from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the tomli backport (setup.cfg)
    import tomli as tomllib

__all__ = ["ChipSpec", "ChipError", "PRESETS", "get_chip", "chip_from_dict", "load_chip"]


class ChipError(ValueError):
    """An unknown chip, an unknown or missing field, or an impossible value."""


@dataclass(frozen=True)
class ChipSpec:
    """Limits and per-event costs of one neuromorphic chip (see module docstring for units)."""

    name: str
    neurons_per_core: int
    fan_in: int  # max distinct presynaptic sources (axons) per neuron
    fan_out_cores: int  # max destination cores per source neuron
    synapses_per_core: int  # synaptic memory of a core, in synapses (memory bits / bits per synapse)
    weight_bits: int  # max weight precision, including the sign bit when signed
    weight_signed: bool
    state_bits: int  # membrane potential and synaptic current registers (signed)
    threshold_bits: int  # unsigned threshold register
    decay_bits: int  # decay factors are k / 2**decay_bits; 0: no multiplicative leak (linear leak)
    max_delay_ticks: int
    cores_per_chip: int
    mesh: tuple  # (columns, rows) of the core mesh of one chip
    clock_hz: float
    cycles_per_synop: float
    cycles_per_neuron_update: float
    cycles_per_hop: float
    cycles_per_packet: float  # serialization of one packet on a link (link throughput)
    barrier_s: float  # end-of-tick synchronisation time
    energy_synop: float
    energy_neuron_update: float
    energy_packet: float  # generating / injecting one spike packet
    energy_hop: float  # one router-to-router hop
    static_power: float  # W per chip
    tick_s: float  # real-time tick when the chip runs in real time (0: as fast as possible)
    multicast: bool = True  # routers replicate packets along a tree (False: one unicast per destination)
    analog: bool = False
    mismatch_cv: float = 0.0  # typical device mismatch (coefficient of variation)
    synapse_types: tuple = ("current", "delta")
    reference: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        for key in ("neurons_per_core", "fan_in", "fan_out_cores", "synapses_per_core", "weight_bits",
                    "state_bits", "threshold_bits", "cores_per_chip", "clock_hz"):
            if getattr(self, key) <= 0:
                raise ChipError(f"chip {self.name!r}: {key} must be > 0, got {getattr(self, key)!r}")
        if len(self.mesh) != 2 or self.mesh[0] * self.mesh[1] < self.cores_per_chip:
            raise ChipError(f"chip {self.name!r}: mesh {self.mesh} holds fewer than {self.cores_per_chip} cores")
        if self.decay_bits < 0 or self.max_delay_ticks < 0:
            raise ChipError(f"chip {self.name!r}: decay_bits and max_delay_ticks must be >= 0")

    def replace(self, **changes) -> "ChipSpec":
        """A copy with other values (e.g. ``weight_bits=16`` for a sweep); unknown names raise."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ChipError(f"chip {self.name!r}: unknown field(s) {sorted(unknown)}")
        sources = dict(self.sources)
        for k in changes:
            if k not in ("sources", "name"):
                sources[k] = "user override"
        return dataclasses.replace(self, sources=sources, **changes)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["mesh"] = list(self.mesh)
        d["synapse_types"] = list(self.synapse_types)
        d["sources"] = dict(self.sources)
        return d


_DAVIES = "Davies et al. 2018, IEEE Micro 38(1):82-99"
_MEROLLA = "Merolla et al. 2014, Science 345:668-673"
_MORADI = "Moradi et al. 2018, IEEE Trans. Biomed. Circuits Syst. 12(1):106-122"
_FURBER = "Furber et al. 2014, Proc. IEEE 102(5):652-665"
_FURBER13 = "Furber et al. 2013, IEEE Trans. Computers 62(12):2454-2467"
_BLOUW = "Blouw et al. 2019, NICE '19 (arXiv:1812.01739)"
_SHARP = "Sharp et al. 2012, J. Neurosci. Methods 210:110-118"
_STROMATIAS = "Stromatias et al. 2013, IJCNN"
_NC = "NOT CHECKED here (transcribed earlier; not found in the text available)"

LOIHI = ChipSpec(
    name="loihi",
    neurons_per_core=1024, fan_in=4096, fan_out_cores=4096, synapses_per_core=128 * 1024 * 8 // 8,
    weight_bits=9, weight_signed=True, state_bits=24, threshold_bits=17, decay_bits=12, max_delay_ticks=62,
    cores_per_chip=128, mesh=(8, 16), clock_hz=1 / 3.5e-9, cycles_per_synop=1.0,
    cycles_per_neuron_update=8.4 / 3.5, cycles_per_hop=6.5 / 3.5, cycles_per_packet=1.0,
    barrier_s=465e-9, energy_synop=23.6e-12, energy_neuron_update=52e-12, energy_packet=1.7e-12,
    energy_hop=4.0e-12, static_power=0.029, tick_s=0.0, multicast=False,
    reference=_DAVIES,
    sources={
        "neurons_per_core": f"{_DAVIES}: 1,024 neural compartments per core. CHECKED indirectly: 128 cores x "
                            "1,024 = 131,072 neurons per chip (WikiChip, intel/loihi)",
        "fan_in": f"{_DAVIES}: 4,096 input axons (fan-in) per core; {_NC}",
        "fan_out_cores": f"{_DAVIES}: 4,096 output axons per core; {_NC}",
        "synapses_per_core": f"{_DAVIES}: 128 KB synaptic memory per core; at 8 bits per synapse (densest "
                             "weight encoding) 131,072 synapses. CHECKED: 16 MB of synaptic memory on 128 "
                             "cores (IEEE Circuits and Systems Magazine, Q2 2022, Loihi survey section)",
        "weight_bits": f"{_DAVIES}: synaptic weights 1 to 9 bits (signed), with a shared exponent; {_NC}",
        "weight_signed": f"{_DAVIES}: signed weights (mixed-sign axons); {_NC}",
        "state_bits": f"{_DAVIES}: 24-bit membrane voltage and synaptic current (CUBA compartment); {_NC}",
        "threshold_bits": f"{_DAVIES}: 17-bit threshold mantissa (scaled by 2**6 in the real chip); {_NC}",
        "decay_bits": f"{_DAVIES}: 12-bit current and voltage decay constants (u -= u*du/4096); {_NC}",
        "max_delay_ticks": f"{_DAVIES}: synaptic delays up to 62 time steps (6-bit); {_NC}",
        "cores_per_chip": f"{_DAVIES}: 128 neuromorphic cores per chip. CHECKED (Davies et al. 2018 abstract "
                          "text as quoted on gwern.net: 'a many-core mesh comprising 128 neuromorphic cores')",
        "mesh": "assumption: the 128 cores laid out as an 8 x 16 grid of mesh nodes (the chip groups 4 "
                f"cores per router tile; {_DAVIES}, Fig. 1)",
        "clock_hz": f"{_DAVIES}, Table 2: time per synaptic spike op (max) 3.5 ns -> one cycle; {_NC}",
        "cycles_per_synop": f"{_DAVIES}, Table 2: 3.5 ns per synaptic spike op; {_NC}",
        "cycles_per_neuron_update": f"{_DAVIES}, Table 2: 8.4 ns per active neuron update; {_NC}",
        "cycles_per_hop": f"{_DAVIES}, Table 2: latency per tile hop 4.1 ns (E-W) / 6.5 ns (N-S); worst used; "
                          f"{_NC}",
        "cycles_per_packet": f"{_DAVIES}, Table 2: 3.44 Gspike/s cross-sectional bandwidth per tile "
                             f"(~0.3 ns per spike); one cycle assumed per packet per link; {_NC}",
        "barrier_s": f"{_DAVIES}, Table 2: mesh-wide barrier synchronisation 113-465 ns (1-32 tiles); {_NC}",
        "energy_synop": f"{_DAVIES}, Table 2: 23.6 pJ per synaptic spike op (min); {_NC}.  That Table 2 lists "
                        "energies per synaptic op, neuron update, spike and tile hop is CHECKED (forum.nengo.ai "
                        "thread 'Theoretical Energy Usage Loihi', which calls them simulated); one secondary "
                        "source says the table is captioned pre-silicon",
        "energy_neuron_update": f"{_DAVIES}, Table 2: 52 pJ per active neuron update; {_NC}",
        "energy_packet": f"{_DAVIES}, Table 2: within-tile spike energy 1.7 pJ; {_NC}",
        "energy_hop": f"{_DAVIES}, Table 2: energy per tile hop 3.0 pJ (E-W) / 4.0 pJ (N-S); worst used; {_NC}",
        "static_power": f"{_BLOUW}, Table 1: Loihi idle power 0.029 W (running 0.110 W, dynamic 0.081 W). "
                        "CHECKED (table as rendered from arXiv:1812.01739 by tomesphere.com).  The Loihi system "
                        "there is a board, not a bare chip: its idle power stands in for one chip's static power "
                        "(assumption)",
        "tick_s": "runs as fast as possible (Loihi's time steps are not tied to wall-clock time)",
        "multicast": f"{_DAVIES}: a spike is sent as one message per destination core",
    },
)

TRUENORTH = ChipSpec(
    name="truenorth",
    neurons_per_core=256, fan_in=256, fan_out_cores=1, synapses_per_core=256 * 256,
    weight_bits=9, weight_signed=True, state_bits=20, threshold_bits=18, decay_bits=0, max_delay_ticks=15,
    cores_per_chip=4096, mesh=(64, 64), clock_hz=1e6, cycles_per_synop=1.0, cycles_per_neuron_update=1.0,
    cycles_per_hop=1.0, cycles_per_packet=1.0, barrier_s=0.0, energy_synop=26e-12,
    energy_neuron_update=0.0, energy_packet=0.0, energy_hop=0.0, static_power=0.063 * 0.3,
    tick_s=1e-3, multicast=False, synapse_types=("delta",), reference=_MEROLLA,
    sources={
        "neurons_per_core": f"{_MEROLLA}: 256 neurons per core. CHECKED via the abstract: 4,096 cores, 1 million "
                            "neurons, 256 million synapses (= 256 x 256 per core)",
        "fan_in": f"{_MEROLLA}: 256 axons per core (256 x 256 binary crossbar)",
        "fan_out_cores": f"{_MEROLLA}: each neuron targets one axon on one core",
        "synapses_per_core": f"{_MEROLLA}: 256 x 256 crossbar = 65,536 synapses per core",
        "weight_bits": f"{_MEROLLA}: 9-bit signed weight per neuron and axon type (4 axon types, binary "
                       "synapses)",
        "weight_signed": f"{_MEROLLA}: signed integer weights",
        "state_bits": f"{_MEROLLA}, supplement: 20-bit signed membrane potential",
        "threshold_bits": f"{_MEROLLA}, supplement: 18-bit threshold",
        "decay_bits": f"{_MEROLLA}: linear (constant) leak, no multiplicative decay",
        "max_delay_ticks": f"{_MEROLLA}: axonal delays of 1-15 ticks",
        "cores_per_chip": f"{_MEROLLA}: 4,096 neurosynaptic cores per chip. CHECKED (abstract)",
        "mesh": f"{_MEROLLA}: 64 x 64 core array on a 2D mesh",
        "clock_hz": "assumption: 1 MHz core logic so a core's 256 x 256 crossbar fits the 1 ms tick "
                    f"({_MEROLLA}: asynchronous logic with a 1 kHz synchronisation tick)",
        "cycles_per_synop": "assumption: one crossbar event per cycle",
        "cycles_per_neuron_update": "assumption: one neuron update per cycle",
        "cycles_per_hop": "assumption: one cycle per router hop",
        "cycles_per_packet": "assumption: one packet per cycle per link",
        "barrier_s": f"{_MEROLLA}: globally synchronised 1 ms tick (latency counted by tick_s)",
        "energy_synop": f"{_MEROLLA}: 26 pJ per synaptic event; {_NC}.  Secondary sources (public code "
                        "comments) describe it as the total chip energy (static included) per synaptic event "
                        "at one operating point (20 Hz, 128 active synapses per neuron, 0.775 V); with "
                        "static_power below, totals may count static power twice",
        "energy_neuron_update": f"{_MEROLLA}: folded into the 26 pJ per synaptic event",
        "energy_packet": f"{_MEROLLA}: folded into the 26 pJ per synaptic event",
        "energy_hop": f"{_MEROLLA}: folded into the 26 pJ per synaptic event",
        "static_power": f"{_MEROLLA}: 63 mW for the full chip with 400 x 240 video at 30 frames/s. CHECKED "
                        "(abstract).  assumption: ~30% of it static",
        "tick_s": f"{_MEROLLA}: 1 ms tick (real time); {_NC}",
        "multicast": f"{_MEROLLA}: one packet per spike to one target core",
        "synapse_types": f"{_MEROLLA}: integrate-and-fire with instantaneous (delta) synaptic input",
    },
)

DYNAPSE = ChipSpec(
    name="dynapse",
    neurons_per_core=256, fan_in=64, fan_out_cores=4, synapses_per_core=256 * 64,
    weight_bits=2, weight_signed=True, state_bits=16, threshold_bits=16, decay_bits=8, max_delay_ticks=0,
    cores_per_chip=4, mesh=(2, 2), clock_hz=1e8, cycles_per_synop=1.0, cycles_per_neuron_update=0.0,
    cycles_per_hop=1.0, cycles_per_packet=1.0, barrier_s=0.0, energy_synop=134e-12,
    energy_neuron_update=0.0, energy_packet=883e-12, energy_hop=360e-12, static_power=1e-3,
    tick_s=1e-3, multicast=True, analog=True, mismatch_cv=0.1, reference=_MORADI,
    sources={
        "neurons_per_core": f"{_MORADI}: 256 adaptive exponential I&F neurons per core; {_NC} (no value of "
                            "this preset could be checked here)",
        "fan_in": f"{_MORADI}: 64 CAM words (presynaptic tags) per neuron",
        "fan_out_cores": f"{_MORADI}: SRAM of 4 destination words per neuron (up to 4 target cores/chips)",
        "synapses_per_core": f"{_MORADI}: 256 neurons x 64 CAM entries",
        "weight_bits": f"{_MORADI}: 4 synapse types (fast/slow excitatory/inhibitory) with one shared analog "
                       "weight per type and core: 2 bits select the type",
        "weight_signed": f"{_MORADI}: excitatory and inhibitory synapse types",
        "state_bits": "assumption: analog state; 16 bits stands for its effective resolution",
        "threshold_bits": "assumption: analog threshold (bias DAC); 16 bits",
        "decay_bits": "assumption: analog leak set by a bias DAC; 8 bits of effective resolution",
        "max_delay_ticks": f"{_MORADI}: no programmable synaptic delays",
        "cores_per_chip": f"{_MORADI}: 4 cores per chip",
        "mesh": f"{_MORADI}: 2 x 2 cores per chip (hierarchical routers R1-R3)",
        "clock_hz": "assumption: asynchronous routers, 10 ns per event",
        "cycles_per_synop": "assumption: one event per cycle",
        "cycles_per_neuron_update": "analog neurons update continuously (no digital cost)",
        "cycles_per_hop": "assumption: one cycle per router hop",
        "cycles_per_packet": "assumption: one cycle per packet",
        "barrier_s": "asynchronous: no barrier",
        "energy_synop": f"{_MORADI}, Table: pulse extender / synapse activation ~134 pJ; {_NC}",
        "energy_neuron_update": "analog neuron dynamics: static bias currents, counted in static_power",
        "energy_packet": f"{_MORADI}, Table: spike generation and encoding 883 pJ; {_NC}",
        "energy_hop": f"{_MORADI}, Table: route an event to another core 360 pJ; {_NC}",
        "static_power": "assumption: 1 mW of bias currents per chip",
        "tick_s": "assumption: analog continuous time emulated with a 1 ms tick",
        "multicast": f"{_MORADI}: hierarchical multicast (tag broadcast within a core)",
        "mismatch_cv": "assumption: 10% device mismatch, typical of subthreshold analog circuits "
                       f"({_MORADI} discusses mismatch and its compensation)",
        "analog": f"{_MORADI}: mixed-signal analog neurons and synapses",
    },
)

SPINNAKER = ChipSpec(
    name="spinnaker",
    neurons_per_core=1000, fan_in=1000, fan_out_cores=1024, synapses_per_core=1000 * 1000,
    weight_bits=16, weight_signed=False, state_bits=32, threshold_bits=32, decay_bits=16, max_delay_ticks=16,
    cores_per_chip=16, mesh=(4, 4), clock_hz=200e6, cycles_per_synop=20.0, cycles_per_neuron_update=100.0,
    cycles_per_hop=20.0, cycles_per_packet=8.0, barrier_s=0.0, energy_synop=43e-9,
    energy_neuron_update=100e-9, energy_packet=0.0, energy_hop=0.0, static_power=1.0 * 0.5,
    tick_s=1e-3, multicast=True, synapse_types=("current", "delta", "conductance"), reference=_FURBER,
    sources={
        "neurons_per_core": f"{_FURBER}: about 1,000 neurons per ARM core in real time",
        "fan_in": f"{_FURBER}: about 1,000 synapses per neuron",
        "fan_out_cores": f"{_FURBER}: multicast router table with 1,024 entries",
        "synapses_per_core": f"{_FURBER}: synaptic rows in 128 MB SDRAM per chip; 1,000 x 1,000 per core",
        "weight_bits": f"{_FURBER}: 16-bit synaptic weights (sPyNNaker fixed point)",
        "weight_signed": "sPyNNaker: unsigned weights with separate excitatory and inhibitory synapse types",
        "state_bits": f"{_FURBER}: 32-bit fixed point (s16.15) neuron state in software",
        "threshold_bits": f"{_FURBER}: 32-bit fixed point",
        "decay_bits": "sPyNNaker: exponential decays as 16-bit fractions (assumption on the exact width)",
        "max_delay_ticks": f"{_FURBER}: 16 ticks of delay in the synaptic input ring buffer",
        "cores_per_chip": f"{_FURBER}: 18 ARM968 cores per chip, 16 for the application.  18 cores and 128 MB "
                          f"SDRAM per node CHECKED ({_FURBER13}, abstract and the APT project page)",
        "mesh": "assumption: the 16 application cores as a 4 x 4 grid (cores of a chip share one router)",
        "clock_hz": f"{_FURBER}: ARM968 at 200 MHz",
        "cycles_per_synop": "assumption: ~20 cycles per synaptic event in the software kernel",
        "cycles_per_neuron_update": "assumption: ~100 cycles per LIF update",
        "cycles_per_hop": "assumption: ~100 ns per router hop",
        "cycles_per_packet": f"40- or 72-bit packets, CHECKED ({_FURBER13}, abstract); ~8 cycles each "
                             "(assumption)",
        "barrier_s": "asynchronous (GALS): no global barrier",
        "energy_synop": f"{_SHARP}: 43 nJ per postsynaptic potential (4 chips, 10,000 neurons, 4 million "
                        "synapses in real time). CHECKED (abstract).  (Earlier value 8 nJ from Stromatias et al. "
                        "2013: NOT CHECKED, replaced)",
        "energy_neuron_update": f"{_SHARP}: 100 nJ per neuron per millisecond. CHECKED (abstract)",
        "energy_packet": f"{_SHARP}: folded into the per-event energies",
        "energy_hop": f"{_SHARP}: folded into the per-event energies",
        "static_power": f"{_STROMATIAS}: the most complex simulations consume less than 1 W per SpiNNaker chip, "
                        "CHECKED (abstract); assumption: half of 1 W static",
        "synapse_types": "sPyNNaker runs PyNN's IF_cond_exp (conductance) as well as IF_curr_exp models "
                         "(e.g. github.com/mervess/spynnaker-examples, snn_if_cond_exp.py); fixed point",
        "tick_s": f"{_FURBER}: 1 ms real-time tick",
        "multicast": f"{_FURBER}: packet-switched multicast routing",
    },
)

PRESETS = {c.name: c for c in (LOIHI, TRUENORTH, DYNAPSE, SPINNAKER)}

#: Published energy per inference of spiking networks on these chips, for comparison (not used in
#: any computation).  Each entry: system, task, accuracy, energy per inference (J), what it counts, source.
PUBLISHED_INFERENCE = (
    dict(system="TrueNorth, 1 chip (ensemble of 64 networks)", task="MNIST", accuracy=0.9942,
         energy=121e-6, counts="energy per image as published (NeurIPS proceedings abstract)",
         source="Esser et al. 2015, NeurIPS 28, 'Backpropagation for energy-efficient neuromorphic computing'. "
                "CHECKED (papers.nips.cc abstract); an earlier version (arXiv copy) states 108 uJ"),
    dict(system="TrueNorth, 1 chip (single network, high-efficiency)", task="MNIST", accuracy=0.927,
         energy=0.408e-6, counts="energy per image as published (NeurIPS proceedings abstract)",
         source="Esser et al. 2015, NeurIPS 28. CHECKED (papers.nips.cc abstract); an earlier version states "
                "0.268 uJ"),
    dict(system="Loihi (Nengo-Loihi keyword spotter, 2-layer network)", task="keyword spotting ('aloha')",
         accuracy=float("nan"), energy=0.27e-3,
         counts="dynamic energy per inference: (running 0.110 W - idle 0.029 W) / 296 inferences/s",
         source=f"{_BLOUW}, Table 1. CHECKED (table rendered from arXiv:1812.01739); accuracy reported as "
                "equivalent to the CPU/GPU versions, not a single number"),
)

_TYPES = {f.name: f.type for f in dataclasses.fields(ChipSpec)}


def get_chip(name_or_spec) -> ChipSpec:
    """A preset by name, a ChipSpec (returned as is), a dict, or a path to a TOML file."""
    if isinstance(name_or_spec, ChipSpec):
        return name_or_spec
    if isinstance(name_or_spec, Mapping):
        return chip_from_dict(name_or_spec)
    text = str(name_or_spec)
    if text in PRESETS:
        return PRESETS[text]
    if text.endswith(".toml"):
        return load_chip(text)
    raise ChipError(f"unknown chip {text!r}; presets: {', '.join(sorted(PRESETS))}, or a .toml file")


def chip_from_dict(data: Mapping) -> ChipSpec:
    """A user-defined chip: every field of :class:`ChipSpec` (``base = 'loihi'`` starts from a preset)."""
    data = dict(data)
    base = data.pop("base", None)
    fields = {f.name for f in dataclasses.fields(ChipSpec)}
    unknown = set(data) - fields
    if unknown:
        hints = [f"{k!r} (did you mean {difflib.get_close_matches(k, fields, 1)})" for k in sorted(unknown)]
        raise ChipError(f"chip definition: unknown field(s) {', '.join(hints)}")
    if "mesh" in data:
        data["mesh"] = tuple(data["mesh"])
    if "synapse_types" in data:
        data["synapse_types"] = tuple(data["synapse_types"])
    if base is not None:
        spec = get_chip(base)
        name = data.pop("name", spec.name + "-custom")
        return dataclasses.replace(spec.replace(**data), name=name)
    required = {f.name for f in dataclasses.fields(ChipSpec)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    missing = required - set(data)
    if missing:
        raise ChipError(f"chip definition: missing field(s) {sorted(missing)} (or give base = 'loihi' etc.)")
    data.setdefault("sources", {k: "user-defined" for k in data})
    return ChipSpec(**data)


def load_chip(path) -> ChipSpec:
    """A chip from a TOML file of ``field = value`` lines (and an optional ``[sources]`` table)."""
    p = Path(path)
    if not p.is_file():
        raise ChipError(f"chip file {str(p)!r} does not exist")
    try:
        data = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ChipError(f"chip file {str(p)!r} is not valid TOML: {exc}") from None
    return chip_from_dict(data)
