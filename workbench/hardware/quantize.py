"""Quantization: a neutral graph and a chip in, an integer chip network out (pure functions).

:func:`quantize` turns the float graph into a :class:`ChipNetwork` of integer
arrays (weights, thresholds, resets, decay factors, biases, refractory and
delay ticks) in the chip's number formats; :func:`float_network` builds the
same structure in float64 with exact decays: the float reference that every
quantization error and accuracy loss is measured against.

Number formats
--------------
- Weights: ``weight_bits`` bits: single-sign synapse groups (and chips with
  unsigned weights) use all bits for the magnitude, ``[0, 2**n - 1]`` times
  the group's sign; mixed-sign groups ``[-(2**(n-1)-1), 2**(n-1)-1]``
  (1 bit: ``{-1, 0, 1}``); times a scale (mV per weight step) per
  projection and postsynaptic population or core, a power of two (``scale='pow2'``, as
  Loihi's weight exponent) or free (``'free'``); rounding ``'nearest'`` or
  ``'stochastic'`` (unbiased: ``floor(x + U[0,1))``).
- State: membrane ``v`` and current ``u`` as ``state_bits`` signed integers,
  in steps of ``weight_scale / 2**frac`` mV with ``frac`` extra fractional
  bits (as many as the registers allow, at most ``max_frac_bits``); values
  saturate at the register limits.  Thresholds are unsigned
  ``threshold_bits`` integers, saturated.
- Decays: ``exp(-dt/tau)`` as ``D / 2**decay_bits``; the chip computes
  ``x <- trunc(x * D / 2**decay_bits)`` (rounding toward zero, as Loihi).
  Chips without multiplicative leak (``decay_bits = 0``, TrueNorth) get a
  linear leak toward rest and their current synapses become delta synapses
  carrying the same total charge (recorded in ``approximations``).
- Conductance receptors (chips whose ``synapse_types`` include
  ``'conductance'``): the conductance ``u_r`` is a ``state_bits`` integer in
  its own step (the receptor's finest weight step over ``2**frac``, with
  room for the sum of all its input weights); the drive
  ``u_r*(E_rev_r - v)*dt/tau_m`` is computed as
  ``trunc(u_r*(E_r - v)*G)`` with the gain ``G`` a ``decay_bits``-bit
  mantissa times a power of two (multiply and shift), and ``v`` is kept
  within the reversal potentials.  On chips without conductance synapses
  (Loihi, TrueNorth) they become current synapses at ``v_ref``
  (:func:`workbench.hardware.graph.conductance_to_current`, recorded in
  ``approximations``), in the float reference only when asked
  (``float_network(graph, chip)``).
- Delays: ``round(delay/dt)`` ticks; refractory periods likewise.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from .chips import ChipSpec, get_chip
from .graph import FlatGraph, Graph, conductance_to_current

__all__ = [
    "QuantizationError",
    "ChipNetwork",
    "quantize",
    "float_network",
    "round_values",
    "weight_range",
    "quantize_weights",
    "decay_factor",
    "quantize_gain",
    "arithmetic",
]

#: the fields of a chip spec that decide the integers of a quantized network (with the weight bits)
ARITHMETIC = ("weight_signed", "state_bits", "threshold_bits", "decay_bits", "max_delay_ticks", "synapse_types")


class QuantizationError(ValueError):
    """Impossible quantization settings (bits < 1, unknown rounding or scale mode)."""


@dataclass
class ChipNetwork:
    """A network in the chip's number format (integers), or the float reference (``exact=True``).

    Per neuron (global order of :meth:`Graph.flat`): ``threshold``, ``v_reset``,
    ``decay_v`` (numerators over ``2**decay_bits``, or float factors when
    exact), ``leak`` (linear leak per tick), ``bias``, ``ref_ticks``, ``lsb``
    (mV per step of ``v``), ``v_lo``/``v_hi`` (bounds of ``v``), ``is_input``;
    per receptor and neuron, arrays (2, neurons): ``decay_u``,
    ``conductance`` (bool), ``E_rev`` (reversal potential in ``v`` steps),
    ``gain`` (conductance drive per tick), ``u_lsb`` (graph units per step of
    ``u_r``).  Per synapse (sorted by source, CSR ``indptr``): ``src``,
    ``dst``, ``weight`` (added to the state, already shifted by the
    fractional bits), ``delay_ticks``, ``delta``, ``receptor``, ``syn_lsb``
    (graph units per state step of the synapse's target).
    """

    flat: FlatGraph
    dt: float
    exact: bool
    threshold: np.ndarray
    v_reset: np.ndarray
    decay_v: np.ndarray
    decay_u: np.ndarray
    leak: np.ndarray
    bias: np.ndarray
    ref_ticks: np.ndarray
    lsb: np.ndarray
    weight: np.ndarray
    weight_int: np.ndarray  # weight in weight steps (before the fractional shift); == weight when exact
    weight_step: np.ndarray  # mV per weight step, per synapse
    frac_shift: np.ndarray  # per synapse: state steps per weight step (a power of two with pow2 scales)
    delay_ticks: np.ndarray
    delta: np.ndarray
    conductance: np.ndarray | None = None
    E_rev: np.ndarray | None = None
    gain: np.ndarray | None = None
    u_lsb: np.ndarray | None = None
    syn_lsb: np.ndarray | None = None
    v_lo: np.ndarray | None = None
    v_hi: np.ndarray | None = None
    decay_bits: int = 0
    state_min: float = -np.inf
    state_max: float = np.inf
    weight_min: int = 0
    weight_max: int = 0
    chip: ChipSpec | None = None
    settings: dict = field(default_factory=dict)
    approximations: list = field(default_factory=list)
    reset_subtract: np.ndarray | None = None  # bool per neuron: a spike subtracts the threshold
    saturated: dict = field(default_factory=dict)

    @property
    def n_neurons(self) -> int:
        return self.flat.n_neurons

    @property
    def is_input(self) -> np.ndarray:
        return self.flat.is_input

    @property
    def max_delay(self) -> int:
        return int(self.delay_ticks.max()) if len(self.delay_ticks) else 0

    def weight_mV(self) -> np.ndarray:
        """Effective weights in graph units (mV; conductance synapses: leak conductances)."""
        return self.weight * self.syn_lsb

    @property
    def receptor(self):
        return self.flat.receptor

    @property
    def src(self):
        return self.flat.src

    @property
    def dst(self):
        return self.flat.dst

    @property
    def indptr(self):
        return self.flat.indptr

    def replace(self, **changes) -> "ChipNetwork":
        return dataclasses.replace(self, **changes)


def round_values(x, mode: str = "nearest", rng: np.random.Generator | None = None) -> np.ndarray:
    """Round to integers: ``'nearest'`` (half to even) or ``'stochastic'`` (``floor(x + U)``, unbiased)."""
    x = np.asarray(x, dtype=float)
    if mode == "nearest":
        return np.rint(x)
    if mode == "stochastic":
        if rng is None:
            raise QuantizationError("stochastic rounding needs a random generator (rng=)")
        return np.floor(x + rng.random(x.shape))
    raise QuantizationError(f"rounding {mode!r}: use 'nearest' or 'stochastic'")


def weight_range(bits: int, signed: bool) -> tuple[int, int]:
    """Smallest and largest integer weight of ``bits`` bits."""
    if int(bits) != bits or bits < 1:
        raise QuantizationError(f"weight_bits must be an integer >= 1, got {bits!r}")
    if signed:
        if bits == 1:  # a 1-bit magnitude with the sign of the synapse type: {-1, 0, +1}
            return -1, 1
        return -(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def _scale_for(wmax: float, top: int, mode) -> float:
    if not isinstance(mode, str):
        if not float(mode) > 0:
            raise QuantizationError(f"scale {mode!r}: a fixed weight step must be > 0 mV")
        return float(mode)
    if wmax <= 0:
        return 1.0
    s = wmax / top
    if mode == "pow2":
        return float(2.0 ** np.ceil(np.log2(s)))
    if mode == "free":
        return float(s)
    raise QuantizationError(f"scale {mode!r}: use 'pow2' or 'free'")


def quantize_weights(w, bits: int, signed: bool = True, scale: str = "pow2", rounding: str = "nearest",
                     rng=None, step: float | None = None):
    """Quantize one group of weights sharing a scale; returns ``(integers, step)`` (``w ~ ints*step``).

    A group whose weights all have one sign (an excitatory or an inhibitory
    synapse group) spends every bit on the magnitude, ``[0, 2**bits - 1]``,
    with the sign of the group, as Loihi's excitatory-only / inhibitory-only
    synapse formats do; chips with unsigned weights always do this.  A
    mixed-sign group on a signed chip uses ``[-(2**(bits-1)-1), 2**(bits-1)-1]``
    (1 bit: ``{-1, 0, 1}``).
    """
    w = np.asarray(w, dtype=float)
    weight_range(bits, signed)  # validates bits
    single = (not signed) or bool(np.all(w >= 0) or np.all(w <= 0))
    if single:
        lo, hi = 0, 2**bits - 1
        sign = np.sign(w)
        mag = np.abs(w)
    else:
        lo, hi = weight_range(bits, True)
        sign = 1.0
        mag = w
    if step is None:
        step = _scale_for(float(np.max(np.abs(w))) if w.size else 0.0, hi, scale)
    q = round_values(mag / step, rounding, rng)
    q = np.clip(q, lo, hi) * sign
    return q.astype(np.int64), step


def decay_factor(tau, dt: float, bits: int, exact: bool = False):
    """``exp(-dt/tau)`` (0 for tau = 0): as a float (exact) or a numerator over ``2**bits``."""
    tau = np.asarray(tau, dtype=float)
    d = np.where(tau > 0, np.exp(-dt / np.where(tau > 0, tau, 1.0)), 0.0)
    if exact:
        return d
    return np.rint(d * 2**bits).astype(np.int64)


def _neuron_arrays(graph: Graph):
    g = {k: graph.neuron_param(k) for k in ("tau_m", "tau_syn", "tau_syn1", "v_rest", "v_reset", "v_th", "t_ref",
                                            "bias", "E_rev0", "E_rev1", "reset_subtract")}
    for k in g:
        g[k] = np.nan_to_num(g[k], nan=0.0)
    g["tau_m"] = np.where(graph.flat().is_input, 1.0, g["tau_m"])
    return g


def _reversal_bounds(flat: FlatGraph, E_rel: np.ndarray):
    """Bounds of v (relative to rest) for neurons with conductance receptors: rest and their reversal potentials."""
    cond = flat.conductance
    lo = np.where(cond, E_rel, 0.0).min(axis=0)
    hi = np.where(cond, E_rel, 0.0).max(axis=0)
    anyc = cond.any(axis=0)
    return np.where(anyc, lo, -np.inf), np.where(anyc, hi, np.inf)


def _to_chip_synapses(graph: Graph, chip, v_ref):
    """Graph as the chip can run it: conductance synapses become currents at ``v_ref`` when the chip has none."""
    if chip is None or "conductance" in chip.synapse_types or \
            not any(pr.synapse == "conductance" for pr in graph.projections):
        return graph, []
    g = conductance_to_current(graph, v_ref)
    return g, [f"{chip.name}: no conductance synapses; {g.metadata['conductance_to_current']}"]


def float_network(graph: Graph, chip=None, v_ref="mid") -> ChipNetwork:
    """The float reference: the graph's discrete-time dynamics in float64 with exact decays.

    With ``chip`` (a preset name or spec), conductance synapses that the chip
    cannot run are first converted to currents at ``v_ref`` as
    :func:`quantize` does, so the result is the chip's arithmetic in float.
    """
    if chip is not None:
        chip = get_chip(chip)
    graph, approximations = _to_chip_synapses(graph, chip, v_ref)
    flat = graph.flat()
    p = _neuron_arrays(graph)
    dt = graph.dt
    n = flat.n_neurons
    E_rel = np.stack([p["E_rev0"] - p["v_rest"], p["E_rev1"] - p["v_rest"]])
    v_lo, v_hi = _reversal_bounds(flat, E_rel)
    return ChipNetwork(
        flat=flat, dt=dt, exact=True,
        threshold=p["v_th"] - p["v_rest"], v_reset=p["v_reset"] - p["v_rest"],
        decay_v=decay_factor(p["tau_m"], dt, 0, exact=True),
        decay_u=np.stack([decay_factor(p["tau_syn"], dt, 0, exact=True),
                          decay_factor(p["tau_syn1"], dt, 0, exact=True)]),
        leak=np.zeros(n), bias=p["bias"] * dt, ref_ticks=np.rint(p["t_ref"] / dt).astype(np.int64),
        lsb=np.ones(n), weight=flat.weight.copy(), weight_int=flat.weight.copy(), weight_step=np.ones(len(flat.weight)),
        frac_shift=np.ones(len(flat.weight)), delay_ticks=np.rint(flat.delay / dt).astype(np.int64),
        delta=flat.delta.copy(), conductance=flat.conductance.copy(), E_rev=E_rel,
        gain=np.broadcast_to(dt / p["tau_m"], (2, n)).copy(), u_lsb=np.ones((2, n)),
        syn_lsb=np.ones(len(flat.weight)), v_lo=v_lo, v_hi=v_hi, settings={"mode": "float"},
        approximations=approximations, reset_subtract=p["reset_subtract"] > 0)


def arithmetic(chip) -> dict:
    """The chip's number formats (:data:`ARITHMETIC`, plus its name): two chips that agree on them run a
    quantized network identically."""
    chip = get_chip(chip)
    d = {k: getattr(chip, k) for k in ARITHMETIC}
    d["synapse_types"] = sorted(d["synapse_types"])
    return {"name": chip.name, **{k: (v if isinstance(v, list) else int(v)) for k, v in d.items()}}


def quantize_gain(g, bits: int):
    """Positive factors as a ``bits``-bit mantissa times a power of two (multiply, then shift)."""
    g = np.asarray(g, dtype=float)
    if bits < 1:
        raise QuantizationError(f"gain needs >= 1 mantissa bit, got {bits}")
    e = np.where(g > 0, bits - 1 - np.floor(np.log2(np.where(g > 0, g, 1.0))), 0.0)
    return np.rint(g * 2.0**e) / 2.0**e


def quantize(graph: Graph, chip, weight_bits: int | None = None, *, scale: str = "pow2", per: str = "population",
             rounding: str = "nearest", core_of: np.ndarray | None = None, max_frac_bits: int = 8,
             headroom: float = 4.0, seed: int = 0, v_ref="mid", weight_top: dict | None = None,
             weight_step: dict | None = None, state_lsb: dict | None = None) -> ChipNetwork:
    """Quantize ``graph`` for ``chip`` (a preset name or :class:`ChipSpec`).

    Parameters
    ----------
    weight_bits : int, optional
        Weight precision (default: the chip's).  May exceed the chip's width for
        sweeps; :mod:`rules` reports that as a violation.
    scale : {'pow2', 'free'} or float
        Power-of-two or free scale from the largest weight of each group, or a
        fixed weight step in mV (e.g. 1.0 for networks already in integer mV).
    per : {'population', 'core'}
        Weight scale shared by the synapses onto one population, or onto one
        core (needs ``core_of``, the core of every neuron, from :mod:`mapping`).
    rounding : {'nearest', 'stochastic'}
    max_frac_bits : int
        Most fractional state bits below the weight step.
    headroom : float
        The state registers must hold ``headroom`` times the largest of the
        threshold and reset magnitudes.
    seed : int
        Seed of the stochastic rounding.
    v_ref : {'mid', 'rest', 'threshold'} or float
        Reference voltage at which conductance synapses become currents on
        chips without conductance synapses.
    weight_top : dict, optional
        Projection name -> the largest weight magnitude (graph units after any conversion to currents) its
        weight scale must hold, when it exceeds the present weights (learning on chip up to ``w_max``).
    weight_step : dict, optional
        Projection name -> its weight step (mV, graph units after any conversion to currents), fixed
        instead of derived from the weights (a network trained on the chip, rebuilt with the steps it
        learned with; ``scale`` and ``weight_top`` do not apply to it).
    state_lsb : dict, optional
        Population name -> its state step (mV per step of ``v``), fixed instead of derived from the
        weight steps and the register widths (never coarsened; saturation is counted in ``saturated``).
    """
    chip = get_chip(chip)
    bits = chip.weight_bits if weight_bits is None else int(weight_bits)
    if per not in ("population", "core"):
        raise QuantizationError(f"per={per!r}: use 'population' or 'core'")
    if per == "core" and core_of is None:
        raise QuantizationError("per='core' needs core_of (the core of every neuron, from mapping.map_graph)")
    rng = np.random.default_rng(seed)
    graph, approximations = _to_chip_synapses(graph, chip, v_ref)
    flat = graph.flat()
    p = _neuron_arrays(graph)
    dt = graph.dt
    n = flat.n_neurons
    w = flat.weight.copy()
    delta = flat.delta.copy()
    cond_syn = flat.conductance[flat.receptor, flat.dst] & ~delta
    decay_u_f = np.stack([decay_factor(p["tau_syn"], dt, 0, exact=True),
                          decay_factor(p["tau_syn1"], dt, 0, exact=True)])
    if "current" not in chip.synapse_types and np.any(~delta & ~cond_syn):
        if np.any(cond_syn):
            raise QuantizationError(f"{chip.name}: has conductance but no current synapses; not supported")
        # same total charge: sum_k w*d^k = w/(1-d)
        d = decay_u_f[flat.receptor[~delta], flat.dst[~delta]]
        w[~delta] = w[~delta] / np.maximum(1 - d, 1e-12)
        delta[:] = True
        approximations.append(f"{chip.name}: no synaptic current state; current synapses became delta synapses "
                              "with the same total charge")
    # groups sharing a weight scale: (postsynaptic population or core) x projection, like the
    # per-synapse-group weight exponent of Loihi
    if per == "population":
        group_of_neuron = np.repeat(np.arange(len(flat.names)), np.diff(flat.offsets))
    else:
        group_of_neuron = np.asarray(core_of, dtype=np.int64)
        if group_of_neuron.shape != (n,):
            raise QuantizationError(f"core_of has shape {group_of_neuron.shape}; need ({n},)")
    n_proj = int(flat.projection.max()) + 1 if len(flat.projection) else 1
    group = group_of_neuron[flat.dst] * n_proj + flat.projection
    hi = 2**bits - 1  # largest magnitude of any group (single-sign groups use every bit)
    lo = -hi if chip.weight_signed else 0
    step_syn = np.ones(len(w))
    wq = np.zeros(len(w), dtype=np.int64)
    names = [pr.name for pr in graph.projections]
    for what, given, known in (("weight_top", weight_top, names), ("weight_step", weight_step, names),
                               ("state_lsb", state_lsb, list(flat.names))):
        unknown = sorted(set(given or {}) - set(known))
        if unknown:
            raise QuantizationError(f"{what}: no {'population' if what == 'state_lsb' else 'projection'} "
                                    f"{unknown} in the graph (it has {known})")
    top = {names.index(k): float(v) for k, v in (weight_top or {}).items()}
    fixed_step = {names.index(k): float(v) for k, v in (weight_step or {}).items()}
    for g in np.unique(group):
        sel = group == g
        proj = int(g % n_proj)
        if proj in fixed_step:
            wq[sel], step = quantize_weights(w[sel], bits, chip.weight_signed, scale, rounding, rng,
                                             step=fixed_step[proj])
        elif proj in top:  # a phantom weight of the range's magnitude sets the scale, then is dropped
            q, step = quantize_weights(np.append(w[sel], top[proj]), bits, chip.weight_signed, scale, rounding, rng)
            wq[sel] = q[:-1]
        else:
            wq[sel], step = quantize_weights(w[sel], bits, chip.weight_signed, scale, rounding, rng)
        step_syn[sel] = step
    # state step per neuron: the finest weight step onto it, divided by 2**frac
    base = np.full(n, np.inf)
    np.minimum.at(base, flat.dst[~cond_syn], step_syn[~cond_syn])
    span = np.maximum(np.abs(p["v_th"] - p["v_rest"]), np.abs(p["v_reset"] - p["v_rest"])) * headroom
    span = np.where(flat.is_input, 0.0, span)
    state_max = 2 ** (chip.state_bits - 1) - 1
    th_max = 2**chip.threshold_bits - 1
    # neurons without current or delta inputs (conductance inputs only): the finest step at which
    # the state and threshold registers hold their range
    no_in = ~np.isfinite(base)
    fit = np.maximum(span / state_max, np.abs(p["v_th"] - p["v_rest"]) / th_max)
    if scale == "pow2":
        fit = 2.0 ** np.ceil(np.log2(np.where(fit > 0, fit, 1.0)))
    base[no_in] = np.where(fit[no_in] > 0, fit[no_in], 1.0)
    frac = np.zeros(n, dtype=np.int64)
    for f in range(max_frac_bits, -1, -1):
        lsb_f = base / 2**f
        ok = (span / lsb_f <= state_max) & (np.abs(p["v_th"] - p["v_rest"]) / lsb_f <= th_max)
        frac = np.where((frac == 0) & ok & (f > frac), f, frac)
    lsb = base / 2.0**frac
    fixed = np.zeros(n, dtype=bool)
    for name, value in (state_lsb or {}).items():
        if not float(value) > 0:
            raise QuantizationError(f"state_lsb[{name!r}] = {value!r}: a state step must be > 0 mV")
        lsb[flat.slice(name)], fixed[flat.slice(name)] = float(value), True
    # registers too narrow for the finest weight step: coarsen the state step until threshold and
    # state fit, and re-quantize the weights that were finer than it (they lose low-order bits)
    need = np.maximum(span / state_max, np.abs(p["v_th"] - p["v_rest"]) / th_max)
    need = np.where(flat.is_input, 0.0, need)
    coarse = (lsb < need) & ~fixed
    if np.any(coarse):
        lsb[coarse] = 2.0 ** np.ceil(np.log2(need[coarse])) if scale == "pow2" else need[coarse]
        fine = (step_syn < lsb[flat.dst]) & ~cond_syn
        wq[fine] = np.clip(round_values(np.abs(w[fine]) / lsb[flat.dst][fine], rounding, rng), 0, hi) \
            * np.sign(w[fine])
        step_syn[fine] = lsb[flat.dst][fine]
        approximations.append(f"{int(np.sum(coarse))} neuron(s): state/threshold registers too narrow for the "
                              f"weight step; {int(np.sum(fine))} weight(s) re-quantized to the coarser state step")
    # conductance states: step = finest weight step onto the receptor / 2**frac, with room for the sum
    # of all the receptor's input weights
    u_lsb = np.broadcast_to(lsb, (2, n)).copy()
    cond = flat.conductance
    if np.any(cond_syn):
        r_s, d_s = flat.receptor[cond_syn], flat.dst[cond_syn]
        gstep = np.full((2, n), np.inf)
        np.minimum.at(gstep, (r_s, d_s), step_syn[cond_syn])
        gsum = np.zeros((2, n))
        np.add.at(gsum, (r_s, d_s), np.abs(w[cond_syn]))
        need_g = gsum / state_max
        done = ~cond
        for f in range(max_frac_bits, -1, -1):  # the finest step whose register holds the sum
            cand = gstep / 2.0**f
            ok = ~done & (cand >= need_g)
            u_lsb = np.where(ok, cand, u_lsb)
            done |= ok
        if np.any(~done):  # even the weight step overflows: coarsen (weights lose low-order bits)
            coarse_g = 2.0 ** np.ceil(np.log2(np.maximum(need_g, 1e-300)))
            u_lsb = np.where(~done, coarse_g, u_lsb)
            approximations.append(f"{int(np.sum(~done))} conductance register(s) coarser than the weight step")
    syn_lsb = np.where(cond_syn, u_lsb[flat.receptor, flat.dst], lsb[flat.dst])
    shift = step_syn / syn_lsb  # weight step in state steps (a power of two with scale='pow2')
    weight = np.rint(wq * shift)
    E_rel = np.stack([p["E_rev0"] - p["v_rest"], p["E_rev1"] - p["v_rest"]])
    E_int = np.clip(np.rint(E_rel / lsb), -state_max - 1, state_max)
    v_lo_f, v_hi_f = _reversal_bounds(flat, E_rel)
    v_lo = np.where(np.isfinite(v_lo_f), np.rint(np.nan_to_num(v_lo_f, neginf=0.0) / lsb), -np.inf)
    v_hi = np.where(np.isfinite(v_hi_f), np.rint(np.nan_to_num(v_hi_f, posinf=0.0) / lsb), np.inf)
    gain_bits = chip.decay_bits if chip.decay_bits > 0 else 12
    gain = np.where(cond, quantize_gain(u_lsb * dt / p["tau_m"], gain_bits), 0.0)
    th_raw = np.rint((p["v_th"] - p["v_rest"]) / lsb)
    th = np.clip(th_raw, 0, th_max).astype(np.int64)
    reset = np.clip(np.rint((p["v_reset"] - p["v_rest"]) / lsb), -state_max - 1, state_max).astype(np.int64)
    bias = np.clip(np.rint(p["bias"] * dt / lsb), -state_max - 1, state_max).astype(np.int64)
    if chip.decay_bits > 0:
        dv = decay_factor(p["tau_m"], dt, chip.decay_bits)
        du = np.stack([decay_factor(p["tau_syn"], dt, chip.decay_bits),
                       decay_factor(p["tau_syn1"], dt, chip.decay_bits)])
        leak = np.zeros(n, dtype=np.int64)
    else:
        dv = np.ones(n, dtype=np.int64)
        du = np.zeros((2, n), dtype=np.int64)
        # linear leak removing, per tick, the decay the exponential would give at half threshold
        leak = np.rint(0.5 * th * (1 - np.exp(-dt / p["tau_m"]))).astype(np.int64)
        approximations.append(f"{chip.name}: no multiplicative leak; membrane decay became a linear leak of "
                              "0.5*threshold*(1-exp(-dt/tau_m)) per tick")
    saturated = {
        "threshold": int(np.sum((th_raw != th) & ~flat.is_input)),
        "weight": int(np.sum(np.abs(np.rint(w / step_syn)) > max(abs(lo), hi))),
    }
    return ChipNetwork(
        flat=flat, dt=dt, exact=False, threshold=th, v_reset=reset, decay_v=dv, decay_u=du, leak=leak, bias=bias,
        ref_ticks=np.rint(p["t_ref"] / dt).astype(np.int64), lsb=lsb, weight=weight, weight_int=wq,
        weight_step=step_syn, frac_shift=shift.astype(float),
        delay_ticks=np.rint(flat.delay / dt).astype(np.int64), delta=delta, conductance=cond.copy(), E_rev=E_int,
        gain=gain, u_lsb=u_lsb, syn_lsb=syn_lsb, v_lo=v_lo, v_hi=v_hi, decay_bits=chip.decay_bits,
        state_min=-state_max - 1, state_max=state_max, weight_min=lo, weight_max=hi, chip=chip,
        settings={"weight_bits": bits, "scale": scale, "per": per, "rounding": rounding, "seed": seed,
                  "max_frac_bits": max_frac_bits, "gain_bits": gain_bits, "v_ref": v_ref,
                  "weight_step": dict(weight_step or {}), "state_lsb": dict(state_lsb or {})},
        approximations=approximations, saturated=saturated, reset_subtract=p["reset_subtract"] > 0)


def quantization_error(net: ChipNetwork, graph: Graph) -> dict:
    """Relative RMS error of the effective weights and thresholds against the float graph
    (the graph as the chip runs it, i.e. after any conductance-to-current conversion)."""
    if net.chip is not None:
        graph, _ = _to_chip_synapses(graph, net.chip, net.settings.get("v_ref", "mid"))
    flat = graph.flat()
    w_eff = net.weight_mV()
    p = _neuron_arrays(graph)
    th_eff = net.threshold * net.lsb
    th = (p["v_th"] - p["v_rest"])[~flat.is_input]
    th_eff = th_eff[~flat.is_input]

    def rel(a, b):
        den = np.sqrt(np.mean(b**2)) if b.size else 0.0
        return float(np.sqrt(np.mean((a - b) ** 2)) / den) if den > 0 else 0.0

    return {"weight_rel_rms": rel(w_eff, flat.weight), "threshold_rel_rms": rel(th_eff, th)}


__all__.append("quantization_error")
