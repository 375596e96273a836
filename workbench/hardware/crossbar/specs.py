"""Memristive crossbar chips as data: geometry, devices, wires, converters and costs, every number cited.

A :class:`CrossbarSpec` holds what :mod:`.mapping`, :mod:`.devices`,
:mod:`.irdrop` and :mod:`.simulate` read.  Units are SI throughout:
conductances in siemens, resistances in ohms, volts, seconds, joules, watts.
Presets: ``pcm`` (the phase-change statistics of Joshi et al. 2020 as IBM's
aihwkit implements them, on the tile of IBM's 64-core PCM chip) and ``rram``
(NeuRRAM, Wan et al. 2022, with aihwkit's fit to its published figures).

Each field has an entry in ``sources``: ``CHECKED`` when the value was found
in text read here through the workbench's search tool (the paper's abstract,
the aihwkit source, or a summary of the paper, which is named), ``NOT
CHECKED`` when it could not be found again, ``derived`` when computed from
checked values (the computation is given), ``assumption`` with the reasoning
when no source gave it.  No full paper text was available.

Device model (see :mod:`.devices` for the equations):

- programming noise ``sigma_prog(g) = sum_k prog_coeff[k] (g/g_max)**k``
  (coefficients in S at ``g_max = prog_g_ref``, scaled by ``g_max/prog_g_ref``);
- drift ``g(t) = g_prog ((t + t0)/t0)**-nu`` with ``nu ~ |N(mu(g), sigma(g))|``,
  ``mu = clip(a ln(g/g_max) + b, lo, hi)`` from ``drift_mu = (a, b, lo, hi)``
  and likewise ``drift_sigma``;
- relaxation (RRAM): the spread at time ``t`` after programming follows the
  polynomials ``relax_coeffs`` fitted at ``relax_times``;
- read noise ``'1/f'``: ``sigma(t) = g(t) Q_s sqrt(ln((t + t0 + t_r)/(2 t_r)))``,
  ``Q_s = min(c / max((g/g_max)**e, 1e-3), q_max)`` from ``read_1f = (c, e, q_max)``;
  ``'constant'``: ``sigma = read_noise_const * g_max`` per read.
"""
from __future__ import annotations

import dataclasses
import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

__all__ = ["CrossbarSpec", "CrossbarError", "PRESETS", "get_crossbar", "crossbar_from_dict", "load_crossbar",
           "ideal_devices"]


class CrossbarError(ValueError):
    """An unknown crossbar preset, an unknown or missing field, or an impossible value."""


