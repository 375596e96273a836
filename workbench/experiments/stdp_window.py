"""Protocol logic of ``protocols/stdp_window.py``: the weight change of each plasticity rule as a function
of the spike-time difference.

Every pairing is its own synapse between two *clock neurons*
(:data:`~workbench.models.generators.PERIODIC_SPIKES`, which fire at
``t_first + k*period`` for ``k < n_spikes``): synapse
``s`` sees a presynaptic spike at ``t0 + k/f`` and a postsynaptic one at
``t0 + delta_t[s] + k/f``.  All rules and all pairings run in one network, so
the standalone backend builds once.

Measured
--------
- ``dw`` (rule, delta_t): weight change after ``n_pairs`` pairings at
  ``pairing_frequency``, from ``w_init`` (deterministic rules).  For the
  stochastic binary rule the weight starts at 0 when delta_t > 0 and at
  ``w_max`` when delta_t < 0; ``dw`` is the mean over ``n_trials`` synapses
  (its standard error in ``dw_sem``), i.e. +-w_max times the switching
  probability.
- ``triplet_dw`` (frequency, pairing): triplet-rule weight change after
  ``triplet_pairs`` pairings at +-``triplet_delta_t`` and each frequency: the
  frequency dependence of Pfister & Gerstner 2006, Fig. 4 (Sjostrom et al.
  2001 protocol), on separate synapses whose bound ``triplet_w_max`` is far
  away (the fits of Pfister & Gerstner have no bounds).

Expected
--------
``*_expected`` come from an independent event-driven evaluation of each rule's
definition in numpy (traces as exact sums of exponentials over the recorded
spike times, weights updated event by event with the same bounds; for the
stochastic rule the exact probability that the weight is high, propagated
through the spike sequence).  For one pairing they reduce to the closed forms
``A_plus*exp(-dt/tau_plus)`` / ``-A_minus*exp(dt/tau_minus)`` (pair rules) and
``+-w_max*p*exp(-|dt|/tau)`` (stochastic).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from brian2 import Hz, Network, SpikeMonitor, defaultclock, mV, ms

from .. import models
from ..backends import Simulation, model_key, use_backend
from ..models.generators import PERIODIC_SPIKES
from ..params import ParameterError
from ..recording import scalar, variable

__all__ = ["RULES", "reference_dw", "switch_probability", "pairing_times", "triplet_pairing_closed_form",
           "rule_names", "window_grid", "Pairings", "pairing_table", "check_weights", "simulate", "archive"]

#: Rules measured by this protocol: name -> (kind, options for the reference).
RULES = {
    "stdp_add": ("pair", dict(bounds="additive", spikes="all")),
    "stdp_add_nearest": ("pair", dict(bounds="additive", spikes="nearest")),
    "stdp_mult": ("pair", dict(bounds="multiplicative", spikes="all")),
    "stdp_mult_nearest": ("pair", dict(bounds="multiplicative", spikes="nearest")),
    "triplet_stdp": ("triplet", {}),
    "stochastic_binary_stdp": ("stochastic", {}),
}


def pairing_times(t0, delta_t, n, period):
    """Presynaptic and postsynaptic spike times (arrays) of one pairing protocol (all in ms)."""
    k = np.arange(n)
    return t0 + k * period, t0 + delta_t + k * period


# ------------------------------------------------------------------------------- reference (numpy)

def _events(pre, post):
    """Spike events in time order; at equal times the presynaptic event first."""
    ev = [(float(t), 0) for t in pre] + [(float(t), 1) for t in post]
    ev.sort()
    return ev


def reference_dw(rule: str, pre, post, w0: float, params=None) -> float:
    """Weight change of a deterministic rule for given spike times (ms), from the rule's definition.

    Independent of Brian2: traces are evaluated as exact sums of exponentials
    over the earlier spikes (all-to-all) or the last spike (nearest), and the
    weight is updated event by event with the rule's bounds.
    """
    kind, opt = RULES[rule]
    p = dict(models.plasticity(rule).params if params is None else params)
    wmax = float(p["w_max"])
    w = float(w0)
    pre_seen, post_seen = [], []
    if kind == "pair":
        tp, tm = float(p["tau_plus"] / ms), float(p["tau_minus"] / ms)
        Ap, Am = float(p["A_plus"]), float(p["A_minus"])
        for t, is_post in _events(pre, post):
            if not is_post:
                pre_seen.append(t)
                x = np.asarray(post_seen)
                if opt["spikes"] == "nearest":
                    x = x[-1:]
                apost = np.sum(np.exp(-(t - x) / tm))
                scale = w / wmax if opt["bounds"] == "multiplicative" else 1.0
                w = min(max(w - Am * apost * scale, 0.0), wmax)
            else:
                post_seen.append(t)
                x = np.asarray(pre_seen)
                if opt["spikes"] == "nearest":
                    x = x[-1:]
                apre = np.sum(np.exp(-(t - x) / tp))
                scale = (wmax - w) / wmax if opt["bounds"] == "multiplicative" else 1.0
                w = min(max(w + Ap * apre * scale, 0.0), wmax)
        return w - w0
    if kind == "triplet":
        tp, tm, tx, ty = (float(p[k] / ms) for k in ("tau_plus", "tau_minus", "tau_x", "tau_y"))
        for t, is_post in _events(pre, post):
            if not is_post:
                o = np.asarray(post_seen)
                r = np.asarray(pre_seen)         # earlier presynaptic spikes only (r2 before the update)
                o1 = np.sum(np.exp(-(t - o) / tm))
                r2 = np.sum(np.exp(-(t - r) / tx))
                w = min(max(w - o1 * (float(p["A2_minus"]) + float(p["A3_minus"]) * r2), 0.0), wmax)
                pre_seen.append(t)
            else:
                r = np.asarray(pre_seen)
                o = np.asarray(post_seen)        # earlier postsynaptic spikes only (o2 before the update)
                r1 = np.sum(np.exp(-(t - r) / tp))
                o2 = np.sum(np.exp(-(t - o) / ty))
                w = min(max(w + r1 * (float(p["A2_plus"]) + float(p["A3_plus"]) * o2), 0.0), wmax)
                post_seen.append(t)
        return w - w0
    raise ValueError(f"reference_dw: {rule!r} is stochastic; use switch_probability()")


def switch_probability(pre, post, high0: bool, params=None) -> float:
    """Exact probability that a stochastic binary synapse is high after the spike sequence.

    Switching probabilities depend only on spike times (nearest-spike traces), so
    ``q = P(w = w_max)`` propagates linearly: at a postsynaptic spike
    ``q += (1 - q)*p_plus*apre``; at a presynaptic spike ``q *= 1 - p_minus*apost``.
    """
    p = dict(models.plasticity("stochastic_binary_stdp").params if params is None else params)
    tp, tm = float(p["tau_plus"] / ms), float(p["tau_minus"] / ms)
    q = 1.0 if high0 else 0.0
    last_pre = last_post = None
    for t, is_post in _events(pre, post):
        if not is_post:
            last_pre = t
            apost = 0.0 if last_post is None else np.exp(-(t - last_post) / tm)
            q *= 1 - float(p["p_minus"]) * apost
        else:
            last_post = t
            apre = 0.0 if last_pre is None else np.exp(-(t - last_pre) / tp)
            q += (1 - q) * float(p["p_plus"]) * apre
    return q


def triplet_pairing_closed_form(delta_t, frequency, n_pairs, params=None) -> float:
    """Closed-form weight change of the all-to-all triplet rule for ``n_pairs`` periodic pairings.

    Pre spikes at ``k*T``, post spikes at ``k*T + delta_t`` (``|delta_t| < T``, times in ms,
    ``frequency`` in Hz); no weight bounds reached.  With ``q_z = exp(-T/tau_z)`` every trace just
    before the k-th event is a geometric sum, e.g. for ``delta_t > 0`` the k-th post spike sees
    ``r1 = exp(-delta_t/tau_plus)*(1 - q_plus**(k+1))/(1 - q_plus)`` and
    ``o2 = q_y*(1 - q_y**k)/(1 - q_y)`` (Pfister & Gerstner 2006, eqs. 3-4 summed over the protocol).
    """
    p = dict(models.plasticity("triplet_stdp").params if params is None else params)
    T = 1000.0 / float(frequency)
    d = float(delta_t)
    if not 0 < abs(d) < T:
        raise ValueError(f"need 0 < |delta_t| < period, got delta_t={d} ms, period={T} ms")
    tp, tm, tx, ty = (float(p[k] / ms) for k in ("tau_plus", "tau_minus", "tau_x", "tau_y"))
    qp, qm, qx, qy = np.exp(-T / tp), np.exp(-T / tm), np.exp(-T / tx), np.exp(-T / ty)
    k = np.arange(int(n_pairs))
    r2 = qx * (1 - qx**k) / (1 - qx)            # earlier pre spikes, seen by the k-th pre spike
    o2 = qy * (1 - qy**k) / (1 - qy)            # earlier post spikes, seen by the k-th post spike
    if d > 0:
        r1 = np.exp(-d / tp) * (1 - qp ** (k + 1)) / (1 - qp)   # pre spikes 0..k before post k
        o1 = np.exp(d / tm) * qm * (1 - qm**k) / (1 - qm)        # post spikes 0..k-1 before pre k
    else:
        a = -d
        r1 = np.exp(a / tp) * qp * (1 - qp**k) / (1 - qp)        # pre spikes 0..k-1 before post k
        o1 = np.exp(-a / tm) * (1 - qm ** (k + 1)) / (1 - qm)    # post spikes 0..k before pre k
    pot = r1 * (float(p["A2_plus"]) + float(p["A3_plus"]) * o2)
    dep = o1 * (float(p["A2_minus"]) + float(p["A3_minus"]) * r2)
    return float(np.sum(pot) - np.sum(dep))


# ------------------------------------------------------------------------------------ simulation

def rule_names(rules) -> list[str]:
    """The rules to measure: ``rules`` (names in :data:`RULES`) or, if empty, all of them."""
    rules = list(rules) if rules else list(RULES)
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise ParameterError(f"rules: unknown rule(s) {unknown}; known: {', '.join(RULES)}")
    return rules


def window_grid(delta_t_max, delta_t_step) -> np.ndarray:
    """The delta_t values (ms) of the window: multiples of ``delta_t_step`` up to ``delta_t_max``, 0 left out
    (pre and post in the same step have no defined order)."""
    step, dmax = float(delta_t_step / ms), float(delta_t_max / ms)
    if step <= 0 or dmax <= 0:
        raise ParameterError("delta_t_step and delta_t_max must be > 0")
    grid = np.arange(-np.floor(dmax / step), np.floor(dmax / step) + 1) * step
    return grid[np.abs(grid) > 1e-9]


@dataclass(frozen=True)
class Pairings:
    """One pairing protocol per synapse index (times in ms): the window block (``n_win`` pairings at the
    ``grid`` values) and then, per triplet frequency, +triplet_delta_t and -triplet_delta_t."""

    grid: np.ndarray          # delta_t of the window block
    delta: np.ndarray         # t_post - t_pre of every pairing protocol
    periods: np.ndarray       # repetition period of every protocol
    counts: np.ndarray        # spike pairs of every protocol
    frequencies: np.ndarray   # triplet frequencies (Hz)
    triplet_delta_t: float
    t0: float                 # first presynaptic spike
    duration: float           # simulated time

    @property
    def n_win(self) -> int:
        return len(self.grid)


def _floats(key, values):
    try:
        out = np.array([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"parameter {key!r}: expected numbers, got {values!r}") from None
    if np.any(out <= 0):
        raise ParameterError(f"parameter {key!r}: values must be > 0, got {values!r}")
    return out


def pairing_table(grid, n_pairs: int, pairing_frequency, dt, triplet_frequencies=(), triplet_pairs: int = 60,
                  triplet_delta_t=10 * ms) -> Pairings:
    """The pairing protocols: ``n_pairs`` pairings at ``pairing_frequency`` for each ``grid`` value, and
    ``triplet_pairs`` pairings at +-``triplet_delta_t`` for each of ``triplet_frequencies`` (Hz; empty:
    none).  Raises :class:`ParameterError` where pre and post spikes of successive pairings would coincide."""
    dt = float(dt / ms)
    period = 1000.0 / float(pairing_frequency / Hz)
    n_pairs = int(n_pairs)
    if n_pairs < 1 or triplet_pairs < 1:
        raise ParameterError("n_pairs and triplet_pairs must be >= 1")
    if n_pairs > 1 and np.any(np.abs(np.abs(grid) - period * np.round(np.abs(grid) / period)) < dt):
        raise ParameterError(f"delta_t values reach a multiple of the pairing period ({period} ms): "
                             "pre and post spikes would coincide; lower pairing_frequency or delta_t_max")
    freqs = _floats("triplet_frequencies", triplet_frequencies) if len(triplet_frequencies) else np.array([])
    tdt = float(triplet_delta_t / ms)
    if len(freqs) and np.any(1000.0 / freqs <= abs(tdt) + dt):
        raise ParameterError(f"triplet_frequencies: the period must exceed |triplet_delta_t| = {abs(tdt)} ms "
                             "(else pre and post spikes of successive pairings coincide)")
    t0 = float(np.max(np.abs(grid))) + abs(tdt) + 1.0
    delta, periods, counts = list(grid), [period] * len(grid), [n_pairs] * len(grid)
    for f in freqs:
        for sign in (1, -1):
            delta.append(sign * tdt)
            periods.append(1000.0 / f)
            counts.append(int(triplet_pairs))
    delta, periods, counts = np.array(delta), np.array(periods), np.array(counts)
    duration = float(np.max(t0 + np.maximum(delta, 0) + (counts - 1) * periods)) + 2.0 + 2 * dt
    return Pairings(grid=np.asarray(grid), delta=delta, periods=periods, counts=counts, frequencies=freqs,
                    triplet_delta_t=tdt, t0=t0, duration=duration)


def check_weights(w_init: float, triplet_w_max: float) -> None:
    """``w_init`` in [0, w_max = 1] and a triplet frequency bound above it."""
    if not 0 <= w_init <= 1:
        raise ParameterError(f"w_init must lie in [0, w_max = 1], got {w_init}")
    if triplet_w_max <= w_init:
        raise ParameterError(f"triplet_w_max must exceed w_init ({w_init})")


def simulate(rules, pairings: Pairings, *, w_init: float, n_trials: int, triplet_w_max: float, dt, backend: str,
             seed: int, threads: int = 1) -> dict:
    """Run every rule on every pairing protocol in one network.

    Each pairing is its own synapse between two :data:`~workbench.models.generators.PERIODIC_SPIKES`
    neurons; the stochastic rule gets ``n_trials`` synapses per delta_t, starting at 0 where delta_t > 0
    and at w_max where delta_t < 0; the triplet frequency protocol has its own synapses with the bound
    ``triplet_w_max``.  Returns ``{'w_end': {rule: weights}, 'pre': {i: spike times}, 'post': {...}}``
    (ms).
    """
    if n_trials < 1:
        raise ParameterError("n_trials must be >= 1")
    p, n_win, N = pairings, pairings.n_win, len(pairings.delta)
    key = model_key("stdp_window", rules, N, n_win, int(n_trials), float(dt / ms), p.duration,
                    tuple(np.round(p.delta, 9)), tuple(np.round(p.periods, 9)), tuple(p.counts))
    with use_backend(backend, key=key, seed=seed, threads=threads) as be:
        defaultclock.dt = dt
        pre = models.neuron_group(PERIODIC_SPIKES, N, name="stdp_pre")
        post = models.neuron_group(PERIODIC_SPIKES, N, name="stdp_post")
        pre.t_first = p.t0 * ms
        post.t_first = (p.t0 + p.delta) * ms
        pre.period = post.period = p.periods * ms
        pre.n_spikes = post.n_spikes = p.counts
        pre_mon, post_mon = SpikeMonitor(pre, name="stdp_pre_spikes"), SpikeMonitor(post, name="stdp_post_spikes")
        objects = [pre, post, pre_mon, post_mon]
        synapses = {}
        for rule in rules:
            kind = RULES[rule][0]
            S = models.connect(pre, post, "v", plasticity=models.plasticity(rule), w_scale=1 * mV,
                               name=f"stdp_{rule}")
            if kind == "stochastic":
                idx = np.repeat(np.arange(n_win), int(n_trials))
                S.connect(i=idx, j=idx)
            else:
                S.connect(i=np.arange(n_win), j=np.arange(n_win))
            models.init_synapses(S)
            if kind == "stochastic":
                wmax = float(models.plasticity(rule).params["w_max"])
                S.w = np.where(p.delta[idx] > 0, 0.0, wmax)
            else:
                S.w = w_init
            synapses[rule] = S
            objects.append(S)
        if len(p.frequencies):
            # frequency protocol on its own synapses, with a weight bound far away (Pfister & Gerstner's
            # fits have none): 60 pairings at 50 Hz would otherwise saturate at w_max = 1
            S = models.connect(pre, post, "v", plasticity=models.plasticity("triplet_stdp"), w_scale=1 * mV,
                               name="stdp_triplet_frequency", w_max=float(triplet_w_max))
            S.connect(i=np.arange(n_win, N), j=np.arange(n_win, N))
            models.init_synapses(S)
            S.w = w_init
            synapses["triplet_frequency"] = S
            objects.append(S)
        Simulation(Network(objects), p.duration * ms, be).run()
        w_end = {r: np.asarray(S.w[:], dtype=float) for r, S in synapses.items()}
        pre_trains = {i: np.asarray(t / ms) for i, t in pre_mon.spike_trains().items()}
        post_trains = {i: np.asarray(t / ms) for i, t in post_mon.spike_trains().items()}
    missing = [i for i in range(N) if len(pre_trains[i]) != p.counts[i] or len(post_trains[i]) != p.counts[i]]
    if missing:
        raise RuntimeError(f"stdp-window: clock neurons {missing[:5]} did not fire their {p.counts[missing[0]]} "
                           "spikes; the duration is too short (bug)")
    return {"w_end": w_end, "pre": pre_trains, "post": post_trains}


def archive(rules, pairings: Pairings, sim: dict, *, w_init: float, n_trials: int, triplet_w_max: float,
            triplet_pairs: int, n_pairs: int) -> xr.Dataset:
    """Measured weight changes beside each rule's definition evaluated on the same spike times."""
    grid, n_win = pairings.grid, pairings.n_win
    w_end, pre_trains, post_trains = sim["w_end"], sim["pre"], sim["post"]
    n_rules = len(rules)
    dw = np.full((n_rules, n_win), np.nan)
    dw_exp = np.full((n_rules, n_win), np.nan)
    dw_sem = np.zeros((n_rules, n_win))
    for a, rule in enumerate(rules):
        w = w_end[rule]
        if RULES[rule][0] == "stochastic":
            wmax = float(models.plasticity(rule).params["w_max"])
            w = w.reshape(n_win, int(n_trials))
            w0 = np.where(grid > 0, 0.0, wmax)
            change = w - w0[:, None]
            dw[a] = change.mean(axis=1)
            dw_sem[a] = change.std(axis=1, ddof=1) / np.sqrt(change.shape[1]) if change.shape[1] > 1 else 0.0
            for s in range(n_win):
                q = switch_probability(pre_trains[s], post_trains[s], high0=grid[s] < 0)
                dw_exp[a, s] = wmax * q - w0[s]
        else:
            dw[a] = w[:n_win] - w_init
            for s in range(n_win):
                dw_exp[a, s] = reference_dw(rule, pre_trains[s], post_trains[s], w_init)
    ds = xr.Dataset(
        {"dw": variable(dw, ("rule", "delta_t"), "1", "weight change (measured)"),
         "dw_expected": variable(dw_exp, ("rule", "delta_t"), "1",
                                 "weight change (rule definition, event-driven numpy)"),
         "dw_sem": variable(dw_sem, ("rule", "delta_t"), "1", "standard error of the mean weight change")},
        coords={"rule": variable(rules, "rule", "1", "plasticity rule"),
                "delta_t": variable(grid, "delta_t", "ms", "t_post - t_pre")})
    freqs, tdt = pairings.frequencies, pairings.triplet_delta_t
    if len(freqs):
        tr = w_end["triplet_frequency"].reshape(len(freqs), 2) - w_init
        tp = dict(models.plasticity("triplet_stdp").params, w_max=float(triplet_w_max))
        tr_exp = np.array([[reference_dw("triplet_stdp", pre_trains[n_win + 2 * f + s],
                                         post_trains[n_win + 2 * f + s], w_init, params=tp) for s in range(2)]
                           for f in range(len(freqs))])
        ds["triplet_dw"] = variable(tr, ("frequency", "pairing"), "1", "triplet-rule weight change (measured)")
        ds["triplet_dw_expected"] = variable(tr_exp, ("frequency", "pairing"), "1",
                                             "triplet-rule weight change (rule definition)")
        ds = ds.assign_coords(frequency=variable(freqs, "frequency", "Hz", "pairing frequency"),
                              pairing=variable(np.array([tdt, -tdt]), "pairing", "ms", "t_post - t_pre"))
        ds["triplet_pairs"] = scalar(int(triplet_pairs), "1", "pairings per frequency")
    ds["n_pairs"] = scalar(int(n_pairs), "1", "pairings per window point")
    ds["w_init"] = scalar(float(w_init), "1", "initial weight (deterministic rules)")
    ds["n_trials"] = scalar(int(n_trials), "1", "synapses per delta_t (stochastic rule)")
    ds["simulated_time"] = scalar(pairings.duration / 1000.0, "s", "simulated time")
    return ds
