"""Programming a mapped crossbar and its state at a time after programming.

:func:`program` draws the device-level randomness once (programming error,
stuck devices, drift exponents, relaxation), so one programmed chip can be
looked at after a second, a day or ten years (:func:`at_time`) with the same
devices.  :func:`at_time` returns a :class:`CrossbarState`: per tile the
effective conductances of each input row on each column (drift, relaxation,
stuck devices and IR drop included, see :mod:`.irdrop`), the read-noise
variance per row and column, the global drift compensation gain and the
ohmic energy of each row drive.  :class:`.simulate.SynapseReader` reads it
from :func:`workbench.hardware.aersim.simulate`.

Global drift compensation (aihwkit's ``GlobalDriftCompensation``, after Le
Gallo et al. 2018): per tile, the summed absolute output of every input read
right after programming, divided by the same sum at time ``t``, multiplies
the tile's digital outputs (noise-free effective conductances are used for
both sums, i.e. a calibration averaged over many reads).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .devices import ProgramVerify, conductance_at, drift_exponents, program_devices, read_sigma, stuck_mask
from .irdrop import effective_conductance
from .mapping import CrossbarMapping, map_network

__all__ = ["ProgrammedTile", "ProgrammedCrossbar", "TileState", "CrossbarState", "program", "at_time",
           "build_crossbar", "READ_NOISE_MODES"]

READ_NOISE_MODES = ("per_read", "frozen")


@dataclass
class ProgrammedTile:
    """Device arrays of one tile, each (n R, C): targets, programmed values, drift exponents, relaxation draws."""

    target_plus: np.ndarray
    target_minus: np.ndarray
    prog_plus: np.ndarray
    prog_minus: np.ndarray
    nu_plus: np.ndarray
    nu_minus: np.ndarray
    zr_plus: np.ndarray
    zr_minus: np.ndarray
    stuck_plus: np.ndarray
    stuck_minus: np.ndarray
    pulses: int


@dataclass
class ProgrammedCrossbar:
    mapping: CrossbarMapping
    tiles: list
    verify: ProgramVerify | None = None
    _reference: dict = field(default_factory=dict, repr=False)  # IR method -> per tile sum |D| at t = 0

    @property
    def spec(self):
        return self.mapping.spec


@dataclass
class TileState:
    eff_plus: np.ndarray  # (R, C) column current per volt of each input row, G+ column
    eff_minus: np.ndarray  # (R, C) the same for the G- column
    var_plus: np.ndarray  # (R, C) read-noise variance (S**2) per read of each row's G+ devices
    var_minus: np.ndarray
    alpha: float  # drift compensation gain (1: none)
    row_energy: np.ndarray  # (R,) J per drive of each input row (ohmic, V**2 t_read sum G)


@dataclass
class CrossbarState:
    """The programmed crossbar ``time`` seconds after programming, ready to be read."""

    programmed: ProgrammedCrossbar
    time: float
    tiles: list
    ir_drop: str
    read_noise: str
    compensate: bool

    @property
    def mapping(self) -> CrossbarMapping:
        return self.programmed.mapping

    @property
    def spec(self):
        return self.programmed.mapping.spec


def _expand(a: np.ndarray, n: int) -> np.ndarray:
    """(R, C) per logical row -> (n R, C) per physical row (n devices per sign on consecutive rows)."""
    return np.repeat(a, n, axis=0)


def program(mapping: CrossbarMapping, rng: np.random.Generator, *, verify: ProgramVerify | None = None
            ) -> ProgrammedCrossbar:
    """Program every tile: one draw per device of programming error, stuck state, drift exponent, relaxation."""
    spec, n = mapping.spec, mapping.spec.devices_per_sign
    tiles = []
    for t in mapping.tiles:
        tp, tm = _expand(t.g_plus, n), _expand(t.g_minus, n)
        gp, pp = program_devices(tp, spec, rng, verify)
        gm, pm = program_devices(tm, spec, rng, verify)
        tiles.append(ProgrammedTile(
            target_plus=tp, target_minus=tm, prog_plus=gp, prog_minus=gm,
            nu_plus=drift_exponents(tp, spec, rng), nu_minus=drift_exponents(tm, spec, rng),
            zr_plus=rng.standard_normal(tp.shape), zr_minus=rng.standard_normal(tm.shape),
            stuck_plus=stuck_mask(tp.shape, spec, rng), stuck_minus=stuck_mask(tm.shape, spec, rng),
            pulses=int(pp.sum() + pm.sum())))
    return ProgrammedCrossbar(mapping=mapping, tiles=tiles, verify=verify)


def _conductances(pt: ProgrammedTile, t: float, spec):
    gp = conductance_at(pt.prog_plus, pt.nu_plus, pt.zr_plus, pt.target_plus, t, spec, pt.stuck_plus)
    gm = conductance_at(pt.prog_minus, pt.nu_minus, pt.zr_minus, pt.target_minus, t, spec, pt.stuck_minus)
    return gp, gm


def _effective(tile, gp, gm, spec, method):
    """Effective conductances (R, C) of the G+ and G- columns for each input row."""
    n = spec.devices_per_sign
    R = len(tile.rows)
    inputs = None if n == 1 else np.kron(np.eye(R), np.ones((1, n)))  # input i drives rows n i .. n i + n - 1
    eff = effective_conductance(tile.physical(gp, gm, n), spec.r_wire, method, inputs)
    return eff[:, 0::2], eff[:, 1::2]


def _group(a: np.ndarray, n: int) -> np.ndarray:
    return a.reshape(-1, n, a.shape[1]).sum(axis=1)


def at_time(programmed: ProgrammedCrossbar, t: float, *, ir_drop: str = "first_order", read_noise: str = "per_read",
            compensate: bool | None = None, rng: np.random.Generator | None = None) -> CrossbarState:
    """The crossbar ``t`` seconds after programming.

    ``ir_drop``: ``'exact'``, ``'first_order'`` or ``'iterative'`` (:mod:`.irdrop`).
    ``read_noise``: ``'per_read'`` (a fresh draw at every array read, by the
    reader) or ``'frozen'`` (one draw now, added to the conductances, as aihwkit
    does; needs ``rng``).  ``compensate``: global drift compensation (default:
    the spec's ``drift_compensation``).
    """
    spec = programmed.spec
    if read_noise not in READ_NOISE_MODES:
        raise ValueError(f"read_noise={read_noise!r}: use one of {READ_NOISE_MODES}")
    if read_noise == "frozen" and rng is None:
        raise ValueError("read_noise='frozen' draws the noise now: give rng=")
    if not t >= 0:
        raise ValueError(f"time after programming must be >= 0 s, got {t!r}")
    compensate = spec.drift_compensation if compensate is None else bool(compensate)
    n = spec.devices_per_sign
    if compensate and t > 0 and ir_drop not in programmed._reference:
        ref = []
        for tile, pt in zip(programmed.mapping.tiles, programmed.tiles):
            ep, em = _effective(tile, *_conductances(pt, 0.0, spec), spec, ir_drop)
            ref.append(float(np.abs(ep - em).sum()))
        programmed._reference[ir_drop] = ref
    states = []
    for k, (tile, pt) in enumerate(zip(programmed.mapping.tiles, programmed.tiles)):
        gp, gm = _conductances(pt, t, spec)
        sp_, sm_ = read_sigma(gp, pt.prog_plus, t, spec), read_sigma(gm, pt.prog_minus, t, spec)
        ep, em = _effective(tile, gp, gm, spec, ir_drop)
        alpha = 1.0
        if compensate and t > 0:  # from the noise-free conductances, as the reference
            now = float(np.abs(ep - em).sum())
            alpha = programmed._reference[ir_drop][k] / now if now > 0 else 1.0
        if read_noise == "frozen":
            gp = np.maximum(gp + sp_ * rng.standard_normal(gp.shape), 0.0)
            gm = np.maximum(gm + sm_ * rng.standard_normal(gm.shape), 0.0)
            ep, em = _effective(tile, gp, gm, spec, ir_drop)
            var_p = var_m = np.zeros(tile.shape)
        else:
            var_p, var_m = _group(sp_**2, n), _group(sm_**2, n)
        energy = spec.v_read**2 * spec.t_read * (_group(gp, n).sum(axis=1) + _group(gm, n).sum(axis=1))
        states.append(TileState(eff_plus=ep, eff_minus=em, var_plus=var_p, var_minus=var_m, alpha=alpha,
                                row_energy=energy))
    return CrossbarState(programmed=programmed, time=float(t), tiles=states, ir_drop=ir_drop, read_noise=read_noise,
                         compensate=compensate)


def build_crossbar(net_or_graph, spec, rng: np.random.Generator, drift_time: float = 0.0, *, scale: str = "tile",
                   verify: ProgramVerify | None = None, ir_drop: str = "first_order", read_noise: str = "per_read",
                   compensate: bool | None = None) -> CrossbarState:
    """Map, program and age a network on a crossbar in one call (``rng`` draws the devices)."""
    programmed = program(map_network(net_or_graph, spec, scale=scale), rng, verify=verify)
    return at_time(programmed, drift_time, ir_drop=ir_drop, read_noise=read_noise, compensate=compensate, rng=rng)
