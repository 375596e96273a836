"""Peak-memory estimates of the protocols, as stated functions of their parameters (issue 16).

Each returns a :class:`workbench.protocol.memory.MemoryEstimate`: bytes, the formula (kept in the
archive as ``memory_estimate``) and the parameter that changes it most (named when a run is refused
because the estimate exceeds the available memory).  The coefficients are bytes per element of the
arrays the protocol holds at its peak, with the copies it makes; ``benchmarks/memory_hardware.py``
compares them with measured peak resident memory.
"""
from __future__ import annotations

import json

import numpy as np
from brian2 import Hz, ms

from ..archive import open_archive
from ..params import parse_quantity
from ..hardware.deploy import chunk_trials
from ..models import NEURONS
from ..protocol.memory import BASE_BYTES, MemoryEstimate
from .biosignal import load_data
from .stdp_window import RULES

__all__ = ["stdp_digits_memory", "hardware_memory", "fi_curve_memory", "stdp_window_memory", "lsm_memory",
           "eprop_memory", "biosignal_memory", "BYTES_PER_SYNAPSE_BRIAN", "BYTES_PER_SYNAPSE_CHIP",
           "COMPILE_BYTES", "AEON_BYTES"]

#: images held by each data set (train + test, uint8 28 x 28); others: as MNIST
_IMAGES = {"digits": 1797, "mnist": 70000, "fashion-mnist": 70000}
_PIXELS = 784

#: stdp-digits, per input synapse: Brian2's arrays in the Python process and in the standalone
#: program (w, lastpre, delay, pre/post indices, the spike queue) and the run's copies of w and lastpre
#: (state, run values, checkpoint dataset)
BYTES_PER_SYNAPSE_BRIAN = 120

#: hardware, per synapse and deployed network (float reference, chip float64, chip): the graph and
#: the ChipNetwork arrays (src, dst, weight, weight_int, delay, receptor, lsb, CSR order) and the
#: simulator's copies (weights, targets, ring-buffer offsets)
BYTES_PER_SYNAPSE_CHIP = 110


def _images(dataset: str) -> int:
    key = str(dataset).lower()
    return _IMAGES.get(key, 70000)


def stdp_digits_memory(params) -> MemoryEstimate:
    """``base + images x 784 + n_exc x 784 x BYTES_PER_SYNAPSE_BRIAN + batch x 784 x 8 x 4
    + (n_assign + n_test + update_interval) x n_exc x 8``."""
    n_syn = params.n_exc * _PIXELS
    n_assign = params.n_train if params.n_assign < 0 else params.n_assign
    data = _images(params.dataset) * _PIXELS
    total = (BASE_BYTES + data + n_syn * BYTES_PER_SYNAPSE_BRIAN + params.batch * _PIXELS * 8 * 4
             + (n_assign + params.n_test + params.update_interval) * params.n_exc * 8)
    formula = (f"{BASE_BYTES / 2**20:.0f} MiB + {data / 2**20:.0f} MiB images + n_exc*784*"
               f"{BYTES_PER_SYNAPSE_BRIAN} B + batch*784*32 B + (n_assign+n_test+update_interval)*n_exc*8 B")
    return MemoryEstimate(int(total), formula, "n_exc")


