"""Device statistics: programming (optionally program-and-verify), drift, relaxation, read noise, stuck devices.

Vectorised numpy on conductance arrays (siemens) of any shape; every random
draw comes from a :class:`numpy.random.Generator` passed in.  The equations
are those of the spec's sources (:mod:`.specs`):

- programming: ``g_prog = max(g_T + sigma_prog(g_T) z, 0)``, with
  ``sigma_prog(g) = (g_max / prog_g_ref) * sum_k prog_coeff[k] (g/g_max)**k``
  (aihwkit's ``PCMLikeNoiseModel`` / ``ReRamWan2022NoiseModel``);
- program-and-verify (:class:`ProgramVerify`, an option): each pulse lands at
  ``g_T + shot_scale * sigma_prog(g_T) z``; the device is read (read noise at
  ``t0``) and accepted when within ``tolerance * g_max`` of its target, or after
  ``max_iter`` pulses.  The presets' ``prog_coeff`` already describe the spread
  after the chips' own verify loops, so this option is for studying the loop;
- drift (PCM): ``g(t) = g_prog ((t + t0)/t0)**-nu``, ``nu = |N(mu, sigma)|``
  drawn once per device, ``mu = clip(a ln(g_T/g_max) + b, lo, hi)`` and
  likewise ``sigma`` (``g_T/g_max`` clamped at 1e-7 as aihwkit does);
- relaxation (RRAM): the total spread ``s(t)`` is fitted at ``prog_time`` (the
  programming polynomial) and at ``relax_times``; between knots it is
  interpolated linearly in ``ln t``, after the last knot held.  A device
  moves by ``sqrt(s(t)**2 - s(prog_time)**2) z_r`` with ``z_r`` drawn once per
  device, so the spread at every fitted time equals the fit;
- read noise: ``'1/f'``: ``sigma(t) = g(t) Q_s sqrt(ln((t + t0 + t_r)/(2 t_r)))``
  with ``Q_s = min(c / max((g_prog/g_max)**e, 1e-3), q_max)`` (aihwkit evaluates
  ``Q_s`` at the programmed conductance); ``'constant'``: ``sigma =
  read_noise_const * g_max``.  :mod:`.simulate` draws it anew for every read
  or once per deployment (aihwkit's convention);
- stuck devices: a fraction ``stuck_off`` sits at ``g_min``, ``stuck_on`` at
  ``g_max``, whatever is programmed, and they neither drift nor relax.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .specs import CrossbarSpec

__all__ = ["ProgramVerify", "poly_sigma", "programming_sigma", "program_devices", "stuck_mask", "drift_exponents",
           "drift_mean_sigma", "drift_factor", "relaxation_sigma", "conductance_at", "read_sigma"]

_ZERO_CLIP = 1e-7  # aihwkit's floor of g/g_max inside logarithms and powers


@dataclass(frozen=True)
class ProgramVerify:
    """Iterative program-and-verify: pulses until the read lands within ``tolerance * g_max`` of the target.

    ``tolerance`` and ``max_iter`` default to the spec's ``pv_tolerance`` and
    ``pv_max_iter``; ``shot_scale`` multiplies the spec's programming spread
    for a single pulse.
    """

    tolerance: float | None = None
    max_iter: int | None = None
    shot_scale: float = 1.0

    def __post_init__(self):
        if self.tolerance is not None and not self.tolerance > 0:
            raise ValueError(f"ProgramVerify.tolerance must be > 0 (a fraction of g_max), got {self.tolerance!r}")
        if self.max_iter is not None and (int(self.max_iter) != self.max_iter or self.max_iter < 1):
            raise ValueError(f"ProgramVerify.max_iter must be an integer >= 1, got {self.max_iter!r}")
        if not self.shot_scale >= 0:
            raise ValueError(f"ProgramVerify.shot_scale must be >= 0, got {self.shot_scale!r}")


def poly_sigma(g, coeff, spec: CrossbarSpec) -> np.ndarray:
    """``(g_max/prog_g_ref) * sum_k coeff[k] (g/g_max)**k``, at least 0 (S)."""
    x = np.asarray(g, dtype=float) / spec.g_max
    s = np.zeros_like(x)
    for c in reversed(coeff):  # Horner
        s = s * x + c
    return np.maximum(s * (spec.g_max / spec.prog_g_ref), 0.0)


def programming_sigma(g_target, spec: CrossbarSpec) -> np.ndarray:
    """Spread of the programmed conductance around its target (S)."""
    return poly_sigma(g_target, spec.prog_coeff, spec) * spec.prog_noise_scale


def program_devices(g_target, spec: CrossbarSpec, rng: np.random.Generator, verify: ProgramVerify | None = None):
    """Programmed conductances and the pulses spent per device: ``(g_prog, pulses)``."""
    g_target = np.asarray(g_target, dtype=float)
    sigma = programming_sigma(g_target, spec)
    if verify is None:
        g = np.maximum(g_target + sigma * rng.standard_normal(g_target.shape), 0.0)
        return g, np.ones(g_target.shape, dtype=np.int64)
    tol = (spec.pv_tolerance if verify.tolerance is None else verify.tolerance) * spec.g_max
    max_iter = spec.pv_max_iter if verify.max_iter is None else int(verify.max_iter)
    shot = sigma * verify.shot_scale
    g = np.empty_like(g_target)
    pulses = np.zeros(g_target.shape, dtype=np.int64)
    pending = np.ones(g_target.shape, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(pending)
        if len(idx) == 0:
            break
        gt = g_target.flat[idx]
        trial = np.maximum(gt + shot.flat[idx] * rng.standard_normal(len(idx)), 0.0)
        read = trial + read_sigma(trial, trial, 0.0, spec) * rng.standard_normal(len(idx))
        g.flat[idx] = trial
        pulses.flat[idx] += 1
        pending.flat[idx[np.abs(read - gt) <= tol]] = False
    return g, pulses


def stuck_mask(shape, spec: CrossbarSpec, rng: np.random.Generator) -> np.ndarray:
    """int8 array: -1 stuck at g_min, +1 stuck at g_max, 0 working."""
    u = rng.random(shape)
    out = np.zeros(shape, dtype=np.int8)
    out[u < spec.stuck_off] = -1
    out[(u >= spec.stuck_off) & (u < spec.stuck_off + spec.stuck_on)] = 1
    return out


def drift_mean_sigma(g_target, spec: CrossbarSpec):
    """Mean and spread of the drift exponent for target conductances (before folding and drift_scale)."""
    gr = np.maximum(np.abs(np.asarray(g_target, dtype=float)) / spec.g_max, _ZERO_CLIP)
    a, b, lo, hi = spec.drift_mu
    mu = np.clip(a * np.log(gr) + b, lo, hi)
    a, b, lo, hi = spec.drift_sigma
    sig = np.clip(a * np.log(gr) + b, lo, hi)
    return mu, sig


def drift_exponents(g_target, spec: CrossbarSpec, rng: np.random.Generator) -> np.ndarray:
    """``nu = |N(mu(g_T), sigma(g_T))| * drift_scale``, drawn once per device."""
    mu, sig = drift_mean_sigma(g_target, spec)
    z = rng.standard_normal(np.shape(mu))
    return np.abs(mu + sig * z) * spec.drift_scale


def drift_factor(nu, t: float, spec: CrossbarSpec) -> np.ndarray:
    """``((t + t0)/t0)**-nu`` for a time ``t >= 0`` (s) after programming."""
    if t < 0:
        raise ValueError(f"time after programming must be >= 0 s, got {t!r}")
    return ((t + spec.drift_t0) / spec.drift_t0) ** (-np.asarray(nu, dtype=float))


def _spread_at(g_target, t: float, spec: CrossbarSpec) -> np.ndarray:
    """Total relaxation spread at ``t`` (s): interpolation in ln t between the fitted knots."""
    times = [spec.prog_time, *spec.relax_times]
    coeffs = [spec.prog_coeff, *spec.relax_coeffs]
    if t <= times[0]:
        return poly_sigma(g_target, coeffs[0], spec)
    if t >= times[-1]:
        return poly_sigma(g_target, coeffs[-1], spec)
    k = int(np.searchsorted(times, t)) - 1
    f = (np.log(t) - np.log(times[k])) / (np.log(times[k + 1]) - np.log(times[k]))
    return (1 - f) * poly_sigma(g_target, coeffs[k], spec) + f * poly_sigma(g_target, coeffs[k + 1], spec)


def relaxation_sigma(g_target, t: float, spec: CrossbarSpec) -> np.ndarray:
    """Extra spread (S) gained between ``prog_time`` and ``t``: ``sqrt(s(t)**2 - s(prog_time)**2)``."""
    g_target = np.asarray(g_target, dtype=float)
    if not spec.relax_times:
        return np.zeros_like(g_target)
    s0 = poly_sigma(g_target, spec.prog_coeff, spec)
    st = _spread_at(g_target, t, spec)
    return np.sqrt(np.maximum(st**2 - s0**2, 0.0)) * spec.drift_scale


def conductance_at(g_prog, nu, z_relax, g_target, t: float, spec: CrossbarSpec, stuck=None) -> np.ndarray:
    """Conductances ``t`` seconds after programming (drift, relaxation, stuck devices), at least 0."""
    g = np.asarray(g_prog, dtype=float) * drift_factor(nu, t, spec)
    if spec.relax_times:
        g = g + relaxation_sigma(g_target, t, spec) * z_relax
    g = np.maximum(g, 0.0)
    if stuck is not None:
        g = np.where(stuck < 0, spec.g_min, np.where(stuck > 0, spec.g_max, g))
    return g


def read_sigma(g_now, g_prog, t: float, spec: CrossbarSpec) -> np.ndarray:
    """Standard deviation (S) of one read of devices at conductance ``g_now``, ``t`` s after programming."""
    g_now = np.asarray(g_now, dtype=float)
    if spec.read_noise == "none" or spec.read_noise_scale == 0:
        return np.zeros_like(g_now)
    if spec.read_noise == "constant":
        return np.full(g_now.shape, spec.read_noise_const * spec.g_max * spec.read_noise_scale)
    c, e, q_max = spec.read_1f
    gr = np.abs(np.asarray(g_prog, dtype=float)) / spec.g_max
    q = np.minimum(c / np.maximum(gr**e, 1e-3), q_max)
    tt = t + spec.drift_t0
    width = np.sqrt(np.log((tt + spec.t_read_noise) / (2 * spec.t_read_noise)))
    return np.abs(g_now) * q * width * spec.read_noise_scale
