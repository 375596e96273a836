"""A ReLU multilayer perceptron converted to integrate-and-fire neurons (Rueckauer et al. 2017).

Conversion
----------
Each ReLU unit becomes an :data:`workbench.models.conversion.IF_SUBTRACT` neuron (no leak, reset
by subtraction): over ``T`` time steps of ``dt`` its spike count approaches ``T * min(a, 1)`` for
an analogue activation ``a`` in units of the threshold.  A weight ``w`` becomes a delta synapse
that moves ``v`` by ``w * v_th``; a bias ``b`` a constant current that moves ``v`` by
``b * v_th`` per step.  The output layer is converted the same way; its class score after ``n``
steps is the charge it has integrated, ``n_sample + v/v_th`` (spike count plus the residue,
Rueckauer et al. 2017, section 2.3, so that negative logits still rank).

Data-based normalisation (Rueckauer et al. 2017, section 2.2; Diehl et al. 2015 "data-based
normalization" for the maximum): with ``lambda_l`` the maximum, or the ``p``-th percentile of the
non-zero activations (ReLU; the output layer's positive logits) of layer ``l`` on *training*
data and ``lambda_0 = 1`` (inputs scaled to [0, 1]),
``W_l <- W_l * lambda_{l-1} / lambda_l`` and ``b_l <- b_l / lambda_l``, so that no converted
unit needs to fire faster than once per step.  ``method='none'`` keeps the ANN's weights (units
with activations above 1 saturate).

Inputs: ``'current'`` (the analogue input times the first layer's weights, plus its bias, as a
constant current into the first layer: Rueckauer et al. 2017, section 2.4) or ``'poisson'`` (input
neurons that spike in each step with probability equal to the scaled input,
:data:`workbench.models.conversion.BERNOULLI_INPUT`) or ``'ttfs'`` (time to first spike: each input
spikes once, at step ``(1 - x)*(T - 1)`` of its slot, :data:`workbench.models.conversion.TTFS_INPUT`,
and the spike opens a constant current ``w`` per step into the first layer until the slot ends, so
the first layer integrates ``x * w`` per step on average, as with the current input, from one
spike per input instead of ``x*T``).

One build for a whole test set
------------------------------
:func:`simulate` lays the test set out as ``batch`` parallel copies of the network (block-diagonal
synapses) times ``slots`` consecutive time slots of ``T`` steps; ``run_regularly`` operations
clear the potentials and per-sample counters at the start of every slot and load the next
inputs from a ``TimedArray``.  A ``StateMonitor`` on the output layer (before the clear, every
``record_every`` steps) gives every sample's scores against time; the other layers count their
spikes in ``n_total``.  Several normalisations of one network run the same build, re-run with
new weights (:class:`workbench.backends.Simulation`), no recompilation on standalone.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from brian2 import Network, StateMonitor, TimedArray, defaultclock, mV, ms

from ..backends import Simulation, model_key, use_backend
from ..models import connect, neuron_group
from ..models.conversion import BERNOULLI_INPUT, IF_SUBTRACT, TTFS_INPUT

__all__ = ["V_TH", "NORMALISATIONS", "INPUTS", "ConvertedNetwork", "ConvertedRun", "relu_activations",
           "convert", "network_from_dataset", "first_spike_steps", "simulate"]

#: Threshold of the converted neurons (a weight of 1 moves v by one threshold).
V_TH = 1 * mV
#: Normalisation methods of :func:`convert`.
NORMALISATIONS = ("max", "percentile", "none")
#: Input codings of :func:`simulate`.
INPUTS = ("current", "poisson", "ttfs")


@dataclass
class ConvertedNetwork:
    """Weights ``(n_pre, n_post)`` per layer and biases (per step), both in units of the threshold,
    with the scale factors ``lambdas`` (one per layer, ``lambda_0 = 1`` for the input)."""

    sizes: list
    weights: list
    biases: list
    lambdas: np.ndarray
    normalisation: str
    percentile: float = 100.0

    @property
    def n_layers(self) -> int:
        return len(self.weights)


def relu_activations(weights, biases, X) -> list:
    """Activations of every layer of the ReLU network on ``X`` (output layer: the logits)."""
    a, out = np.asarray(X, dtype=float), []
    for k, (W, b) in enumerate(zip(weights, biases)):
        z = a @ W + b
        a = z if k == len(weights) - 1 else np.maximum(z, 0.0)
        out.append(a)
    return out


def _scale(act, method, percentile):
    pos = act[act > 0]
    if method == "none" or len(pos) == 0:
        return 1.0
    if method == "max":
        return float(pos.max())
    return float(np.percentile(pos, percentile))


def convert(weights, biases, X_train, method: str = "percentile", percentile: float = 99.9) -> ConvertedNetwork:
    """The normalised network of a ReLU MLP (``weights[l]`` of shape ``(n_pre, n_post)``, as
    scikit-learn's ``coefs_``); scale factors from the activations on ``X_train`` (training data)."""
    if method not in NORMALISATIONS:
        raise ValueError(f"normalisation {method!r}: use one of {NORMALISATIONS}")
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile {percentile}: use a value in (0, 100] (Rueckauer et al. 2017: 99.9)")
    acts = relu_activations(weights, biases, X_train)
    lam = [1.0] + [_scale(a, method, percentile) for a in acts]
    W = [np.asarray(w, float) * lam[k] / lam[k + 1] for k, w in enumerate(weights)]
    b = [np.asarray(c, float) / lam[k + 1] for k, c in enumerate(biases)]
    sizes = [int(np.shape(weights[0])[0])] + [int(np.shape(w)[1]) for w in weights]
    return ConvertedNetwork(sizes=sizes, weights=W, biases=b, lambdas=np.asarray(lam), normalisation=method,
                            percentile=float(percentile if method == "percentile" else 100.0))


def network_from_dataset(ds) -> ConvertedNetwork:
    """The converted network stored in a ``convert`` archive (``weight_K``, ``bias_K``, ``lambda``)."""
    W, b, k = [], [], 1
    while f"weight_{k}" in ds:
        W.append(np.asarray(ds[f"weight_{k}"].values, float))
        b.append(np.asarray(ds[f"bias_{k}"].values, float))
        k += 1
    if not W:
        raise ValueError("the archive holds no converted network (weight_1, bias_1, ...): make one with "
                         "workbench run convert")
    sizes = [W[0].shape[0]] + [w.shape[1] for w in W]
    lam = np.asarray(ds["lambda"].values[0], float) if "lambda" in ds else np.ones(len(sizes))
    return ConvertedNetwork(sizes=sizes, weights=W, biases=b, lambdas=lam,
                            normalisation=str(ds.attrs.get("normalisation", "")),
                            percentile=float(ds.attrs.get("percentile", 100.0)))


@dataclass
class ConvertedRun:
    """Scores ``(sample, checkpoint, class)`` after ``steps[k]`` steps, spikes per inference of the
    input and of every layer, the run's wall times (s) and layout."""

    scores: np.ndarray
    steps: np.ndarray
    input_spikes: float
    layer_spikes: np.ndarray
    wall_run: float
    wall_build: float
    batch: int
    slots: int
    build_dir: str = ""

    def predictions(self) -> np.ndarray:
        """Class per sample and checkpoint (argmax of the score; ties: the lowest class)."""
        return np.argmax(self.scores, axis=2)


def _layout(n, batch, syn_per_copy):
    if batch <= 0:  # automatic: up to 1024 copies, at most ~2e7 synapses in all
        batch = max(1, min(1024, int(2e7 // max(syn_per_copy, 1))))
    batch = max(1, min(int(batch), n))
    slots = math.ceil(n / batch)
    batch = math.ceil(n / slots)  # as few padded lanes as the slots allow
    return batch, slots


def first_spike_steps(X, steps: int) -> np.ndarray:
    """Time-to-first-spike code of inputs in [0, 1]: step ``round((1 - x)*(steps - 1))`` of the slot
    (-1: no spike for x = 0), so the current a spike opens flows for ``x*(steps - 1)`` steps."""
    X = np.clip(np.asarray(X, dtype=float), 0.0, 1.0)
    return np.where(X > 0, np.rint((1.0 - X) * (steps - 1)), -1.0)


def _block(n_pre, n_post, batch):
    """Block-diagonal all-to-all indices of ``batch`` copies (pre-major within a copy)."""
    i = np.repeat(np.arange(n_pre), n_post)
    j = np.tile(np.arange(n_post), n_pre)
    off = np.arange(batch)[:, None]
    return (i[None, :] + off * n_pre).ravel(), (j[None, :] + off * n_post).ravel()


def _lanes(values, batch, slots):
    """Per-sample rows ``(n, k)`` laid out as ``(slots, batch*k)`` (sample s: slot s//batch, lane
    s%batch); padded lanes repeat the first samples, so every lane runs a real input."""
    n, k = values.shape
    idx = np.arange(batch * slots) % n
    return values[idx].reshape(slots, batch * k)


def simulate(nets, X, steps: int, *, input: str = "current", dt=1 * ms, record_every: int = 1, batch: int = 0,
             backend: str = "numpy", seed: int = 0, threads: int = 1) -> list:
    """Run every sample of ``X`` (rows scaled to [0, 1]) for ``steps`` steps through each network of
    ``nets`` (same sizes; one build, re-run per network).  Returns one :class:`ConvertedRun` each."""
    nets = list(nets)
    if input not in INPUTS:
        raise ValueError(f"input {input!r}: use one of {INPUTS}")
    if not nets or any(n.sizes != nets[0].sizes for n in nets):
        raise ValueError("simulate(): give one or more converted networks of the same sizes")
    steps, record_every = int(steps), int(record_every)
    if steps < 1 or record_every < 1 or steps % record_every:
        raise ValueError(f"steps={steps} must be a positive multiple of record_every={record_every}")
    X = np.asarray(X, dtype=float)
    sizes = nets[0].sizes
    if X.ndim != 2 or X.shape[1] != sizes[0]:
        raise ValueError(f"inputs of shape {X.shape}: expected (samples, {sizes[0]})")
    n = len(X)
    syn = sum(a * b for a, b in zip(sizes[1:-1], sizes[2:])) + (sizes[0] * sizes[1] if input != "current" else 0)
    B, S = _layout(n, batch, syn)
    K = steps // record_every
    key = model_key("converted-mlp", sizes, B, S, steps, input, float(dt / ms), record_every)
    runs = []
    t0 = time.perf_counter()
    with use_backend(backend, key=key, seed=seed, threads=threads) as be:
        defaultclock.dt = dt
        slot = steps * dt
        model = IF_SUBTRACT.with_params(v_th=V_TH)
        C_m = model.params["C_m"]
        layers = [neuron_group(model, B * m, name=f"converted_layer{k + 1}") for k, m in enumerate(sizes[1:])]
        objs, syns = list(layers), []
        first = np.zeros((S, B * sizes[1]))
        pre_group, first_pre, spike_table = None, 1, None
        if input in ("current", "ttfs"):  # ttfs: the table holds the bias, input spikes add to I
            table = TimedArray(first, dt=slot, name="converted_input_table")
            layers[0].namespace["a_in"] = table
            layers[0].run_regularly("I = a_in(t, i)*v_th*C_m/dt\nv = 0*mV\nn_sample = 0", dt=slot, when="start",
                                    name="converted_layer1_clear")
        if input == "ttfs":
            spike_table = TimedArray(np.zeros((S, B * sizes[0])), dt=slot, name="converted_first_spike_table")
            pre_group = neuron_group(TTFS_INPUT.with_params(s_first=spike_table, slot_period=slot), B * sizes[0],
                                     name="converted_input")
            objs.append(pre_group)
            first_pre = 0
        elif input == "poisson":
            table = TimedArray(np.zeros((S, B * sizes[0])), dt=slot, name="converted_input_table")
            pre_group = neuron_group(BERNOULLI_INPUT.with_params(p_spike=table), B * sizes[0], name="converted_input")
            objs.append(pre_group)
            first_pre = 0
        for k, G in enumerate(layers):
            if k > 0 or input == "poisson":
                G.run_regularly("v = 0*mV\nn_sample = 0", dt=slot, when="start", name=f"converted_layer{k + 1}_clear")
        for k in range(first_pre, len(sizes) - 1):
            src = pre_group if k == 0 else layers[k - 1]
            ramp = k == 0 and input == "ttfs"  # a first spike opens a current of w thresholds per step
            Syn = connect(src, layers[k], "I" if ramp else "v", w_scale=V_TH * C_m / dt if ramp else V_TH,
                          name=f"converted_synapses{k + 1}")
            i, j = _block(sizes[k], sizes[k + 1], B)
            Syn.connect(i=i, j=j)
            syns.append((k, Syn))
        objs += [s for _, s in syns]
        out = layers[-1]
        mon = StateMonitor(out, ["v", "n_sample"], record=True, dt=record_every * dt, when="start", order=-1,
                           name="converted_output_states")
        counted = layers + ([pre_group] if pre_group is not None else [])
        tot = [StateMonitor(G, "n_total", record=True, dt=S * slot, when="start", order=-1,
                            name=f"{G.name}_totals") for G in counted]
        sim = Simulation(Network(*objs, mon, *tot), (S * steps + 1) * dt, be)
        for net in nets:
            values = {}
            for k, Syn in syns:
                values[Syn.w] = np.tile(net.weights[k].ravel(), B)
            for k, G in enumerate(layers):
                if k > 0 or input == "poisson":
                    values[G.I] = np.tile(net.biases[k], B) * (V_TH * C_m / dt)
            if input == "current":
                values[table] = _lanes(X @ net.weights[0] + net.biases[0], B, S)
            elif input == "ttfs":
                values[table] = _lanes(np.broadcast_to(net.biases[0], (n, sizes[1])), B, S)
                values[spike_table] = _lanes(first_spike_steps(X, steps), B, S)
            else:
                values[table] = _lanes(np.clip(X, 0, 1), B, S)
            wall = sim.run(values)
            v = np.asarray(mon.v[:] / V_TH).T  # (records, neurons)
            c = np.asarray(mon.n_sample[:]).T
            score = (v + c)[1:S * K + 1].reshape(S, K, B, sizes[-1]).transpose(0, 2, 1, 3)
            score = score.reshape(S * B, K, sizes[-1])[:n]
            totals = [float(np.asarray(m.n_total[:])[:, -1].sum()) / (B * S) for m in tot]
            runs.append(ConvertedRun(scores=score, steps=np.arange(1, K + 1) * record_every,
                                     input_spikes=totals[-1] if pre_group is not None else 0.0,
                                     layer_spikes=np.asarray(totals[:len(layers)]),
                                     wall_run=float(be.timers["run"][-1]) if be.timers.get("run") else wall,
                                     wall_build=float(sim.build_time), batch=B, slots=S,
                                     build_dir=str(be.build_dir or "")))
    return runs