def hardware_memory(params) -> MemoryEstimate:
    """``base + images x 784 + 3 x synapses x BYTES_PER_SYNAPSE_CHIP + 2 x CHUNK_BYTES
    + (n_assign + n_test) x n_exc x 16``, sizes read from the source archive; a source that cannot
    be read gives the base only (its error comes from the run)."""
    try:
        ds = open_archive(params.source, lazy=True)
    except (OSError, ValueError):
        return MemoryEstimate(BASE_BYTES, "base only (source not readable)", "n_test")
    try:
        if "receptive_field" not in ds:
            return MemoryEstimate(BASE_BYTES, "base only (not an image source)", "n_test")
        n_exc = int(ds.sizes["neuron"])
        cfg = json.loads(ds.attrs.get("config", "{}"))
    finally:
        ds.close()
    dataset = params.dataset or cfg.get("dataset", "digits")
    n_test = params.n_test if params.n_test > 0 else int(cfg.get("n_test", 100))
    n_assign = params.n_assign if params.n_assign >= 0 else int(cfg.get("n_assign", -1))
    if n_assign < 0:
        n_assign = int(cfg.get("n_train", 60000))
    n_syn = _PIXELS * n_exc + n_exc * n_exc
    data = _images(dataset) * _PIXELS
    dt = float(params.dt / ms) if float(params.dt / ms) > 0 else float(parse_quantity(cfg.get("dt", "0.5 ms")) / ms)
    n_ticks, n_neurons = int(round(float(params.t_present / ms) / dt)), _PIXELS + 2 * n_exc
    max_delay = int(round(10.0 / dt))  # Diehl & Cook input delays: up to 10 ms
    per_trial = n_ticks * (n_neurons + _PIXELS) + 2 * (max_delay + 1) * 3 * n_neurons * 8
    chunk = chunk_trials(n_ticks, n_neurons, _PIXELS, max_delay) * per_trial
    total = (BASE_BYTES + data + 3 * n_syn * BYTES_PER_SYNAPSE_CHIP + 2 * chunk
             + (n_assign + n_test) * n_exc * 16)
    formula = (f"{BASE_BYTES / 2**20:.0f} MiB + {data / 2**20:.0f} MiB images + 3*(784*n_exc+n_exc^2)*"
               f"{BYTES_PER_SYNAPSE_CHIP} B + 2*{chunk / 2**20:.0f} MiB chunk + (n_assign+n_test)*n_exc*16 B"
               f" (n_exc={n_exc}, t_present={float(params.t_present / ms):g} ms, dt={dt:g} ms)")
    return MemoryEstimate(int(total), formula, "n_test")


# ------------------------------------------------------------------ the other protocols (issue 16)
# Their arrays are small at the documented sizes: the interpreter (BASE_BYTES) and, on cpp_standalone, the
# compiler dominate.  The array terms are kept so that the estimate grows with the parameters that grow them.

#: cpp_standalone: the compile beside the Python process (measured once, fi-curve at the README's size: the
#: largest g++ (cc1plus) process of a Brian2 code object at -O3, ~190 MiB, plus make, shells and a second,
#: smaller compiler of make -j2); a cached build does not compile and stays below the estimate
COMPILE_BYTES = 220 * 2**20

#: aeon's MiniRocket (numba and its compiled kernels), imported when the baseline runs (measured once: ~150 MiB)
AEON_BYTES = 150 * 2**20

#: Brian2 state per neuron or synapse and variable, counted twice: the Python-side array and the program's
_VAR = 8 * 2
#: one recorded spike: index (int32) and time (float64), in the program, read back, and the run's copies
_SPIKE = 12 * 4


def _standalone(backend) -> bool:
    return str(backend) in ("cpp_standalone", "cuda", "cuda_standalone", "genn")


def _compile(backend) -> tuple[int, str]:
    return (COMPILE_BYTES, f" + {COMPILE_BYTES / 2**20:.0f} MiB compile") if _standalone(backend) else (0, "")


def fi_curve_memory(params, backend="numpy") -> MemoryEstimate:
    """``base [+ compile] + neurons x 20 x 16 B + spikes x 48 B`` with ``neurons = models x n_currents`` and at
    most one spike per neuron and ms (``spikes = neurons x duration / 1 ms``)."""
    n_models = len(params.models) if params.models else len(NEURONS)
    neurons = n_models * int(params.n_currents)
    spikes = neurons * float(params.duration / ms)
    comp, ctext = _compile(backend)
    total = BASE_BYTES + comp + neurons * 20 * _VAR + spikes * _SPIKE
    return MemoryEstimate(int(total), f"{BASE_BYTES / 2**20:.0f} MiB{ctext} + neurons*320 B + spikes*48 B "
                          f"(neurons={neurons}, spikes<={spikes:.0f})", "n_currents")


