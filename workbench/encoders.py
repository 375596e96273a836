"""Spike encoders for signals and feature vectors (pure numpy, no Brian2).

Every encoder returns a :class:`SpikeTrains`: integer ``channel`` indices and
spike ``times`` in **milliseconds** from the start of the signal, sorted by
time, plus ``n_channels`` and ``duration`` (ms).  Signals are arrays
``(n_samples_in_time,)`` or ``(time, channels)`` sampled at ``fs`` (Hz).

Signal encoders (time series)
    :func:`delta`        delta modulation / level crossing: UP and DOWN channel per signal channel
    :func:`sigma_delta`  first-order sigma-delta modulator (UP/DOWN channels)
    :func:`bsa`          Ben's Spiker Algorithm (Schrauwen & Van Campenhout 2003), one channel per signal channel
    :func:`filterbank`   rate coding of band-pass filter-bank energies (Poisson or regular)
    :func:`rate`         rate coding of the (normalised) signal value itself

Vector encoders (one value per channel)
    :func:`poisson`      Poisson rate code, rate proportional to the value
    :func:`latency`      time to first spike (larger value -> earlier spike)
    :func:`rank_order`   spikes in the order of the values, equally spaced (Thorpe & Gautrais 1998)

Reconstruction helpers (:func:`delta_reconstruct`, :func:`sigma_delta_reconstruct`,
:func:`bsa_reconstruct`) decode the spikes back to a signal, for tests and figures.

Layouts
    :func:`spikes_to_dense`  spike trains of many samples as a raster (sample, step, channel)
    :func:`flatten`, :func:`unflatten`  many samples' spike trains as three flat arrays and back
    (for archives: spikes are ragged, stored flat along one ``spike`` dimension)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, sosfiltfilt

__all__ = [
    "SpikeTrains",
    "EncoderError",
    "ENCODERS",
    "encode",
    "delta",
    "delta_reconstruct",
    "sigma_delta",
    "sigma_delta_reconstruct",
    "bsa",
    "bsa_reconstruct",
    "bsa_filter",
    "filterbank",
    "rate",
    "poisson",
    "latency",
    "rank_order",
    "spikes_to_dense",
    "flatten",
    "unflatten",
]


class EncoderError(ValueError):
    """An encoder got a signal or setting it cannot use."""


@dataclass
class SpikeTrains:
    """Spikes of one encoded sample: ``channel`` (int) and ``times`` (ms), time-sorted."""

    channel: np.ndarray
    times: np.ndarray
    n_channels: int
    duration: float  # ms

    def __post_init__(self):
        self.channel = np.asarray(self.channel, dtype=np.int64)
        self.times = np.asarray(self.times, dtype=float)
        order = np.lexsort((self.channel, self.times))
        self.channel, self.times = self.channel[order], self.times[order]

    def __len__(self):
        return len(self.times)

    def counts(self) -> np.ndarray:
        return np.bincount(self.channel, minlength=self.n_channels)


def _as_2d(x, name="signal") -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 2:
        raise EncoderError(f"{name}: expected (time,) or (time, channels) with >= 2 time points, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise EncoderError(f"{name}: contains NaN or infinite values; interpolate or drop them first")
    return x


def _check_fs(fs, encoder):
    if fs is None or not np.isfinite(fs) or fs <= 0:
        raise EncoderError(f"encoder {encoder!r}: sampling rate fs={fs!r} Hz is not usable (need a positive rate)")
    return float(fs)


def _build(ch_list, t_list, n_channels, duration):
    ch = np.concatenate(ch_list) if ch_list else np.zeros(0, np.int64)
    t = np.concatenate(t_list) if t_list else np.zeros(0)
    return SpikeTrains(ch, t, n_channels, duration)


# ---------------------------------------------------------------------------------------------
# Signal encoders
# ---------------------------------------------------------------------------------------------

def delta(signal, fs, threshold, *, refractory: float = 0.0) -> SpikeTrains:
    """Delta modulation / level-crossing encoder.

    A reference level starts at the first sample; whenever the signal exceeds
    ``reference + threshold`` an UP spike is emitted and the reference rises by
    ``threshold`` (repeatedly, one spike per crossed level, spikes spread
    evenly within the sample interval); DOWN likewise.  Channel ``2*c`` is UP
    and ``2*c + 1`` is DOWN for signal channel ``c``.  The staircase rebuilt
    from the spikes (:func:`delta_reconstruct`) stays within ``threshold`` of
    the signal at every sample.

    Parameters
    ----------
    signal : array (time,) or (time, channels)
    fs : float
        Sampling rate (Hz).
    threshold : float or array (channels,)
        Level spacing, in the signal's units.
    refractory : float
        Not used for timing (kept 0): all level crossings are emitted.
    """
    fs = _check_fs(fs, "delta")
    x = _as_2d(signal)
    T, C = x.shape
    thr = np.broadcast_to(np.asarray(threshold, dtype=float), (C,))
    if np.any(~np.isfinite(thr)) or np.any(thr <= 0):
        raise EncoderError(f"encoder 'delta': threshold must be positive, got {threshold!r}")
    dt_ms = 1000.0 / fs
    ch_l, t_l = [], []
    for c in range(C):
        ref = x[0, c]
        up_t, dn_t = [], []
        for k in range(1, T):
            diff = x[k, c] - ref
            n = int(np.floor(abs(diff) / thr[c]))
            if n > 0:
                # spikes spread evenly over the interval (k-1, k] sample times
                times = (k - 1 + np.arange(1, n + 1) / n) * dt_ms
                if diff > 0:
                    up_t.append(times)
                    ref += n * thr[c]
                else:
                    dn_t.append(times)
                    ref -= n * thr[c]
        if up_t:
            t = np.concatenate(up_t)
            ch_l.append(np.full(len(t), 2 * c)); t_l.append(t)
        if dn_t:
            t = np.concatenate(dn_t)
            ch_l.append(np.full(len(t), 2 * c + 1)); t_l.append(t)
    st = _build(ch_l, t_l, 2 * C, T * dt_ms)
    st.times = np.minimum(st.times, T * dt_ms - 1e-6)
    return st


def delta_reconstruct(st: SpikeTrains, fs, threshold, x0, n_time: int) -> np.ndarray:
    """Staircase signal rebuilt from UP/DOWN spikes of :func:`delta` (or :func:`sigma_delta`):
    ``x0 + threshold*(#UP - #DOWN)`` up to each sample time; shape (time, channels)."""
    x0 = np.atleast_1d(np.asarray(x0, dtype=float))
    C = len(x0)
    thr = np.broadcast_to(np.asarray(threshold, dtype=float), (C,))
    dt_ms = 1000.0 / fs
    out = np.tile(x0, (n_time, 1))
    k = np.clip(np.ceil(st.times / dt_ms - 1e-9).astype(np.int64), 0, n_time - 1)
    sign = np.where(st.channel % 2 == 0, 1.0, -1.0)
    inc = np.zeros((n_time, C))
    np.add.at(inc, (k, st.channel // 2), sign)
    return out + np.cumsum(inc, axis=0) * thr


def sigma_delta(signal, fs, threshold, *, oversample: int = 1) -> SpikeTrains:
    """First-order sigma-delta modulator with a ternary (UP / none / DOWN) quantiser.

    The integrator accumulates the error ``x - y`` between the signal and the
    running decoded value ``y``; when it exceeds ``+threshold`` (``-threshold``)
    an UP (DOWN) spike is sent and ``y`` moves by ``threshold``.  With
    ``oversample`` > 1 the signal is linearly interpolated and the modulator
    runs that many times per sample (several spikes per sample interval are
    possible).  Channels: ``2*c`` UP, ``2*c + 1`` DOWN.  The decoded staircase
    (:func:`sigma_delta_reconstruct`) tracks the signal within about
    ``2*threshold`` plus the signal's change over one step.
    """
    fs = _check_fs(fs, "sigma_delta")
    x = _as_2d(signal)
    if oversample < 1:
        raise EncoderError(f"encoder 'sigma_delta': oversample must be >= 1, got {oversample}")
    T, C = x.shape
    thr = np.broadcast_to(np.asarray(threshold, dtype=float), (C,))
    if np.any(thr <= 0):
        raise EncoderError(f"encoder 'sigma_delta': threshold must be positive, got {threshold!r}")
    n = (T - 1) * oversample + 1
    tq = np.arange(n) / oversample
    dt_ms = 1000.0 / fs
    ch_l, t_l = [], []
    for c in range(C):
        xs = np.interp(tq, np.arange(T), x[:, c])
        y = xs[0]
        integ = 0.0
        up, dn = [], []
        for k in range(1, n):
            integ += xs[k] - y
            if integ >= thr[c]:
                up.append(k)
                y += thr[c]
                integ -= thr[c]
            elif integ <= -thr[c]:
                dn.append(k)
                y -= thr[c]
                integ += thr[c]
        if up:
            ch_l.append(np.full(len(up), 2 * c)); t_l.append(np.asarray(up) / oversample * dt_ms)
        if dn:
            ch_l.append(np.full(len(dn), 2 * c + 1)); t_l.append(np.asarray(dn) / oversample * dt_ms)
    st = _build(ch_l, t_l, 2 * C, T * dt_ms)
    return st


def sigma_delta_reconstruct(st, fs, threshold, x0, n_time):
    """Decoded staircase of :func:`sigma_delta` (same form as :func:`delta_reconstruct`)."""
    return delta_reconstruct(st, fs, threshold, x0, n_time)


def bsa_filter(fs, cutoff: float = 20.0, max_rate: float = 100.0) -> np.ndarray:
    """The BSA filter: a Hann window about ``2/cutoff`` s long (a low-pass with cut-off near
    ``cutoff`` Hz) sampled at ``fs`` and scaled to sum ``fs/max_rate``, so that a spike train at
    ``max_rate`` Hz decodes to amplitude 1."""
    fs = _check_fs(fs, "bsa")
    if cutoff <= 0 or max_rate <= 0:
        raise EncoderError(f"encoder 'bsa': cutoff ({cutoff} Hz) and max_rate ({max_rate} Hz) must be positive")
    if max_rate > fs:
        raise EncoderError(f"encoder 'bsa': max_rate {max_rate} Hz exceeds the sampling rate fs={fs} Hz "
                           "(at most one spike per sample); lower max_rate or resample the signal")
    n = max(3, int(round(2.0 / cutoff * fs)))
    h = np.hanning(n + 2)[1:-1]
    return h / h.sum() * (fs / max_rate)


def bsa(signal, fs, *, cutoff: float = 20.0, max_rate: float = 100.0, threshold: float = 0.95,
        normalise: bool = True) -> SpikeTrains:
    """Ben's Spiker Algorithm (Schrauwen & Van Campenhout 2003).

    Each channel is (by default) shifted and scaled to [0, 1].  At every sample
    ``k`` BSA compares ``err1 = sum_j |r[k+j] - h[j]|`` (error if a spike is
    sent and the filter ``h`` subtracted from the residual ``r``) with
    ``err2 = sum_j |r[k+j]|`` (no spike) and fires when
    ``err1 <= err2 - threshold*sum(h)`` (``threshold`` a fraction of the filter's
    mass; 0.95 like the classic 0.955 -- with 0 the residual settles at minus
    the signal and the train fires at twice the rate).  Decoding convolves the spikes with ``h``
    (:func:`bsa_reconstruct`): a low-passed copy of the (normalised) signal.
    ``h`` is :func:`bsa_filter` (``cutoff`` Hz; amplitude 1 <-> ``max_rate`` Hz).
    One spike channel per signal channel.
    """
    fs = _check_fs(fs, "bsa")
    x = _as_2d(signal)
    T, C = x.shape
    h = bsa_filter(fs, cutoff, max_rate)
    L = len(h)
    if L >= T:
        raise EncoderError(f"encoder 'bsa': the filter ({L} samples for cutoff {cutoff} Hz at fs={fs} Hz) "
                           f"is longer than the signal ({T} samples); raise the cutoff or the sampling rate")
    dt_ms = 1000.0 / fs
    thr = threshold * h.sum()
    ch_l, t_l = [], []
    for c in range(C):
        s = x[:, c].copy()
        if normalise:
            lo, hi = s.min(), s.max()
            s = (s - lo) / (hi - lo) if hi > lo else np.zeros_like(s)
        r = np.concatenate([s, np.zeros(L)])
        spikes = []
        for k in range(T):
            seg = r[k:k + L]
            if np.abs(seg - h).sum() <= np.abs(seg).sum() - thr:
                r[k:k + L] -= h
                spikes.append(k)
        if spikes:
            ch_l.append(np.full(len(spikes), c)); t_l.append(np.asarray(spikes) * dt_ms)
    return _build(ch_l, t_l, C, T * dt_ms)


def bsa_reconstruct(st: SpikeTrains, fs, n_time: int, *, cutoff: float = 20.0, max_rate: float = 100.0) -> np.ndarray:
    """Decode :func:`bsa` spikes: each spike train convolved with the BSA filter, (time, channels)
    in the normalised [0, 1] units of the encoder."""
    h = bsa_filter(fs, cutoff, max_rate)
    dt_ms = 1000.0 / fs
    out = np.zeros((n_time + len(h), st.n_channels))
    k = np.round(st.times / dt_ms).astype(np.int64)
    for kk, c in zip(k, st.channel):
        out[kk:kk + len(h), c] += h
    return out[:n_time]


def _butter_bands(fs, bands, order=2):
    sos = []
    nyq = fs / 2
    for lo, hi in bands:
        if not (0 < lo < hi):
            raise EncoderError(f"encoder 'filterbank': band ({lo}, {hi}) Hz is not a valid band")
        if hi >= nyq:
            raise EncoderError(f"encoder 'filterbank': band ({lo}, {hi}) Hz reaches the Nyquist frequency "
                               f"{nyq} Hz of fs={fs} Hz; lower the band edges or resample to a higher rate")
        sos.append(butter(order, [lo / nyq, hi / nyq], btype="band", output="sos"))
    return sos


def log_bands(f_lo, f_hi, n):
    """``n`` log-spaced adjacent bands between ``f_lo`` and ``f_hi`` (Hz)."""
    edges = np.geomspace(f_lo, f_hi, n + 1)
    return list(zip(edges[:-1], edges[1:]))


def filterbank(signal, fs, bands, *, max_rate: float = 200.0, smoothing_ms: float = 20.0,
               regular: bool = False, rng=None, scale=None) -> SpikeTrains:
    """Rate coding of band-pass filter-bank energies.

    Each channel is filtered by Butterworth band-passes (``bands``, list of
    (low, high) Hz, order 2, zero-phase); the energy envelope (squared output
    smoothed with a ``smoothing_ms`` moving average, square-rooted) is scaled
    by ``scale`` (per band; default its maximum within the sample) to a rate
    in [0, ``max_rate``] Hz, which drives an inhomogeneous Poisson process
    (or, with ``regular``, an integrate-to-1 regular spiker).  Channel
    ``c*n_bands + b``.
    """
    fs = _check_fs(fs, "filterbank")
    x = _as_2d(signal)
    T, C = x.shape
    sos = _butter_bands(fs, bands)
    rng = np.random.default_rng(rng)
    dt_ms = 1000.0 / fs
    w = max(1, int(round(smoothing_ms / dt_ms)))
    kern = np.ones(w) / w
    ch_l, t_l = [], []
    nb = len(bands)
    for c in range(C):
        for b, s in enumerate(sos):
            padlen = min(3 * (2 * len(s) + 1), T - 1)
            y = sosfiltfilt(s, x[:, c], padlen=padlen)
            env = np.sqrt(np.convolve(y**2, kern, mode="same"))
            sc = env.max() if scale is None else np.broadcast_to(np.asarray(scale, float), (C * nb,))[c * nb + b]
            r = np.clip(env / sc, 0, 1) * max_rate if sc > 0 else np.zeros(T)
            times = _rate_to_spikes(r, dt_ms, rng, regular)
            ch_l.append(np.full(len(times), c * nb + b)); t_l.append(times)
    return _build(ch_l, t_l, C * nb, T * dt_ms)


def _rate_to_spikes(rate_hz, dt_ms, rng, regular):
    """Spike times (ms) of a rate trace sampled every ``dt_ms``: Poisson, or regular (integrate to 1)."""
    p = rate_hz * dt_ms / 1000.0
    if regular:
        acc = np.cumsum(p)
        n = np.floor(acc + 1e-12).astype(np.int64)
        k = np.nonzero(np.diff(np.concatenate([[0], n])) > 0)[0]
        return k * dt_ms
    # Poisson with sub-sample timing
    n = rng.poisson(p)
    k = np.repeat(np.arange(len(p)), n)
    return np.sort((k + rng.random(len(k))) * dt_ms)


def rate(signal, fs, *, max_rate: float = 200.0, regular: bool = False, bipolar: bool = True, rng=None,
         lo=None, hi=None) -> SpikeTrains:
    """Rate coding of the signal value: each channel scaled to [0, 1] (by ``lo``/``hi`` or its
    range) drives a rate up to ``max_rate``; with ``bipolar`` a second channel carries the
    complement (1 - value), so low and high values both produce spikes.  Channels
    ``c`` (or ``2c``, ``2c+1`` when bipolar)."""
    fs = _check_fs(fs, "rate")
    x = _as_2d(signal)
    T, C = x.shape
    rng = np.random.default_rng(rng)
    lo = x.min(0) if lo is None else np.broadcast_to(np.asarray(lo, float), (C,))
    hi = x.max(0) if hi is None else np.broadcast_to(np.asarray(hi, float), (C,))
    span = np.where(hi > lo, hi - lo, 1.0)
    v = np.clip((x - lo) / span, 0, 1)
    dt_ms = 1000.0 / fs
    ch_l, t_l = [], []
    k = 2 if bipolar else 1
    for c in range(C):
        for j, vv in enumerate([v[:, c], 1 - v[:, c]][:k]):
            times = _rate_to_spikes(vv * max_rate, dt_ms, rng, regular)
            ch_l.append(np.full(len(times), k * c + j)); t_l.append(times)
    return _build(ch_l, t_l, k * C, T * dt_ms)


# ---------------------------------------------------------------------------------------------
# Vector encoders
# ---------------------------------------------------------------------------------------------

def _vector(values):
    v = np.asarray(values, dtype=float).ravel()
    if not np.all(np.isfinite(v)):
        raise EncoderError("vector encoder: values contain NaN or infinity")
    return v


def poisson(values, duration_ms: float, *, max_rate: float = 100.0, rng=None) -> SpikeTrains:
    """Poisson spike trains of ``duration_ms``; channel ``i`` fires at ``values[i]*max_rate`` Hz
    (values clipped to [0, 1])."""
    v = np.clip(_vector(values), 0, 1)
    rng = np.random.default_rng(rng)
    n = rng.poisson(v * max_rate * duration_ms / 1000.0)
    ch = np.repeat(np.arange(len(v)), n)
    return SpikeTrains(ch, rng.uniform(0, duration_ms, len(ch)), len(v), duration_ms)


def latency(values, duration_ms: float, *, tau_ms: float | None = None, threshold: float = 0.0) -> SpikeTrains:
    """Time-to-first-spike: one spike per channel with value > ``threshold`` (values in [0, 1]);
    linear ``t = (1 - v)*duration`` or, with ``tau_ms``, the RC-charging latency
    ``t = tau*ln(v/(v - threshold_rc))`` mapped so that v = 1 fires at 0."""
    v = np.clip(_vector(values), 0, 1)
    keep = v > threshold
    if tau_ms is None:
        t = (1 - v[keep]) * duration_ms * (1 - 1e-9)
    else:
        t = np.minimum(tau_ms * np.log(1.0 / v[keep]), duration_ms * (1 - 1e-9))
    return SpikeTrains(np.nonzero(keep)[0], t, len(v), duration_ms)


def rank_order(values, duration_ms: float, *, n_spikes: int | None = None) -> SpikeTrains:
    """Rank-order code (Thorpe & Gautrais 1998): the ``n_spikes`` largest values fire once each,
    in descending order of value, at equally spaced times over ``duration_ms``; ties keep
    channel order."""
    v = _vector(values)
    n = len(v) if n_spikes is None else int(min(n_spikes, len(v)))
    order = np.argsort(-v, kind="stable")[:n]
    t = np.arange(n) * duration_ms / max(n, 1)
    return SpikeTrains(order, t, len(v), duration_ms)


# ---------------------------------------------------------------------------------------------

#: Signal encoders selectable by name in protocols.
ENCODERS = ("delta", "sigma_delta", "bsa", "filterbank", "rate")


def encode(name: str, signal, fs, *, threshold=None, rng=None, bands=None, max_rate=200.0,
           cutoff=20.0, oversample=1) -> SpikeTrains:
    """Encode a signal (time, channels) with the encoder ``name`` (see :data:`ENCODERS`).

    ``threshold`` (delta, sigma_delta) is in the signal's units (scalar or per channel);
    ``bands`` for the filter bank; ``cutoff`` (Hz) for BSA.
    """
    key = name.replace("-", "_").lower()
    if key == "delta":
        if threshold is None:
            raise EncoderError("encoder 'delta' needs a threshold")
        return delta(signal, fs, threshold)
    if key == "sigma_delta":
        if threshold is None:
            raise EncoderError("encoder 'sigma_delta' needs a threshold")
        return sigma_delta(signal, fs, threshold, oversample=oversample)
    if key == "bsa":
        return bsa(signal, fs, cutoff=cutoff, max_rate=max_rate)
    if key == "filterbank":
        if bands is None:
            raise EncoderError("encoder 'filterbank' needs bands")
        return filterbank(signal, fs, bands, max_rate=max_rate, rng=rng)
    if key == "rate":
        return rate(signal, fs, max_rate=max_rate, rng=rng)
    raise EncoderError(f"unknown encoder {name!r}; known: {', '.join(ENCODERS)}")


# ---------------------------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------------------------

def spikes_to_dense(spike_trains, n_in: int, duration_ms: float, dt: float = 1.0, dtype=float) -> np.ndarray:
    """Raster ``(samples, steps, n_in)`` of 0/1 values from spike trains (objects with ``channel`` and
    ``times`` in ms, e.g. :class:`SpikeTrains`): ``ceil(duration_ms/dt)`` steps of ``dt`` ms, a spike at
    ``t`` in step ``floor(t/dt)`` (several spikes of one channel in one step count once)."""
    steps = int(np.ceil(duration_ms / dt))
    if steps < 1:
        raise ValueError(f"duration_ms={duration_ms} gives no time step of {dt} ms")
    X = np.zeros((len(spike_trains), steps, n_in), dtype=dtype)
    for k, st in enumerate(spike_trains):
        ch = np.asarray(st.channel, dtype=np.int64)
        if ch.size and (ch.min() < 0 or ch.max() >= n_in):
            raise ValueError(f"sample {k}: spike channel out of range 0..{n_in - 1}")
        step = np.clip((np.asarray(st.times, dtype=float) / dt).astype(np.int64), 0, steps - 1)
        X[k, step, ch] = 1
    return X


def flatten(spike_trains) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(sample, channel, times)`` flat arrays of a list of :class:`SpikeTrains` (times in ms)."""
    sample = np.repeat(np.arange(len(spike_trains)), [len(s) for s in spike_trains])
    if not spike_trains:
        return sample, np.zeros(0, np.int64), np.zeros(0)
    return sample, np.concatenate([s.channel for s in spike_trains]), np.concatenate([s.times for s in spike_trains])


def unflatten(sample, channel, times, n_samples: int, n_channels: int, duration: float) -> list:
    """The list of :class:`SpikeTrains` (``n_samples`` of them) from :func:`flatten`'s arrays."""
    sample = np.asarray(sample, dtype=np.int64)
    if len(sample) and (sample.min() < 0 or sample.max() >= n_samples):
        raise ValueError(f"spike sample index out of range 0..{n_samples - 1}")
    order = np.argsort(sample, kind="stable")
    bounds = np.searchsorted(sample[order], np.arange(n_samples + 1))
    channel, times = np.asarray(channel)[order], np.asarray(times, dtype=float)[order]
    return [SpikeTrains(channel[a:b], times[a:b], int(n_channels), float(duration))
            for a, b in zip(bounds[:-1], bounds[1:])]