@dataclass(frozen=True)
class CrossbarSpec:
    """Limits, device statistics and per-operation costs of one crossbar chip (SI units)."""

    name: str
    # geometry
    tile_rows: int  # physical rows (word lines, one driver each) per tile
    tile_cols: int  # physical columns (bit lines) per tile
    tiles_per_chip: int
    devices_per_sign: int  # devices per weight and polarity, on rows driven by the same input
    differential: str  # 'analog': G+ - G- subtracted before the ADC; 'digital': both converted
    # devices
    g_min: float  # S, the conductance of a zero weight
    g_max: float  # S
    levels: int  # programmable conductance levels per device; 0: analog (continuous targets)
    prog_coeff: tuple  # S at g_max = prog_g_ref: sigma_prog = sum_k c_k (g/g_max)**k
    prog_g_ref: float  # S
    r_wire: float  # ohm per cell-to-cell wire segment (word and bit lines)
    adc_bits: int  # 0: ideal converter (no quantization, no clipping)
    dac_bits: int
    adcs_per_tile: int  # conversions that run in parallel in one tile
    v_read: float  # V on a driven row
    t_read: float  # s, integration time of one array read (ohmic energy V**2 G t_read)
    energy_read: float  # J per tile read besides the ohmic energy (precharge, sensing, control)
    energy_dac: float  # J per row drive
    energy_adc: float  # J per conversion
    energy_accumulate: float  # J per digital partial-sum addition
    energy_neuron_update: float  # J per neuron update in the digital periphery
    static_power: float  # W per chip
    latency_read: float  # s per tile read (drive, integrate, convert with adcs_per_tile ADCs)
    latency_adc: float  # s per extra round of conversions when columns exceed adcs_per_tile
    latency_digital: float  # s per tick for partial sums and neuron updates
    prog_time: float = 1.0  # s after programming that prog_coeff describes (first knot of the relaxation)
    relax_times: tuple = ()  # s after programming at which relax_coeffs were fitted
    relax_coeffs: tuple = ()  # per time: polynomial of the total spread, as prog_coeff
    drift_t0: float = 20.0  # s, reference time of the drift fit
    drift_mu: tuple = (0.0, 0.0, 0.0, 0.0)  # (a, b, lo, hi) of the mean drift exponent
    drift_sigma: tuple = (0.0, 0.0, 0.0, 0.0)  # (a, b, lo, hi) of its spread
    read_noise: str = "none"  # '1/f', 'constant' or 'none'
    read_1f: tuple = (0.0, 0.65, 0.2)  # (c, e, q_max) of Q_s
    t_read_noise: float = 250e-9  # s, read pulse width of the 1/f fit
    read_noise_const: float = 0.0  # per-read sigma as a fraction of g_max ('constant')
    stuck_off: float = 0.0  # fraction of devices stuck at g_min
    stuck_on: float = 0.0  # fraction of devices stuck at g_max
    prog_noise_scale: float = 1.0
    drift_scale: float = 1.0  # scales drift exponents and relaxation spread
    read_noise_scale: float = 1.0
    pv_max_iter: int = 30  # program-and-verify: most programming pulses per device
    pv_tolerance: float = 0.02  # program-and-verify: accepted |g - target| as a fraction of g_max
    adc_range: float = 1.0  # ADC full scale as a fraction of the tile's largest possible column current
    drift_compensation: bool = True  # global drift compensation per tile (digital gain)
    tick_s: float = 0.0  # real-time tick (0: as fast as possible)
    reference: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        def bad(key, why):
            raise CrossbarError(f"crossbar {self.name!r}: {key} {why}, got {getattr(self, key)!r}")

        for key in ("tile_rows", "tile_cols", "tiles_per_chip", "devices_per_sign", "adcs_per_tile", "pv_max_iter"):
            v = getattr(self, key)
            if int(v) != v or v < 1:
                bad(key, "must be an integer >= 1")
        if self.tile_rows < self.devices_per_sign:
            bad("tile_rows", f"must hold devices_per_sign={self.devices_per_sign} rows")
        if self.tile_cols < 2:
            bad("tile_cols", "must be >= 2 (a differential pair needs two columns)")
        if self.differential not in ("analog", "digital"):
            bad("differential", "must be 'analog' or 'digital'")
        if not 0 <= self.g_min < self.g_max:
            bad("g_max", f"must exceed g_min={self.g_min!r} >= 0")
        if self.levels != 0 and (int(self.levels) != self.levels or self.levels < 2):
            bad("levels", "must be 0 (analog) or an integer >= 2")
        if self.adc_bits != 0 and (int(self.adc_bits) != self.adc_bits
                                   or self.adc_bits < (2 if self.differential == "analog" else 1)):
            bad("adc_bits", "must be 0 (ideal) or >= 2 for a signed (analog differential) ADC, >= 1 otherwise")
        if self.read_noise not in ("1/f", "constant", "none"):
            bad("read_noise", "must be '1/f', 'constant' or 'none'")
        for key in ("drift_mu", "drift_sigma"):
            if len(getattr(self, key)) != 4:
                bad(key, "must be (a, b, lo, hi)")
        if len(self.read_1f) != 3:
            bad("read_1f", "must be (c, e, q_max)")
        if len(self.relax_times) != len(self.relax_coeffs) or any(
                t <= 0 for t in self.relax_times) or list(self.relax_times) != sorted(self.relax_times):
            bad("relax_times", "must be increasing positive times, one per relax_coeffs polynomial")
        for key in ("stuck_off", "stuck_on", "pv_tolerance"):
            if not 0 <= getattr(self, key) <= 1:
                bad(key, "must be a fraction in [0, 1]")
        if self.stuck_off + self.stuck_on > 1:
            bad("stuck_on", "plus stuck_off must not exceed 1")
        if not 0 < self.adc_range <= 1:
            bad("adc_range", "must be in (0, 1]")
        if self.relax_times and self.relax_times[0] <= self.prog_time:
            bad("relax_times", f"must come after prog_time={self.prog_time!r} s")
        for key in ("prog_g_ref", "prog_time", "v_read", "t_read", "drift_t0", "t_read_noise"):
            if not getattr(self, key) > 0:
                bad(key, "must be > 0")
        for key in ("r_wire", "dac_bits", "energy_read", "energy_dac", "energy_adc", "energy_accumulate",
                    "energy_neuron_update", "static_power", "latency_read", "latency_adc", "latency_digital",
                    "tick_s", "prog_noise_scale", "drift_scale", "read_noise_scale", "read_noise_const"):
            if getattr(self, key) < 0:
                bad(key, "must be >= 0")

    @property
    def logical_rows(self) -> int:
        """Inputs per tile: rows over devices per sign."""
        return self.tile_rows // self.devices_per_sign

    @property
    def logical_cols(self) -> int:
        """Weight columns per tile: a G+ and a G- column each."""
        return self.tile_cols // 2

    def replace(self, **changes) -> "CrossbarSpec":
        """A copy with other values (e.g. ``levels=16`` for a sweep); unknown names raise."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise CrossbarError(f"crossbar {self.name!r}: unknown field(s) {sorted(unknown)}")
        sources = dict(self.sources)
        for k in changes:
            if k not in ("sources", "name"):
                sources[k] = "user override"
        return dataclasses.replace(self, sources=sources, **changes)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        for k in ("prog_coeff", "relax_times", "drift_mu", "drift_sigma", "read_1f"):
            d[k] = list(d[k])
        d["relax_coeffs"] = [list(c) for c in self.relax_coeffs]
        d["sources"] = dict(self.sources)
        return d


_JOSHI = "Joshi et al. 2020, Nat. Commun. 11:2473"
_AIHWKIT = ("IBM aihwkit, src/aihwkit/inference/noise/pcm.py (PCMLikeNoiseModel) and docs/source/pcm_inference.rst, "
            "whose model is calibrated on about a million PCM devices (Joshi et al. 2020; Nandakumar et al. 2019, "
            "ICECS)")
_AIHWKIT_IO = "IBM aihwkit, IOParameters.ir_drop_g_ratio docstring (simulator/parameters)"
_HERMES = "Le Gallo et al. 2023, Nat. Electron. (64-core PCM chip, doi:10.1038/s41928-023-01010-1)"
_HERMES_SEEN = "CHECKED against a summary of the paper read here (no full text)"
_WAN = "Wan et al. 2022, Nature 608:504 (NeuRRAM)"
_WAN_AIHW = ("IBM aihwkit, src/aihwkit/inference/noise/reram.py (ReRamWan2022NoiseModel: 4th-order fits of the "
             "conductance spread to the published figures of Wan et al. 2022)")
_ISAAC = ("Shafiee et al. 2016, ISCA (ISAAC), component table at 32 nm, as transcribed with its derivation in "
          "Accelergy's hwcomponents-library (isaac.py)")
_ISAAC_STANDIN = ("CHECKED against that transcription; a 32 nm ReRAM accelerator's periphery, used as a stand-in "
                  "for this chip's (assumption)")
_NC = "NOT CHECKED"

PCM = CrossbarSpec(
    name="pcm",
    tile_rows=256, tile_cols=256, tiles_per_chip=64, devices_per_sign=1, differential="analog",
    g_min=0.0, g_max=25e-6, levels=0,
    prog_coeff=(0.26348e-6, 1.9650e-6, -1.1731e-6), prog_g_ref=25e-6,
    drift_t0=20.0, drift_mu=(-0.0155, 0.0244, 0.049, 0.1), drift_sigma=(-0.0125, -0.0059, 0.008, 0.045),
    read_noise="1/f", read_1f=(0.0088, 0.65, 0.2), t_read_noise=250e-9,
    stuck_off=0.01, stuck_on=0.0, pv_max_iter=30, pv_tolerance=0.02,
    r_wire=0.35, adc_bits=8, dac_bits=8, adcs_per_tile=256,
    v_read=0.2, t_read=100e-9, energy_read=0.0, energy_dac=0.41667e-12, energy_adc=1.6667e-12,
    energy_accumulate=0.021e-12, energy_neuron_update=52e-12, static_power=0.0,
    latency_read=133e-9, latency_adc=1 / 1.2e9, latency_digital=100e-9,
    reference=f"{_JOSHI}; {_AIHWKIT}; {_HERMES}",
    sources={
        "tile_rows": f"{_HERMES}: 64 cores, each a 256 x 256 array of unit cells; {_HERMES_SEEN}",
        "tile_cols": f"{_HERMES}: 256 x 256 unit cells per core; {_HERMES_SEEN}",
        "tiles_per_chip": f"{_HERMES}: 64 cores; {_HERMES_SEEN}",
        "devices_per_sign": f"{_JOSHI}: each synaptic weight programmed on two PCM devices in a differential "
                            "configuration. CHECKED (abstract).  The 64-core chip uses two devices per polarity "
                            "(devices_per_sign=2 models it)",
        "differential": f"{_HERMES}: a differential unit cell per column and one ADC per column (256 ADCs per "
                        f"core), so G+ - G- is formed before the conversion (derived); {_HERMES_SEEN}",
        "g_min": f"{_AIHWKIT}: SinglePairConductanceConverter g_min = 0 uS. CHECKED (source)",
        "g_max": f"{_AIHWKIT}: g_max 25 uS, the reference of the programming-noise fit. CHECKED (source)",
        "levels": f"{_AIHWKIT}: targets are analog (closed-loop program-and-verify, no level grid). CHECKED "
                  "(docs: 'closed-loop iterative write-read-verify')",
        "prog_coeff": f"{_AIHWKIT}: sigma_prog = max(-1.1731 g_T**2 + 1.9650 g_T + 0.2635, 0) uS, g_T = g/g_max "
                      "(code: 0.26348, 1.9650, -1.1731). CHECKED (source and docs); the fit is of the spread "
                      "after iterative program-and-verify",
        "prog_g_ref": f"{_AIHWKIT}: coefficients defined at g_max = 25 uS. CHECKED (source comment)",
        "prog_time": "unused (no relaxation fit; the PCM spread after programming is prog_coeff, then drift)",
        "relax_times": f"{_AIHWKIT}: PCM changes by drift, no relaxation fit: none (CHECKED, source)",
        "relax_coeffs": "unused (no relaxation fit)",
        "read_noise_const": "unused ('1/f' read noise)",
        "adc_range": "design choice: the ADC full scale is the tile's largest possible column current (no clipping)",
        "tick_s": "runs as fast as possible",
        "drift_t0": f"{_AIHWKIT}: t_0 = 20 s, drift relative to the first read after programming. CHECKED (source)",
        "drift_mu": f"{_AIHWKIT}: mu_nu = clip(-0.0155 ln(g_T) + 0.0244, 0.049, 0.1). CHECKED (source and docs)",
        "drift_sigma": f"{_AIHWKIT}: sigma_nu = clip(-0.0125 ln(g_T) - 0.0059, 0.008, 0.045). CHECKED (source and "
                       "docs); nu = |mu + sigma N(0,1)|",
        "read_1f": f"{_AIHWKIT}: Q_s = min(0.0088 / g_T**0.65, 0.2), 1/f noise S_G/G**2 = Q/f. CHECKED (docs; the "
                   "code clamps (|g_prog|/g_max)**0.65 at 1e-3 and uses the programmed conductance)",
        "t_read_noise": f"{_AIHWKIT}: t_read = 250 ns, the read pulse width. CHECKED (docs and source)",
        "read_noise": f"{_AIHWKIT}: 1/f read noise integrated from t_read to t. CHECKED (docs)",
        "stuck_off": f"{_HERMES}: more than 99% of unit cells programmable on 63 of 64 cores; the 1% bound is "
                     f"taken as the stuck fraction (assumption on its use); {_HERMES_SEEN}",
        "stuck_on": "assumption: no device stuck at g_max (no source read here gives a fraction)",
        "pv_max_iter": f"{_HERMES}: closed-loop program-and-verify, at most 30 iterations; {_HERMES_SEEN}",
        "pv_tolerance": "assumption: 2% of g_max accepted by the verify step (used only by program(verify=...); the "
                        "preset's prog_coeff already describes the chip's own verify loop)",
        "r_wire": f"{_AIHWKIT_IO}: default wire resistance 0.35 ohm between adjacent cells. CHECKED (source); "
                  "aihwkit's generic default, not a PCM measurement",
        "adc_bits": f"{_HERMES}: 8-bit inputs and outputs; {_HERMES_SEEN}",
        "dac_bits": f"{_HERMES}: 8-bit inputs (pulse-width modulated); {_HERMES_SEEN}.  Spikes need 1 bit",
        "adcs_per_tile": f"{_HERMES}: 256 ADCs per core; {_HERMES_SEEN}",
        "v_read": f"assumption: 0.2 V read voltage, low enough not to disturb PCM ({_NC})",
        "t_read": "assumption: 100 ns integration per read (same order as the derived latency_read)",
        "energy_read": "assumption: no per-read overhead beyond the ohmic, converter and digital energies",
        "energy_dac": f"{_ISAAC}: 1-bit DACs, 4 mW for 8 x 128 of them, 4e-3 / (128 * 8 * 1.2e7) x 128/100 "
                      f"(their utilisation factor) = 0.42 pJ per row drive; {_ISAAC_STANDIN}",
        "energy_adc": f"{_ISAAC}: 8-bit SAR ADC, 16 mW for 8 ADCs at 1.2 GS/s = 1.67 pJ per conversion; "
                      f"{_ISAAC_STANDIN}",
        "energy_accumulate": f"{_ISAAC}: shift-and-add, 0.2 mW at 9.6 G ops/s = 0.021 pJ; {_ISAAC_STANDIN}",
        "energy_neuron_update": "assumption: a digital LIF update in the periphery at Loihi's 52 pJ (Davies et al. "
                                f"2018, Table 2; {_NC})",
        "static_power": "assumption: not modelled (no source read here gives it); energies are dynamic only",
        "latency_read": f"derived: {_HERMES}: 63.1 TOPS peak on 64 cores (1-phase mode, {_HERMES_SEEN}); with "
                        "2 operations per multiply-accumulate a 256 x 256 read takes 2*65536/(63.1e12/64) = 133 ns "
                        "(assumption: 2 ops per MAC)",
        "latency_adc": f"{_ISAAC}: 1.2 GS/s per ADC; {_ISAAC_STANDIN}",
        "latency_digital": "assumption: 100 ns per tick for partial sums and neuron updates",
    },
)

RRAM = CrossbarSpec(
    name="rram",
    tile_rows=256, tile_cols=256, tiles_per_chip=48, devices_per_sign=1, differential="analog",
    g_min=0.0, g_max=40e-6, levels=8,
    prog_coeff=(0.348e-6, 16.030e-6, -43.853e-6, 45.393e-6, -16.815e-6), prog_g_ref=40e-6,
    relax_times=(86400.0, 172800.0),
    relax_coeffs=((0.701e-6, 22.086e-6, -50.773e-6, 47.095e-6, -16.458e-6),
                  (0.782e-6, 20.274e-6, -43.507e-6, 37.062e-6, -11.934e-6)),
    read_noise="constant", read_noise_const=0.01,
    stuck_off=0.0, stuck_on=0.0, pv_max_iter=30, pv_tolerance=0.02,
    r_wire=0.35, adc_bits=8, dac_bits=1, adcs_per_tile=256,
    v_read=0.2, t_read=100e-9, energy_read=0.0, energy_dac=0.41667e-12, energy_adc=1.6667e-12,
    energy_accumulate=0.021e-12, energy_neuron_update=52e-12, static_power=0.0,
    latency_read=133e-9, latency_adc=1 / 1.2e9, latency_digital=100e-9,
    reference=f"{_WAN}; {_WAN_AIHW}",
    sources={
        "tile_rows": f"{_WAN}: 48 CIM cores, each a 256 x 256 RRAM array (TNSA of 16 x 16 corelets). CHECKED "
                     "against a summary of the paper and a figure caption read here (no full text)",
        "tile_cols": f"{_WAN}: 256 x 256 per core. CHECKED (as tile_rows)",
        "tiles_per_chip": f"{_WAN}: 48 cores. CHECKED against a summary of the paper",
        "devices_per_sign": f"{_WAN}: a weight is the differential conductance of two RRAM cells (G+ and G-). "
                            "CHECKED (figure caption text read here)",
        "differential": f"{_WAN}: G+ and G- on adjacent rows with a 'differential input' scheme (CHECKED, figure "
                        "caption text); driving them with opposite inputs makes the line carry G+ - G- before the "
                        "neuron converts it (derived).  Modelled as G+ / G- columns subtracted before the ADC (same "
                        "arithmetic; the IR-drop layout differs)",
        "g_min": f"{_WAN_AIHW}: SinglePairConductanceConverter default g_min = 0. CHECKED (source)",
        "g_max": f"{_WAN_AIHW}: the fits are defined at g_max = 40 uS. CHECKED (source comment)",
        "levels": f"derived: {_WAN}: accuracy comparable to software with 4-bit weights (CHECKED, abstract); a "
                  "4-bit signed weight on a differential pair leaves 8 levels per device",
        "prog_coeff": f"{_WAN_AIHW}: spread 1 s after programming, sigma = 0.348 + 16.030 x - 43.853 x**2 + "
                      "45.393 x**3 - 16.815 x**4 uS, x = g/g_max. CHECKED (source)",
        "prog_g_ref": f"{_WAN_AIHW}: 40 uS. CHECKED (source comment)",
        "prog_time": f"{_WAN_AIHW}: the programming fit is the spread 1 s after programming. CHECKED (source)",
        "adc_range": "design choice: the ADC full scale is the tile's largest possible column current (no clipping)",
        "tick_s": "runs as fast as possible",
        "relax_times": f"{_WAN_AIHW}: fits at 1 s, 1 day and 2 days after programming. CHECKED (source).  Between "
                       "the fitted times the spread is interpolated in log time; after 2 days it is held "
                       "(assumption: no data)",
        "relax_coeffs": f"{_WAN_AIHW}: 1 day: 0.701, 22.086, -50.773, 47.095, -16.458; 2 days: 0.782, 20.274, "
                        "-43.507, 37.062, -11.934 (uS, ascending powers). CHECKED (source)",
        "drift_t0": f"{_WAN_AIHW}: RRAM shows no power-law drift (drift_mu = 0); t0 unused",
        "drift_mu": f"{_WAN_AIHW}: 'ReRAM does not show drift in the usual sense'; relaxation instead. CHECKED",
        "drift_sigma": f"{_WAN_AIHW}: no drift exponent. CHECKED",
        "read_noise": f"{_WAN_AIHW}: no data for 1/f read noise; about 1% short-term read noise suggested. CHECKED "
                      "(source docstring)",
        "read_noise_const": f"{_WAN_AIHW}: short-term read noise 'about 1%' (w_noise 0.01, additive constant). "
                            "CHECKED (source docstring); taken as sigma = 0.01 g_max per read",
        "read_1f": "unused ('constant' read noise)",
        "t_read_noise": "unused ('constant' read noise)",
        "stuck_off": "assumption: no stuck devices (no fraction found in the text read here)",
        "stuck_on": "assumption: no stuck devices",
        "pv_max_iter": f"{_WAN}: incremental-pulse write-verify (CHECKED, Extended Data Fig. 3 caption); the "
                       f"30-pulse bound is assumed ({_NC})",
        "pv_tolerance": "assumption: 2% of g_max acceptance range",
        "r_wire": f"{_AIHWKIT_IO}: 0.35 ohm per cell segment, aihwkit's generic default (assumption for this chip)",
        "adc_bits": f"assumption: 8-bit conversions (the neuron's output precision is configurable; {_NC})",
        "dac_bits": f"{_WAN}: inputs applied as pulses, multi-bit inputs as repeated pulses; spikes are 1 bit "
                    "(CHECKED against a summary of the paper)",
        "adcs_per_tile": f"{_WAN}: 256 neurons (converters) per core, one per line. CHECKED against a summary of "
                         "the paper",
        "v_read": f"assumption: 0.2 V read voltage ({_NC})",
        "t_read": "assumption: 100 ns integration per read",
        "energy_read": "assumption: no per-read overhead beyond the ohmic, converter and digital energies",
        "energy_dac": f"{_ISAAC}: 0.42 pJ per 1-bit row drive; {_ISAAC_STANDIN}",
        "energy_adc": f"{_ISAAC}: 1.67 pJ per 8-bit conversion; {_ISAAC_STANDIN}",
        "energy_accumulate": f"{_ISAAC}: 0.021 pJ per shift-and-add; {_ISAAC_STANDIN}",
        "energy_neuron_update": f"assumption: Loihi's 52 pJ per neuron update as a stand-in ({_NC})",
        "static_power": "assumption: not modelled (no source read here gives it); energies are dynamic only",
        "latency_read": "assumption: the PCM preset's derived 133 ns per array read",
        "latency_adc": f"{_ISAAC}: 1.2 GS/s per ADC; {_ISAAC_STANDIN}",
        "latency_digital": "assumption: 100 ns per tick for partial sums and neuron updates",
    },
)

PRESETS = {c.name: c for c in (PCM, RRAM)}


def ideal_devices(spec) -> CrossbarSpec:
    """``spec`` with every non-ideality off: no noise, drift or stuck devices, analog levels, ideal ADC, no wires.

    Geometry and costs stay, so the ideal chip is the reference of the same layout and energy.
    """
    spec = get_crossbar(spec)
    return dataclasses.replace(
        spec.replace(prog_noise_scale=0.0, drift_scale=0.0, read_noise_scale=0.0, stuck_off=0.0, stuck_on=0.0,
                     levels=0, adc_bits=0, r_wire=0.0),
        name=spec.name + "-ideal")


def get_crossbar(name_or_spec) -> CrossbarSpec:
    """A preset by name, a CrossbarSpec (returned as is), a dict, or a path to a TOML file."""
    if isinstance(name_or_spec, CrossbarSpec):
        return name_or_spec
    if isinstance(name_or_spec, Mapping):
        return crossbar_from_dict(name_or_spec)
    text = str(name_or_spec)
    if text in PRESETS:
        return PRESETS[text]
    if text.endswith(".toml"):
        return load_crossbar(text)
    raise CrossbarError(f"unknown crossbar {text!r}; presets: {', '.join(sorted(PRESETS))}, or a .toml file")


_TUPLES = ("prog_coeff", "relax_times", "drift_mu", "drift_sigma", "read_1f")


def crossbar_from_dict(data: Mapping) -> CrossbarSpec:
    """A user-defined crossbar: fields of :class:`CrossbarSpec` (``base = 'pcm'`` starts from a preset)."""
    data = dict(data)
    base = data.pop("base", None)
    fields = {f.name for f in dataclasses.fields(CrossbarSpec)}
    unknown = set(data) - fields
    if unknown:
        hints = [f"{k!r} (did you mean {difflib.get_close_matches(k, fields, 1)})" for k in sorted(unknown)]
        raise CrossbarError(f"crossbar definition: unknown field(s) {', '.join(hints)}")
    for k in _TUPLES:
        if k in data:
            data[k] = tuple(data[k])
    if "relax_coeffs" in data:
        data["relax_coeffs"] = tuple(tuple(c) for c in data["relax_coeffs"])
    if base is not None:
        spec = get_crossbar(base)
        name = data.pop("name", spec.name + "-custom")
        return dataclasses.replace(spec.replace(**data), name=name)
    required = {f.name for f in dataclasses.fields(CrossbarSpec)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    missing = required - set(data)
    if missing:
        raise CrossbarError(f"crossbar definition: missing field(s) {sorted(missing)} (or give base = 'pcm')")
    data.setdefault("sources", {k: "user-defined" for k in data})
    return CrossbarSpec(**data)


def load_crossbar(path) -> CrossbarSpec:
    """A crossbar from a TOML file of ``field = value`` lines (and an optional ``[sources]`` table)."""
    p = Path(path)
    if not p.is_file():
        raise CrossbarError(f"crossbar file {str(p)!r} does not exist")
    try:
        data = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise CrossbarError(f"crossbar file {str(p)!r} is not valid TOML: {exc}") from None
    return crossbar_from_dict(data)
