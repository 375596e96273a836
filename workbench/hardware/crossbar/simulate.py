"""Spike-driven crossbar reads for the AER simulator, and their energy and latency.

:class:`SynapseReader` is the ``synapse_read`` callable of
:func:`workbench.hardware.aersim.simulate`.  Each tick, the neurons that
spiked drive their rows (``v_read`` on a row, 0 V on the others; a spike is
a 1-bit input) in every tile that holds them; all rows a tile receives in
one tick form one array read:

1. every column sums the currents of its devices (Kirchhoff), through the
   effective conductances of :class:`~.state.CrossbarState` (IR drop, drift,
   relaxation and stuck devices already in them);
2. read noise: each read adds ``N(0, sum of the active devices' variances)``
   to a column current (the sum of independent per-device draws);
3. the ADC converts: ``'analog'`` differential chips convert ``I+ - I-``
   with a signed ADC of ``adc_bits`` (codes ``-(2**(b-1)-1) .. 2**(b-1)-1``),
   ``'digital'`` ones convert each column unsigned (``0 .. 2**b - 1``) and
   subtract the codes; the full scale is the tile's ``adc_full_scale``; out of
   range currents clip (counted in :attr:`SynapseReader.clipped`);
4. the digital periphery multiplies by the tile's weight scale and drift
   compensation gain, adds the partial sums of all tiles onto each target
   (postsynaptic neuron, state, delay), converts to the target's state units
   and, for integer chip networks, rounds to the nearest state step.

It returns the arrivals ``(trial, delay, target, value)`` that aersim adds
to its delay buffer.  :func:`crossbar_statistics` counts, from the spike
raster, the array reads, row drives (DAC operations), conversions,
partial-sum additions and neuron updates, and turns them into latency and
energy per trial in the terms of :func:`workbench.hardware.aersim.chip_statistics`.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..aersim import SimResult
from .state import CrossbarState

__all__ = ["SynapseReader", "crossbar_statistics", "STATISTICS"]


class SynapseReader:
    """Reads the crossbar for the spikes of one tick: ``reader(trials, sources, tick) -> (trial, delay, target, value)``.

    ``rng`` draws the per-read noise (needed when the state's read noise is
    ``'per_read'`` and non-zero).  Same state, same ``rng`` seed and same
    spikes give the same arrivals.
    """

    def __init__(self, state: CrossbarState, rng: np.random.Generator | None = None):
        self.state = state
        m = state.mapping
        spec = m.spec
        self.rng = rng
        self.exact = bool(m.net.exact)
        self.n_keys = len(m.key_target)
        self.key_target, self.key_delay = m.key_target, m.key_delay
        noisy = state.read_noise == "per_read" and any(
            np.any(ts.var_plus > 0) or np.any(ts.var_minus > 0) for ts in state.tiles)
        if noisy and rng is None:
            raise ValueError("this crossbar state has per-read noise: give the reader a random generator (rng=)")
        self.noisy = noisy
        # source neuron -> (tile, row) pairs, CSR
        src, tile, row = [], [], []
        for k, t in enumerate(m.tiles):
            src.append(t.rows)
            tile.append(np.full(len(t.rows), k))
            row.append(np.arange(len(t.rows)))
        src = np.concatenate(src) if src else np.zeros(0, np.int64)
        order = np.argsort(src, kind="stable")
        self.src_tile = np.concatenate(tile)[order] if tile else np.zeros(0, np.int64)
        self.src_row = np.concatenate(row)[order] if row else np.zeros(0, np.int64)
        self.src_ptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=m.n_neurons))]).astype(np.int64)
        # tiles stacked and padded to (tiles, rows, columns); padding columns feed a dummy key
        K = m.n_tiles
        Rm = max((len(t.rows) for t in m.tiles), default=1)
        Cm = max((len(t.cols) for t in m.tiles), default=1)
        self.eff = np.zeros((2, K, Rm, Cm))
        self.var = np.zeros((2, K, Rm, Cm)) if noisy else None
        self.gain = np.zeros((K, Cm))  # digital gain to the target's state units (0 on padding)
        self.key = np.full((K, Cm), self.n_keys, dtype=np.int64)
        self.n_cols = np.array([len(t.cols) for t in m.tiles], dtype=np.int64)
        for k, (t, ts) in enumerate(zip(m.tiles, state.tiles)):
            R, C = t.shape
            self.eff[0, k, :R, :C], self.eff[1, k, :R, :C] = ts.eff_plus, ts.eff_minus
            if noisy:
                self.var[0, k, :R, :C], self.var[1, k, :R, :C] = ts.var_plus, ts.var_minus
            self.gain[k, :C] = t.scale * ts.alpha / m.key_lsb[t.cols]
            self.key[k, :C] = t.cols
        self.signed = spec.differential == "analog"
        if spec.adc_bits:
            self.code_max = 2 ** (spec.adc_bits - 1) - 1 if self.signed else 2 ** spec.adc_bits - 1
            self.lsb = np.array([t.adc_full_scale for t in m.tiles]) / self.code_max
        else:
            self.code_max, self.lsb = None, None
        self.clipped = 0  # conversions that hit an end of the ADC range
        self.conversions = 0

    def _convert(self, d, lsb, n_real):
        """ADC: codes times the step (S) of column values ``d`` (reads, columns); counts conversions and clipping."""
        if self.lsb is None:
            return d
        code = np.rint(d / lsb[:, None])
        lo = -self.code_max if self.signed else 0
        real = np.arange(d.shape[1])[None, :] < n_real[:, None]
        self.clipped += int(np.count_nonzero(((code < lo) | (code > self.code_max)) & real))
        self.conversions += int(n_real.sum())
        return np.clip(code, lo, self.code_max) * lsb[:, None]

    def __call__(self, b: np.ndarray, i: np.ndarray, tick: int):
        starts = self.src_ptr[i]
        lens = self.src_ptr[i + 1] - starts
        total = int(lens.sum())
        if total == 0:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty, np.zeros(0)
        csum = np.cumsum(lens)
        idx = np.repeat(starts - (csum - lens), lens) + np.arange(total)
        trials, trial_pos = np.unique(np.repeat(b, lens), return_inverse=True)
        nt = len(trials)
        tile, row = self.src_tile[idx], self.src_row[idx]
        # one array read per (tile, trial) with active rows: Kirchhoff sums of the driven rows' conductances
        group = tile * nt + trial_pos.ravel()
        order = np.argsort(group, kind="stable")
        group, tile, row = group[order], tile[order], row[order]
        first = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
        rt, rtrial = tile[first], group[first] % nt  # tile and trial of each read
        D = np.add.reduceat(self.eff[:, tile, row, :], first, axis=1)  # (2, reads, columns)
        if self.noisy:
            D += np.sqrt(np.add.reduceat(self.var[:, tile, row, :], first, axis=1)) * self.rng.standard_normal(D.shape)
        lsb = None if self.lsb is None else self.lsb[rt]
        if self.signed:
            d = self._convert(D[0] - D[1], lsb, self.n_cols[rt])
        else:
            d = self._convert(D[0], lsb, self.n_cols[rt]) - self._convert(D[1], lsb, self.n_cols[rt])
        # digital periphery: gain, then partial sums of all tiles onto each (trial, target key)
        flat = (rtrial[:, None] * (self.n_keys + 1) + self.key[rt]).ravel()
        acc = np.bincount(flat, weights=(d * self.gain[rt]).ravel(), minlength=nt * (self.n_keys + 1))
        acc = acc.reshape(nt, self.n_keys + 1)[:, :self.n_keys]
        if not self.exact:
            acc = np.rint(acc)
        r, c = np.nonzero(acc)
        return trials[r], self.key_delay[c], self.key_target[c], acc[r, c]


#: Per-trial statistics returned by :func:`crossbar_statistics`.
STATISTICS = ("reads", "row_drives", "conversions", "accumulations", "synops", "neuron_updates", "spikes", "packets",
              "hops", "latency", "energy", "energy_array", "energy_dac", "energy_adc", "energy_converters",
              "energy_accumulate", "energy_digital", "energy_synop", "energy_neuron", "energy_packet", "energy_hop",
              "energy_static")


def crossbar_statistics(result: SimResult, state: CrossbarState, chunk: int = 16) -> dict:
    """Counts, latency and energy per trial of a run whose synapses were read from ``state``.

    Per trial (arrays): ``reads`` (tile reads), ``row_drives`` (physical rows
    driven, one DAC operation each), ``conversions`` (ADC), ``accumulations``
    (digital partial-sum additions, one per logical column per read),
    ``synops`` (synapses of the spiking neurons), ``neuron_updates``,
    ``spikes``, ``latency`` (s) and ``energy`` (J) = ``energy_array`` (ohmic,
    plus ``energy_read`` per read) + ``energy_converters`` (``energy_dac`` +
    ``energy_adc``) + ``energy_digital`` (``energy_accumulate`` +
    ``energy_neuron``) + ``energy_static``.  In the terms of
    :func:`~workbench.hardware.aersim.chip_statistics`: ``energy_synop`` =
    array + converters + accumulations, ``energy_neuron``, and ``packets``,
    ``hops``, ``energy_packet``, ``energy_hop`` = 0 (spike routing between
    tiles is not modelled).  Also ``reads_tick_tile`` (ticks, tiles; summed over
    trials) and ``tick_latency`` (mean over trials).

    A tick lasts the slowest tile's read (``latency_read``, plus
    ``latency_adc`` per extra round of conversions when a tile has more
    columns to convert than ADCs) plus ``latency_digital``, at least ``tick_s``.
    """
    m, spec, net = state.mapping, state.spec, state.mapping.net
    B, T, N = result.raster.shape
    K, n = m.n_tiles, spec.devices_per_sign
    rows_src = np.concatenate([t.rows for t in m.tiles]) if K else np.zeros(0, np.int64)
    rows_tile = np.concatenate([np.full(len(t.rows), k) for k, t in enumerate(m.tiles)]) if K else rows_src
    S = sp.csr_matrix((np.ones(len(rows_src)), (rows_src, rows_tile)), shape=(N, max(K, 1)))
    E = sp.csr_matrix((np.concatenate([ts.row_energy for ts in state.tiles]) if K else np.zeros(0),
                       (rows_src, rows_tile)), shape=(N, max(K, 1)))
    cols = np.array([len(t.cols) for t in m.tiles], dtype=float)
    convs = cols * (1 if spec.differential == "analog" else 2)
    rounds = np.maximum(np.ceil(convs / spec.adcs_per_tile), 1)
    read_lat = spec.latency_read + (rounds - 1) * spec.latency_adc
    fanout = np.diff(net.indptr).astype(float)
    comp = ~net.is_input
    out = {k: np.zeros(B) for k in ("reads", "row_drives", "conversions", "accumulations", "synops", "spikes",
                                    "latency", "energy_array")}
    reads_tt = np.zeros((T, max(K, 1)))
    tick_lat = np.zeros(T)
    for s in range(0, B, max(1, chunk)):
        R = sp.csr_matrix(result.raster[s:s + chunk].reshape(-1, N).astype(np.float32))
        b = R.shape[0] // T
        counts = np.asarray((R @ S).todense()).reshape(b, T, -1)[:, :, :K]
        reads = counts > 0
        sl = slice(s, s + b)
        out["reads"][sl] = reads.sum(axis=(1, 2))
        out["row_drives"][sl] = counts.sum(axis=(1, 2)) * n
        out["conversions"][sl] = (reads * convs).sum(axis=(1, 2))
        out["accumulations"][sl] = (reads * cols).sum(axis=(1, 2))
        out["energy_array"][sl] = np.asarray((R @ E).sum(axis=1)).reshape(b, T).sum(axis=1) \
            + out["reads"][sl] * spec.energy_read
        out["synops"][sl] = (R @ fanout).reshape(b, T).sum(axis=1)
        out["spikes"][sl] = result.raster[sl][:, :, comp].sum(axis=(1, 2))
        lat = np.where(reads, read_lat, 0.0).max(axis=2, initial=0.0) + spec.latency_digital
        if spec.tick_s > 0:
            lat = np.maximum(lat, spec.tick_s)
        out["latency"][sl] = lat.sum(axis=1)
        tick_lat += lat.sum(axis=0)
        reads_tt[:, :K] += reads.sum(axis=0)
    out["neuron_updates"] = np.full(B, float(comp.sum()) * T)
    out["packets"] = np.zeros(B)
    out["hops"] = np.zeros(B)
    out["energy_dac"] = out["row_drives"] * spec.energy_dac
    out["energy_adc"] = out["conversions"] * spec.energy_adc
    out["energy_converters"] = out["energy_dac"] + out["energy_adc"]
    out["energy_accumulate"] = out["accumulations"] * spec.energy_accumulate
    out["energy_neuron"] = out["neuron_updates"] * spec.energy_neuron_update
    out["energy_digital"] = out["energy_accumulate"] + out["energy_neuron"]
    out["energy_synop"] = out["energy_array"] + out["energy_converters"] + out["energy_accumulate"]
    out["energy_packet"] = np.zeros(B)
    out["energy_hop"] = np.zeros(B)
    out["energy_static"] = out["latency"] * spec.static_power * m.n_chips
    out["energy"] = out["energy_array"] + out["energy_converters"] + out["energy_digital"] + out["energy_static"]
    out["reads_tick_tile"] = reads_tt[:, :K]
    out["tick_latency"] = tick_lat / max(B, 1)
    return out
