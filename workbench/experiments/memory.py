"""Peak-memory estimates of the protocols, as stated functions of their parameters (issue 16).

Each returns a :class:`workbench.protocol.memory.MemoryEstimate`: bytes, the formula (kept in the
archive as ``memory_estimate``) and the parameter that changes it most (named when a run is refused
because the estimate exceeds the available memory).  The coefficients are bytes per element of the
arrays the protocol holds at its peak, with the copies it makes; ``benchmarks/memory_hardware.py``
compares them with measured peak resident memory.
"""
from __future__ import annotations

import json

from brian2 import ms

from ..archive import open_archive
from ..params import parse_quantity
from ..hardware.deploy import chunk_trials
from ..protocol.memory import BASE_BYTES, MemoryEstimate

__all__ = ["stdp_digits_memory", "hardware_memory", "BYTES_PER_SYNAPSE_BRIAN", "BYTES_PER_SYNAPSE_CHIP"]

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