def stdp_window_memory(params, backend="cpp_standalone") -> MemoryEstimate:
    """``base [+ compile] + synapses x 2 clock neurons x 10 x 16 B + synapses x 20 x 16 B``, one synapse per
    pairing (``n_trials`` per delta_t for the stochastic rule, one per frequency and sign for the triplet rule)."""
    rules = list(params.rules) or list(RULES)
    n_grid = 2 * int(float(params.delta_t_max / ms) // float(params.delta_t_step / ms))
    syn = sum(n_grid * (int(params.n_trials) if r == "stochastic_binary_stdp" else 1) for r in rules)
    if "triplet_stdp" in rules:
        syn += 2 * len(params.triplet_frequencies)
    comp, ctext = _compile(backend)
    total = BASE_BYTES + comp + syn * (2 * 10 + 20) * _VAR
    return MemoryEstimate(int(total), f"{BASE_BYTES / 2**20:.0f} MiB{ctext} + synapses*640 B (synapses={syn})",
                          "n_trials")


def _lsm_terms(shape, n_in, n_samples, duration_ms, batch, lam=2.0, rate_hz=50.0):
    """Bytes of one liquid run: its copies' neurons and synapses (Brian2, ~15 variables each, the
    dynamic-synapse state), the input and liquid spikes (``rate_hz`` per neuron at most, a bound from the
    runs) and the liquid's numpy description; the synapse count from the paper's rule
    ``C exp(-(D/lambda)^2)`` summed over the grid."""
    n = int(np.prod(shape))
    grid = np.stack(np.meshgrid(*[np.arange(int(s)) for s in shape], indexing="ij"), -1).reshape(-1, 3)
    d2 = ((grid[:, None, :] - grid[None, :, :]) ** 2).sum(-1)
    syn = int(0.3 * np.exp(-d2 / float(lam) ** 2).sum())         # C <= 0.3 (EE), the largest of the paper's
    copies = min(64, n_samples) if batch <= 0 else int(batch)
    spikes = (n + n_in) * n_samples * duration_ms / 1000.0 * rate_hz
    return copies * (n * 15 + (syn + n_in * n) * 15) * _VAR + spikes * _SPIKE, syn


def lsm_memory(params, backend="cpp_standalone") -> MemoryEstimate:
    """``base [+ compile] + 2 x (copies x (neurons + synapses) x 15 x 16 B) + spikes x 48 B`` for the
    separation and the template runs (``copies``: ``batch``, or up to 64), spikes at 50 Hz at most per
    neuron, one readout state per sample, neuron and readout time."""
    sep_samples = 2 * int(params.n_pairs) * (len(params.input_distances) + 1)
    tmpl_samples = int(params.n_classes) * int(params.samples_per_class)
    a, syn = _lsm_terms(params.shape, 1, sep_samples, float(params.duration / ms), params.batch, params.lam)
    b, _ = _lsm_terms(params.shape, int(params.template_channels), tmpl_samples,
                      float(params.template_duration / ms), params.batch, params.lam)
    n = int(params.shape[0]) * int(params.shape[1]) * int(params.shape[2])
    states = tmpl_samples * (n + int(params.template_channels)) * int(params.n_readout_times) * 8
    comp, ctext = _compile(backend)
    total = BASE_BYTES + comp + a + b + states
    return MemoryEstimate(int(total), f"{BASE_BYTES / 2**20:.0f} MiB{ctext} + liquid runs {(a + b) / 2**20:.0f} "
                          f"MiB + readout states {states / 2**20:.0f} MiB (neurons={n}, synapses~{syn}, "
                          f"samples={sep_samples}+{tmpl_samples})", "samples_per_class")


def eprop_memory(settings: dict, record_neurons: int, backend="cpp_standalone") -> MemoryEstimate:
    """``base [+ compile] + steps_total x (n_in + 3 n_out + 1) x 8 B x 3 + steps_total x 2 k x 8 B x 2
    + spikes x 48 B + synapses x 12 x 16 B`` with ``steps_total = batch x steps`` (the trials one after the
    other), ``settings`` as :func:`workbench.experiments.eprop.resolve_task` returns them: the input, target
    and mask TimedArrays (Python, the run-argument files, the program), the readout and ``k``
    (``record_neurons``) recorded v and a (program and Python), the recurrent spikes at most at 50 Hz, the
    synapses with their eligibility traces and gradient accumulators."""
    n_rec = int(settings["n_lif"]) + int(settings["n_alif"])
    n_in, n_out = int(settings["n_in"]), int(settings["n_out"])
    total_steps = int(settings["batch"]) * int(settings["steps"]) + 1
    k = min(int(record_neurons), n_rec)
    timed = total_steps * (n_in + 3 * n_out + 1) * 8 * 3
    monitors = total_steps * 2 * k * 8 * 2
    spikes = n_rec * total_steps / 1000.0 * 50.0 * _SPIKE
    syn = (n_in * n_rec + n_rec * n_rec + 2 * n_rec * n_out) * 12 * _VAR
    comp, ctext = _compile(backend)
    total = BASE_BYTES + comp + timed + monitors + spikes + syn
    return MemoryEstimate(int(total), f"{BASE_BYTES / 2**20:.0f} MiB{ctext} + inputs/targets {timed / 2**20:.0f} "
                          f"MiB + monitors {monitors / 2**20:.0f} MiB + spikes {spikes / 2**20:.0f} MiB + synapses "
                          f"{syn / 2**20:.0f} MiB (batch x steps = {total_steps})", "batch")


def _signal_sizes(params):
    """Samples, points per sample, channels, rate (Hz) of the data a biosignal run reads (read once here)."""
    sset = load_data(params.dataset, records=params.records, split=params.split,
                     train_fraction=params.train_fraction, classes=params.classes,
                     per_class=params.synthetic_per_class, fs_data=params.fs_data, max_samples=params.max_samples,
                     seed=0, rng=np.random.default_rng(0), fs=params.fs, sample_duration=params.sample_duration)
    n, c = len(sset.samples), int(sset.samples[0].shape[1])
    t = int(params.n_time) if params.n_time > 0 else max(len(s) for s in sset.samples)
    fs = float(params.fs / Hz) if params.fs > 0 * Hz else float(sset.fs) * (t / max(len(s) for s in sset.samples))
    return n, t, c, fs


def biosignal_memory(params, backend="cpp_standalone") -> MemoryEstimate:
    """``base + data + max(lsm, minirocket)``, the phases one after the other:

    - data: ``samples x points x channels x 8 B x 4`` (the samples, stacked, scaled, aeon's copy);
    - lsm: ``[compile +] liquid run + candidates x samples x (neurons + inputs) x readout times x 8 B``
      (every inner-CV candidate's states held at once; the liquid run of ``chunk`` samples as
      :func:`lsm_memory`, spikes of all samples at 50 Hz at most);
    - minirocket: ``aeon + 4 x samples x features x 8 B + 3 x samples^2 x 8 B`` (features: the kernels,
      rounded down to a multiple of 84; the transform, its float64 copy, the train/test parts and the
      ridge's centred copy; the leave-one-out Gram matrix and its eigenvectors).

    The data set is read once here to count its samples (MIT-BIH record 100: a second)."""
    n, t, c, fs = _signal_sizes(params)
    dur_ms = 1000.0 * t / fs if fs > 0 else 1000.0
    data = n * t * c * 8 * 4
    n_in = c * (2 * int(params.n_bands) if params.encoder == "filterbank" else 2)
    shape = [int(s) for s in params.shape]
    neurons = int(np.prod(shape))
    comp, ctext = _compile(backend)
    lsm = 0
    if params.model == "lsm" or "lsm" in params.extra_models:
        chunk = n if params.chunk <= 0 else min(n, int(params.chunk))
        run, _ = _lsm_terms(shape, n_in, chunk, dur_ms, params.batch, params.lam)
        spikes = (neurons + n_in) * n * dur_ms / 1000.0 * 50.0 * _SPIKE
        n_readout = int(params.n_readout) if params.n_readout > 0 else max(1, round(dur_ms / float(params.tau_readout / ms)))
        cands = (max(1, len(params.grid_input_scale)) * max(1, len(params.grid_weight_scale))
                 * max(1, len(params.grid_tau_readout)) * max(1, len(params.grid_readout_input)))
        states = cands * n * (neurons + n_in) * n_readout * 8
        lsm = comp + run + spikes + states
    rocket = 0
    if "minirocket" in params.baselines:
        feats = (int(params.minirocket_kernels) // 84) * 84
        rocket = AEON_BYTES + 4 * n * feats * 8 + 3 * n * n * 8
    total = BASE_BYTES + data + max(lsm, rocket)
    return MemoryEstimate(int(total), f"{BASE_BYTES / 2**20:.0f} MiB + data {data / 2**20:.0f} MiB + max(lsm "
                          f"{lsm / 2**20:.0f} MiB{' incl.' + ctext[2:] if ctext and lsm else ''}, minirocket "
                          f"{rocket / 2**20:.0f} MiB) (samples={n}, points={t}, channels={c})", "max_samples")
