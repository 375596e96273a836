"""Bit-accurate, time-stepped, event-driven simulation of a mapped network, with traffic, latency and energy.

Tick semantics (the same for the integer chip and the float reference)::

    1. refractory neurons count down and hold v; the others are "active"
    2. active: v <- decay(v, decay_v) - leak + bias + sum_r drive_r(u_r, v)
       (current receptor: drive = u_r; conductance receptor:
       drive = trunc(u_r * (E_r - v) * gain_r)), v kept within [v_lo, v_hi]
    3. u_r <- decay(u_r, decay_u_r)                 (saturate u, v to the state registers)
    4. spikes: active and v > threshold (compartments); stimulus spikes (inputs)
    5. every spike sends its fan-out (CSR by source); a synapse with delay d
       lands in the arrival buffer of tick t + d; arrivals of tick t are added:
       u_r += current / conductance arrivals, v += delta arrivals (dropped
       while refractory)
    6. spiking neurons: v <- v_reset (``reset_subtract``: v <- v - threshold), refractory for ref_ticks ticks

So the arrivals of tick t drive v undecayed in tick t + 1, as on Loihi
(u[t] = decay(u[t-1]) + input of the spikes of t-1; v[t] = decay(v[t-1]) + u[t])
and in Brian2 (state update from the conductances of the step start, then
threshold, propagation, reset).  Integer decay is
``trunc(x * D / 2**decay_bits)`` (toward zero, as Loihi); the float
reference multiplies by ``exp(-dt/tau)``.  All integer arithmetic
is carried in float64, which is exact for the register widths of the presets
(|x*D| < 2**53).

Trials run as a batch (state arrays ``(trials, neurons)``): per tick the
spiking (trial, source) pairs gather their synapses from the CSR arrays and
one ``np.bincount`` adds all arrivals.  The run records the spike raster;
:func:`chip_statistics` derives from it and the mapping the per tick and
core synaptic operations, neuron updates, packets, hops, link loads, the
latency of each tick (compute, routing and congestion, barrier) and the
energy (counts times the chip's per-event figures plus static power).
:func:`aer_events` lists the address-event stream (trial, tick, core,
neuron address within the core).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .mapping import ChipMapping
from .quantize import ChipNetwork, round_values

__all__ = ["SimResult", "STDPConfig", "simulate", "chip_statistics", "aer_events", "encode_inputs"]


@dataclass
class STDPConfig:
    """Pair-based STDP on one projection, applied on chip (quantized weights) or in float.

    Traces jump by 1 (``trace='add'``) or are set to 1 (``'set'``) and decay
    with ``tau_plus`` / ``tau_minus``; a presynaptic spike depresses by
    ``A_minus * x_post``, a postsynaptic spike potentiates by
    ``A_plus * x_pre`` (times ``x_post2`` before the spike when ``tau_post2``
    is given: Diehl & Cook's rule), in units of ``w_max``; weights stay in
    ``[0, w_max]``.  On the chip, the change in weight steps is rounded
    with ``rounding`` (stochastic rounding keeps small updates unbiased).
    """

    projection: int
    A_plus: float = 0.01
    A_minus: float = 0.0105
    tau_plus: float = 20.0  # ms
    tau_minus: float = 20.0  # ms
    w_max: float = 1.0  # mV (float) -- the largest weight
    rounding: str = "stochastic"
    normalize: float | None = None  # keep the sum of incoming plastic weights per neuron (mV), if given
    trace: str = "add"  # 'add': a spike adds 1 to its trace; 'set': sets it to 1 (Diehl & Cook)
    tau_post2: float | None = None  # ms; if given, potentiation is also multiplied by a second postsynaptic
    #                                 trace read before the spike (Diehl & Cook's post2, 40 ms)


@dataclass
class SimResult:
    raster: np.ndarray  # (trials, ticks, neurons) bool
    n_ticks: int
    dt: float
    wall_time: float
    synaptic_events: int
    saturations: int = 0
    weights: np.ndarray | None = None  # final weights (after learning)
    info: dict = field(default_factory=dict)
    #: spike counts of more trials than ``raster`` holds (a batch run in chunks keeps the raster of its
    #: first chunk and the counts of all); None: counted from ``raster``
    all_counts: np.ndarray | None = None

    @property
    def counts(self) -> np.ndarray:
        """Spike counts (trials, neurons)."""
        return self.raster.sum(axis=1) if self.all_counts is None else self.all_counts

    def spikes(self, trial: int = 0):
        """(ticks, neurons) of trial ``trial``, sorted by tick then neuron."""
        t, i = np.nonzero(self.raster[trial])
        return t, i


def encode_inputs(rates_hz, n_ticks: int, dt: float, rng: np.random.Generator) -> np.ndarray:
    """Poisson (Bernoulli per tick) spikes: bool (trials, ticks, inputs) from rates in Hz.

    The uniform numbers are drawn one trial at a time (``ticks x inputs`` float64 at most, not
    ``trials x ticks x inputs``): the same numbers, in the same order, as one draw of the whole block,
    so a batch split into chunks gets the spikes it would get in one piece.
    """
    rates = np.asarray(rates_hz, dtype=float)
    if rates.ndim != 2:
        raise ValueError(f"encode_inputs: rates must be (trials, inputs), got shape {rates.shape}")
    p = np.clip(rates * dt * 1e-3, 0, 1)
    out = np.empty((rates.shape[0], int(n_ticks), rates.shape[1]), dtype=bool)
    for b in range(rates.shape[0]):
        np.less(rng.random((int(n_ticks), rates.shape[1])), p[b], out=out[b])
    return out


def _decay(x, d, exact: bool, bits: int):
    if exact:
        return x * d
    return np.trunc(x * (d / 2.0**bits))


def simulate(net: ChipNetwork, stimulus: np.ndarray, n_ticks: int | None = None, *, stdp: STDPConfig | None = None,
             seed: int = 0, v0: np.ndarray | None = None, synapse_read=None) -> SimResult:
    """Run ``net`` on ``stimulus``, a bool array (trials, ticks, n_inputs) for the input neurons in order.

    With ``stdp`` the trials run one after another (weights carry over);
    otherwise they run as one batch.  ``synapse_read(trials, sources, tick)``,
    if given, replaces the synaptic weights: it returns the arrivals of the
    spikes of a tick as arrays ``(trial, delay_ticks, target, value)``, with
    ``target = neuron + n_neurons * slot`` (slot 0: u_0, 1: u_1, 2: v) and
    ``value`` in state units (e.g. :class:`workbench.hardware.crossbar.SynapseReader`).
    """
    stimulus = np.asarray(stimulus, dtype=bool)
    if stimulus.ndim == 2:
        stimulus = stimulus[None]
    B, T_stim, n_in = stimulus.shape
    inputs = np.flatnonzero(net.is_input)
    if n_in != len(inputs):
        raise ValueError(f"stimulus has {n_in} input channels but the network has {len(inputs)} input neurons")
    T = T_stim if n_ticks is None else int(n_ticks)
    if stdp is not None and synapse_read is not None:
        raise ValueError("simulate: stdp learns the network's own weights; it cannot run with synapse_read")
    if stdp is not None and B > 1:
        t0 = time.perf_counter()
        w = None
        rasters, events, sat = [], 0, 0
        for b in range(B):
            r = _run(net if w is None else net.replace(weight=w[0], weight_int=w[1]), stimulus[b:b + 1], T, stdp,
                     seed + b, v0)
            w = r.info["weights_pair"]
            rasters.append(r.raster[0])
            events += r.synaptic_events
            sat += r.saturations
        return SimResult(raster=np.stack(rasters), n_ticks=T, dt=net.dt, wall_time=time.perf_counter() - t0,
                         synaptic_events=events, saturations=sat, weights=w[0], info={"weights_pair": w})
    return _run(net, stimulus, T, stdp, seed, v0, synapse_read)


def _run(net: ChipNetwork, stimulus, T, stdp, seed, v0, synapse_read=None):
    B = stimulus.shape[0]
    N = net.n_neurons
    exact, bits = net.exact, net.decay_bits
    comp = ~net.is_input
    inputs = np.flatnonzero(net.is_input)
    th = np.where(comp, net.threshold, np.inf).astype(float)
    reset = net.v_reset.astype(float)
    subtract = None if net.reset_subtract is None or not np.any(net.reset_subtract) else \
        np.asarray(net.reset_subtract, dtype=bool)
    dv = net.decay_v.astype(float)
    du = np.broadcast_to(np.asarray(net.decay_u, dtype=float), (2, N))
    cond = np.zeros((2, N), dtype=bool) if net.conductance is None else np.asarray(net.conductance) & comp
    receptors = [r for r in (0, 1) if np.any(net.receptor[~net.delta] == r)] if len(net.receptor) else []
    cond_r = {r: bool(cond[r].any()) for r in receptors}
    if any(cond_r.values()):
        E_rev = np.asarray(net.E_rev, dtype=float)
        gain = np.where(cond, np.asarray(net.gain, dtype=float), 0.0)
    v_lo = np.full(N, -np.inf) if net.v_lo is None else np.asarray(net.v_lo, dtype=float)
    v_hi = np.full(N, np.inf) if net.v_hi is None else np.asarray(net.v_hi, dtype=float)
    bound = bool(np.any(np.isfinite(v_lo)) or np.any(np.isfinite(v_hi)))
    leak = net.leak.astype(float)
    has_leak = bool(np.any(leak))
    bias = np.where(comp, net.bias, 0).astype(float)
    ref_ticks = net.ref_ticks.astype(np.int64)
    lo, hi = float(net.state_min), float(net.state_max)
    saturate = np.isfinite(lo)
    indptr, dst = net.indptr, net.dst
    weight = net.weight.astype(float).copy()
    weight_int = net.weight_int.astype(float).copy()
    # arrival slot: u_0 (first N), u_1 (second N) or v (third N)
    target = dst + N * np.where(net.delta, 2, net.receptor).astype(np.int64)
    delays = net.delay_ticks
    L = net.max_delay + 1
    v = np.zeros((B, N)) if v0 is None else np.broadcast_to(np.asarray(v0, float), (B, N)).copy()
    u = np.zeros((B, 2, N))
    ref = np.zeros((B, N), dtype=np.int64)
    size_slot = B * 3 * N
    size_buf = L * size_slot
    buf = np.zeros((L, size_slot))
    buf_flat = buf.reshape(-1)  # a view: bincount results land in buf
    off_syn = target + delays.astype(np.int64) * size_slot
    raster = np.zeros((B, T, N), dtype=bool)
    n_events = 0
    n_sat = 0
    rng = np.random.default_rng(seed)
    if stdp is not None:
        plastic = net.flat.projection == stdp.projection
        syn_idx = np.flatnonzero(plastic)
        plastic_src = np.zeros(N, dtype=bool)
        plastic_src[net.src[syn_idx]] = True
        post_order = syn_idx[np.argsort(dst[syn_idx], kind="stable")]
        post_ptr = np.concatenate([[0], np.cumsum(np.bincount(dst[syn_idx], minlength=N))])
        if stdp.trace not in ("add", "set"):
            raise ValueError(f"STDPConfig.trace={stdp.trace!r}: use 'add' or 'set'")
        x_pre = np.zeros(N)
        x_post = np.zeros(N)
        x_post2 = np.zeros(N)
        d_plus, d_minus = np.exp(-net.dt / stdp.tau_plus), np.exp(-net.dt / stdp.tau_minus)
        d_post2 = np.exp(-net.dt / stdp.tau_post2) if stdp.tau_post2 else 0.0
        syn_lsb = net.syn_lsb if net.syn_lsb is not None else net.lsb[dst]
        wmax_units = stdp.w_max / (syn_lsb if not exact else np.ones(len(dst)))  # w_max in state units
    t0 = time.perf_counter()
    # the compartments' state is updated through views on their index range when they are
    # contiguous (inputs first, as exported graphs are); otherwise on the whole arrays
    ci = np.flatnonzero(comp)
    cs = slice(int(ci[0]), int(ci[-1]) + 1) if len(ci) and ci[-1] - ci[0] + 1 == len(ci) else slice(0, N)
    dv_c, du_c, th_c, bias_c = dv[cs], du[:, cs], th[cs], bias[cs]
    leak_c, v_lo_c, v_hi_c = leak[cs], v_lo[cs], v_hi[cs]
    cond_c = cond[:, cs]
    if any(cond_r.values()):
        E_c, gain_c = E_rev[:, cs], gain[:, cs]
    spk = np.zeros((B, N), dtype=bool)
    for t in range(T):
        vc, uc, refc = v[:, cs], u[:, :, cs], ref[:, cs]
        active = refc == 0
        np.subtract(refc, 1, out=refc, where=~active)
        vn = _decay(vc, dv_c, exact, bits)
        if has_leak:
            vn = vn - np.sign(vn) * np.minimum(np.abs(vn), leak_c)
        for r in receptors:
            if cond_r[r]:
                g = uc[:, r] * (E_c[r] - vc) * gain_c[r]
                if not exact:
                    g = np.trunc(g)
                vn += np.where(cond_c[r], g, uc[:, r])
            else:
                vn += uc[:, r]
        vn += bias_c
        if bound:
            np.clip(vn, v_lo_c, v_hi_c, out=vn)
        vc[...] = np.where(active, vn, vc)
        uc[...] = _decay(uc, du_c, exact, bits)
        if saturate:
            n_sat += int(np.count_nonzero((vc > hi) | (vc < lo)) + np.count_nonzero((uc > hi) | (uc < lo)))
            np.clip(vc, lo, hi, out=vc)
            np.clip(uc, lo, hi, out=uc)
        spk[:, cs] = active & (vc > th_c)
        spk[:, inputs] = stimulus[:, t, :] if t < stimulus.shape[1] else False
        raster[:, t] = spk
        b, i = np.nonzero(spk)
        if len(i) and synapse_read is not None:  # arrivals computed outside (e.g. crossbar reads)
            n_events += int(np.sum(indptr[i + 1] - indptr[i]))
            tb, td, tt, tv = synapse_read(b, i, t)
            np.add.at(buf_flat, ((t + td) % L) * size_slot + tb * (3 * N) + tt, tv)
        elif len(i):
            starts = indptr[i]
            lens = indptr[i + 1] - starts
            total = int(lens.sum())
            if total:
                csum = np.cumsum(lens)
                idx = np.repeat(starts - (csum - lens), lens) + np.arange(total)
                n_events += total
                # one flat index into the ring buffer: slot (t + delay) % L, trial, u/v, neuron
                flat_t = off_syn[idx]
                flat_t += np.repeat(b * (3 * N) + (t % L) * size_slot, lens)
                if L > 1:
                    flat_t[flat_t >= size_buf] -= size_buf
                if total < size_buf // 16:  # few arrivals: scatter-add (no buffer-sized temporary)
                    np.add.at(buf_flat, flat_t, weight[idx])
                else:
                    buf_flat += np.bincount(flat_t, weights=weight[idx], minlength=size_buf)
        arr = buf[t % L].reshape(B, 3, N)
        uc += arr[:, :2, cs]
        vc += np.where(active, arr[:, 2, cs], 0.0)
        buf[t % L] = 0.0
        if stdp is not None and len(i):
            # traces decay per tick on every tick (done lazily below); here spikes of this tick
            pre_sp = i[plastic_src[i]]
            post_sp = i[comp[i]]
            # depression at presynaptic spikes (all synapses of this tick's spikes at once, in spike order)
            if len(pre_sp):
                sl = _ranges(indptr[pre_sp], indptr[pre_sp + 1])
                sl = sl[plastic[sl]]
                dw = -stdp.A_minus * x_post[dst[sl]] * wmax_units[sl]
                _apply_dw(weight, weight_int, sl, dw, net, stdp, rng, wmax_units)
            if len(post_sp):
                sl = post_order[_ranges(post_ptr[post_sp], post_ptr[post_sp + 1])]
                dw = stdp.A_plus * x_pre[net.src[sl]] * wmax_units[sl]
                if stdp.tau_post2:
                    dw = dw * x_post2[dst[sl]]
                _apply_dw(weight, weight_int, sl, dw, net, stdp, rng, wmax_units)
        if stdp is not None:
            x_pre *= d_plus
            x_post *= d_minus
            x_post2 *= d_post2
            if len(i):
                if stdp.trace == "set":
                    x_pre[i] = 1.0
                    x_post[i] = 1.0
                    x_post2[i] = 1.0
                else:
                    x_pre[i] += 1.0
                    x_post[i] += 1.0
                    x_post2[i] += 1.0
        if len(i):
            sb, si = b[comp[i]], i[comp[i]]
            v[sb, si] = reset[si] if subtract is None else np.where(subtract[si], v[sb, si] - th[si], reset[si])
            ref[sb, si] = ref_ticks[si]
        if saturate:
            np.clip(vc, lo, hi, out=vc)
            np.clip(uc, lo, hi, out=uc)
    wall = time.perf_counter() - t0
    info = {}
    if stdp is not None:
        if stdp.normalize is not None:
            _normalize(weight, weight_int, syn_idx, dst, stdp, net, rng)
        info["weights_pair"] = (weight.copy(), weight_int.copy())
    return SimResult(raster=raster, n_ticks=T, dt=net.dt, wall_time=wall, synaptic_events=n_events,
                     saturations=n_sat, weights=weight if stdp is not None else None, info=info)


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The indices ``starts[k] .. ends[k] - 1`` of every k, concatenated in order."""
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    csum = np.cumsum(lens)
    return np.repeat(starts - (csum - lens), lens) + np.arange(total)


def _apply_dw(weight, weight_int, sl, dw, net, stdp, rng, wmax_units):
    """Add ``dw`` (state units) to synapses ``sl``: float directly, chip in rounded weight steps."""
    if len(sl) == 0:
        return
    if net.exact:
        weight[sl] = np.clip(weight[sl] + dw, 0.0, wmax_units[sl])
        weight_int[sl] = weight[sl]
        return
    steps = round_values(dw / net.frac_shift[sl], stdp.rounding, rng)
    wi = np.clip(weight_int[sl] + steps, 0, np.minimum(net.weight_max, np.floor(wmax_units[sl] / net.frac_shift[sl])))
    weight_int[sl] = wi
    weight[sl] = np.rint(wi * net.frac_shift[sl])


def _normalize(weight, weight_int, syn_idx, dst, stdp, net, rng):
    """Scale each neuron's incoming plastic weights to sum to ``stdp.normalize`` mV (host-side, between trials)."""
    post = dst[syn_idx]
    w_mv = weight[syn_idx] * (1.0 if net.exact else net.syn_lsb[syn_idx])
    total = np.bincount(post, weights=w_mv, minlength=net.n_neurons)
    f = np.where(total[post] > 0, stdp.normalize / np.maximum(total[post], 1e-300), 1.0)
    if net.exact:
        weight[syn_idx] = weight[syn_idx] * f
        weight_int[syn_idx] = weight[syn_idx]
    else:
        steps = round_values(weight_int[syn_idx] * f, stdp.rounding, rng)
        weight_int[syn_idx] = np.clip(steps, 0, net.weight_max)
        weight[syn_idx] = np.rint(weight_int[syn_idx] * net.frac_shift[syn_idx])


def _per_core_synapses(net: ChipNetwork, mapping: ChipMapping) -> sp.csr_matrix:
    """(neurons x cores) number of synapses from each source onto each core."""
    core = mapping.core_of[net.dst]
    ok = core >= 0
    return sp.csr_matrix((np.ones(ok.sum()), (net.src[ok], core[ok])), shape=(net.n_neurons, mapping.n_cores))


def chip_statistics(result: SimResult, net: ChipNetwork, mapping: ChipMapping, chunk: int = 16) -> dict:
    """Counts, latency and energy per trial (and per tick and core, summed over trials).

    Returns a dict of numpy arrays: per trial ``synops``, ``neuron_updates``,
    ``packets`` (input packets from the host included), ``hops``, ``spikes``, ``latency`` (s), ``energy`` (J) and its
    parts ``energy_synop``, ``energy_neuron``, ``energy_packet``,
    ``energy_hop``, ``energy_static``; per (tick, core) sums over trials
    ``synops_tick_core``, ``packets_tick_core``; per link ``link_load``
    (packets summed over trials); per tick the mean ``tick_latency`` and the
    worst link load ``max_link_load_tick``.
    """
    chip = mapping.chip
    B, T, N = result.raster.shape
    C = mapping.n_cores
    M = _per_core_synapses(net, mapping)
    nl = np.diff(mapping.link_indptr)
    Lk = sp.csr_matrix((np.ones(len(mapping.link_ids)), (np.repeat(np.arange(N), nl), mapping.link_ids)),
                       shape=(N, mapping.n_links))
    src_core = mapping.core_of
    P = sp.csr_matrix((mapping.packets_per_spike[src_core >= 0],
                       (np.flatnonzero(src_core >= 0), src_core[src_core >= 0])), shape=(N, max(C, 1)))
    upd = mapping.neurons_per_core.astype(float)  # every compartment is updated every tick
    out = {k: np.zeros(B) for k in ("synops", "packets", "hops", "spikes", "latency")}
    synops_tc = np.zeros((T, C))
    packets_tc = np.zeros((T, max(C, 1)))
    link_load = np.zeros(mapping.n_links)
    tick_lat = np.zeros(T)
    max_link_tick = np.zeros(T)
    clock = chip.clock_hz
    maxh = mapping.max_hops.astype(float)
    # trials per chunk: the dense (trials x ticks x links) temporaries stay below ~32 MB
    chunk = max(1, min(chunk, 4_000_000 // max(T * max(mapping.n_links, C, 1), 1)))
    for s in range(0, B, chunk):
        R = result.raster[s:s + chunk].reshape(-1, N).astype(np.float32)
        Rs = sp.csr_matrix(R)
        syn = np.asarray((Rs @ M).todense()).reshape(-1, T, C)
        lk = np.asarray((Rs @ Lk).todense()).reshape(-1, T, mapping.n_links)
        pk = np.asarray((Rs @ P).todense()).reshape(-1, T, max(C, 1))
        hop_max = (R * maxh).max(axis=1).reshape(-1, T) if N else np.zeros((len(R) // T, T))
        compute = (syn * chip.cycles_per_synop + upd[None, None, :] * chip.cycles_per_neuron_update).max(axis=2)
        route = hop_max * chip.cycles_per_hop + lk.max(axis=2) * chip.cycles_per_packet
        lat = (compute + route) / clock + chip.barrier_s
        if chip.tick_s > 0:
            lat = np.maximum(lat, chip.tick_s)
        b = slice(s, s + len(syn))
        out["synops"][b] = syn.sum(axis=(1, 2))
        out["packets"][b] = (R @ mapping.packets_per_spike.astype(np.float32)).reshape(-1, T).sum(axis=1)
        out["hops"][b] = lk.sum(axis=(1, 2))
        out["spikes"][b] = R.reshape(-1, T, N)[:, :, ~net.is_input].sum(axis=(1, 2))
        out["latency"][b] = lat.sum(axis=1)
        synops_tc += syn.sum(axis=0)
        packets_tc += pk.sum(axis=0)
        link_load += lk.sum(axis=(0, 1))
        tick_lat += lat.sum(axis=0)
        max_link_tick = np.maximum(max_link_tick, lk.max(axis=2).max(axis=0))
    out["neuron_updates"] = np.full(B, upd.sum() * T)
    out["energy_synop"] = out["synops"] * chip.energy_synop
    out["energy_neuron"] = out["neuron_updates"] * chip.energy_neuron_update
    out["energy_packet"] = out["packets"] * chip.energy_packet
    out["energy_hop"] = out["hops"] * chip.energy_hop
    out["energy_static"] = out["latency"] * chip.static_power * mapping.n_chips
    out["energy"] = sum(out[k] for k in ("energy_synop", "energy_neuron", "energy_packet", "energy_hop",
                                         "energy_static"))
    out["synops_tick_core"] = synops_tc
    out["packets_tick_core"] = packets_tc[:, :C]
    out["link_load"] = link_load
    out["tick_latency"] = tick_lat / max(B, 1)
    out["max_link_load_tick"] = max_link_tick
    return out


def aer_events(result: SimResult, mapping: ChipMapping, trial: int | None = None):
    """The AER stream as arrays (trial, tick, core, address); inputs carry core -1 and their input index."""
    b, t, n = np.nonzero(result.raster if trial is None else result.raster[trial:trial + 1])
    if trial is not None:
        b = b + trial
    core = mapping.core_of[n]
    # address: rank of the neuron among the neurons of its core
    N = len(mapping.core_of)
    addr_of = np.zeros(N, dtype=np.int64)
    for c in np.unique(mapping.core_of):
        members = np.flatnonzero(mapping.core_of == c)
        addr_of[members] = np.arange(len(members))
    return b, t, core, addr_of[n]
