"""Peak-memory estimates of fi-curve, stdp-window, lsm, eprop, biosignal and convert, as stated functions of their
parameters (issue 16), registered by protocol name in :data:`workbench.protocol.memory.ESTIMATES` and
checked by :func:`~workbench.protocol.memory.check_memory` before a run starts (stdp-digits and hardware
declare theirs in their scripts: :mod:`workbench.experiments.memory`).  An estimate cannot change a
result, so it lives with the runner: the protocol scripts, and the archives made from them, stay as they are.
Where an estimate needs a protocol's own table or rule (stdp-window's rules, e-prop's task sizes, convert's data
loader, biosignal's readout times and search grid) it reads it from the loaded protocol script (``protocol``, passed by
:func:`~workbench.protocol.memory.check_memory`), not from a copy and not by importing the experiments
(a layer above this one).

Each returns a :class:`~workbench.protocol.memory.MemoryEstimate` (bytes, the formula with its numbers, the
parameter to lower).  The terms are the arrays each run holds at its peak, counted from the parameters,
and constants measured once (the interpreter, the compiler, aeon); ``benchmarks/memory_protocols.py``
compares them with the measured peak of the whole process tree.
"""
from __future__ import annotations

import inspect

import numpy as np
from brian2 import Hz, ms

from ..backends import is_standalone, make_jobs
from ..datasets.biosignal import load_signals
from ..models import NEURONS
from ..networks.converted import _layout
from ..networks.liquid import PAPER as LIQUID
from ..params import parse_bool
from .memory import BASE_BYTES, MemoryEstimate
from .spec import load_protocol

__all__ = ["fi_curve_memory", "stdp_window_memory", "lsm_memory", "eprop_memory", "biosignal_memory",
           "convert_memory", "COMPILE_BYTES", "AEON_BYTES", "LIQUID_MAX_RATE"]


def _script(protocol, name: str) -> dict:
    """The global names of the protocol script ``protocols/NAME.py`` (``protocol``'s, else loaded by name):
    its tables and the experiment modules it imports."""
    if protocol is None:
        protocol = load_protocol(name)
    return protocol.func.__globals__

# Their arrays are small at the documented sizes: the interpreter (BASE_BYTES) and, on cpp_standalone, the
# compiler dominate.  The array terms are kept so that the estimate grows with the parameters that grow them.

#: cpp_standalone: the compile beside the Python process, per parallel compile job (make -jN,
#: :func:`workbench.backends.device.make_jobs`), measured once on fresh build folders (fi-curve, stdp-window,
#: lsm with make -j2: the two g++ (cc1plus) processes together 196 to 215 MiB at their peak, proportional set
#: size); a cached build does not compile and stays below the estimate
COMPILE_BYTES = 105 * 2**20

#: aeon's MiniRocket (numba and its compiled kernels), imported when the baseline runs: assumed, not yet measured
AEON_BYTES = 150 * 2**20

#: Brian2 state per neuron or synapse and variable, counted twice: the Python-side array and the program's
_VAR = 8 * 2
#: one recorded spike: index (int32) and time (float64), in the program, read back, and the run's copies
_SPIKE = 12 * 4
#: one liquid spike at the peak of :func:`workbench.networks.liquid.simulate`, counted from its code: the monitor's
#: index and time read back (12 B), their int64/float64 copies (16), the time step, the copy/neuron and slot/step
#: pairs of divmod, the sample (48), the keep mask (1) and the run's sample/neuron/time arrays (24)
_LIQUID_SPIKE = 104


def _compile(backend) -> tuple[int, str]:
    if not is_standalone(str(backend)):
        return 0, ""
    jobs = make_jobs()
    return jobs * COMPILE_BYTES, f" + {jobs}*{COMPILE_BYTES / 2**20:.0f} MiB compile (make -j{jobs})"


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


def stdp_window_memory(params, backend="cpp_standalone", protocol=None) -> MemoryEstimate:
    """``base [+ compile] + synapses x 2 clock neurons x 10 x 16 B + synapses x 20 x 16 B``, one synapse per
    pairing (``n_trials`` per delta_t for the stochastic rule, one per frequency and sign for the triplet rule)."""
    rules = list(params.rules) or list(_script(protocol, "stdp-window")["sw"].RULES)
    n_grid = 2 * int(float(params.delta_t_max / ms) // float(params.delta_t_step / ms))
    syn = sum(n_grid * (int(params.n_trials) if r == "stochastic_binary_stdp" else 1) for r in rules)
    if "triplet_stdp" in rules:
        syn += 2 * len(params.triplet_frequencies)
    comp, ctext = _compile(backend)
    total = BASE_BYTES + comp + syn * (2 * 10 + 20) * _VAR
    return MemoryEstimate(int(total), f"{BASE_BYTES / 2**20:.0f} MiB{ctext} + synapses*640 B (synapses={syn})",
                          "n_trials")


def _lsm_terms(shape, n_in, n_samples, duration_ms, batch, lam=2.0, rate_hz=50.0, spike_bytes=_SPIKE):
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
    return copies * (n * 15 + (syn + n_in * n) * 15) * _VAR + spikes * spike_bytes, syn


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


def eprop_memory(params, backend="cpp_standalone", protocol=None) -> MemoryEstimate:
    """``base + max([compile], test draw) + steps_total x (n_in + 3 n_out + 1) x 8 B x 3
    + steps_total x 2 k x 8 B x 2 + spikes x 48 B + synapses x 12 x 16 B`` with ``steps_total = batch x steps``
    (the trials one after the other; the task's sizes where left at -1: the script's ``TASK_VALUES``): the input,
    target and mask TimedArrays (Python, the run-argument files, the program), the readout and ``k``
    (``record_neurons``) recorded v and a (program and Python), the recurrent spikes at most at 50 Hz, the
    synapses with their eligibility traces and gradient accumulators.  The test (evidence) draws its
    ``n_test`` trials at once while the fixed validation set of ``n_val`` trials is still held:
    ``(2 x n_test + n_val) x steps x n_in x 8 B`` (the spike probabilities and the draw), after the compile."""
    ns = _script(protocol, "eprop")
    col = ns["ep"].TASKS.index(params.task)
    settings = ns["ep"].resolve_task(params, {k: v[col] for k, v in ns["TASK_VALUES"].items()})
    record_neurons = params.record_neurons
    n_rec = int(settings["n_lif"]) + int(settings["n_alif"])
    n_in, n_out = int(settings["n_in"]), int(settings["n_out"])
    total_steps = int(settings["batch"]) * int(settings["steps"]) + 1
    k = min(int(record_neurons), n_rec)
    timed = total_steps * (n_in + 3 * n_out + 1) * 8 * 3
    monitors = total_steps * 2 * k * 8 * 2
    spikes = n_rec * total_steps / 1000.0 * 50.0 * _SPIKE
    syn = (n_in * n_rec + n_rec * n_rec + 2 * n_rec * n_out) * 12 * _VAR
    n_eval = 1 if params.task == "pattern" else max(int(params.n_test), 1)
    # the fixed validation set (evidence) is held from before training to the end, beside the test draw
    n_val = max(int(params.n_val), 0) if params.task != "pattern" and params.validate_every > 0 else 0
    test = (2 * n_eval + n_val) * int(settings["steps"]) * n_in * 8
    comp, ctext = _compile(backend)
    total = BASE_BYTES + max(comp, test) + timed + monitors + spikes + syn
    return MemoryEstimate(int(total), f"{BASE_BYTES / 2**20:.0f} MiB + max({comp / 2**20:.0f} MiB compile, "
                          f"{test / 2**20:.0f} MiB test draw and validation set) + inputs/targets {timed / 2**20:.0f} MiB + monitors "
                          f"{monitors / 2**20:.0f} MiB + spikes {spikes / 2**20:.0f} MiB + synapses "
                          f"{syn / 2**20:.0f} MiB (batch x steps = {total_steps}, n_test={n_eval})", "batch")


def _signal_sizes(params):
    """Samples, points per sample, channels, rate (Hz) of the data a biosignal run reads (read once here, with
    the options :func:`workbench.experiments.biosignal.load_data` passes; ``max_samples`` caps the count)."""
    opts = dict(records=list(params.records) or None, split=params.split, train_fraction=params.train_fraction,
                classes=list(params.classes) or None, n_per_class=params.synthetic_per_class, seed=0)
    if params.fs_data > 0 * Hz:
        opts["fs"] = float(params.fs_data / Hz)
    elif str(params.dataset).lower().startswith("ucr:") and params.fs > 0 * Hz:
        opts["fs"] = float(params.fs / Hz)
    elif params.sample_duration > 0 * ms:
        opts["sample_duration"] = float(params.sample_duration / (1000 * ms))
    sset = load_signals(params.dataset, **opts)
    n, c = len(sset.samples), int(sset.samples[0].shape[1])
    if params.max_samples > 0:
        n = min(n, int(params.max_samples))
    t = int(params.n_time) if params.n_time > 0 else max(len(s) for s in sset.samples)
    # presented at fs, else at the data's own rate, also when resampled to n_time points (encode_dataset)
    fs = float(params.fs / Hz) if params.fs > 0 * Hz else float(sset.fs)
    return n, t, c, fs


#: the most a liquid neuron can fire, on average over the liquid: each neuron at most once per refractory period
#: (Maass et al. 2002: 3 ms excitatory, 2 ms inhibitory, a fifth inhibitory): 367 Hz.  The liquids of the
#: JapaneseVowels study fired 217 Hz per neuron on average (issue 15), far above the 50 Hz assumed before.
LIQUID_MAX_RATE = float((1 - LIQUID["frac_inh"]) / LIQUID["t_ref_e"] + LIQUID["frac_inh"] / LIQUID["t_ref_i"])


def biosignal_memory(params, backend="cpp_standalone", protocol=None) -> MemoryEstimate:
    """``base + data + max(lsm, minirocket)``, the phases one after the other:

    - data: ``samples x points x channels x 8 B x 4`` (the samples, stacked, scaled, aeon's copy);
    - lsm: ``[compile +] one chunk's run + samples x 8 B x sum over tau_readout of readout times(tau) x
      (liquids x neurons [+ inputs])``: every grid liquid's filtered states for every readout time
      constant (the input spikes' once, when the readout may see them), held until the inner-CV choice;
      the liquid run of ``chunk`` samples as :func:`lsm_memory`, its spikes at :data:`LIQUID_MAX_RATE`
      (a bound on the rate: every neuron firing once per refractory period) and ``_LIQUID_SPIKE`` bytes
      each, turned into states and dropped chunk by chunk;
    - minirocket: ``aeon + 4 x samples x features x 8 B + 3 x samples^2 x 8 B`` (features: the kernels,
      rounded down to a multiple of 84; the transform, its float64 copy, the train/test parts and the
      ridge's centred copy; the leave-one-out Gram matrix and its eigenvectors).

    The data set is read once here to count its samples (MIT-BIH record 100: a second).  The readout times
    and the time constants searched are the LSM's own (its module's ``n_readout_times`` and ``_grid``, reached
    through the protocol script)."""
    lsm_module = inspect.getmodule(_script(protocol, "biosignal")["bio"].lsm_model)
    n, t, c, fs = _signal_sizes(params)
    dur_ms = 1000.0 * t / fs if fs > 0 else 1000.0
    data = n * t * c * 8 * 4
    n_in = c * (2 * int(params.n_bands) if params.encoder == "filterbank" else 2)
    shape = [int(s) for s in params.shape]
    neurons = int(np.prod(shape))
    comp, ctext = _compile(backend)
    lsm, run, states, liquids, parameter = 0, 0, 0, 0, "max_samples"
    if params.model == "lsm" or "lsm" in params.extra_models:
        chunk = n if params.chunk <= 0 else min(n, int(params.chunk))
        run, _ = _lsm_terms(shape, n_in, chunk, dur_ms, params.batch, params.lam, rate_hz=LIQUID_MAX_RATE,
                            spike_bytes=_LIQUID_SPIKE)
        liquids = max(1, len(params.grid_input_scale)) * max(1, len(params.grid_weight_scale))
        with_input = any(parse_bool(v) for v in params.grid_readout_input)
        taus = lsm_module._grid(params, "tau_readout", float(params.tau_readout / ms))
        times = sum(lsm_module.n_readout_times(params, dur_ms, tau) for tau in taus)
        states = n * 8 * times * (liquids * neurons + (n_in if with_input else 0))
        lsm = comp + run + states
        parameter = "chunk" if run > states else "max_samples"
    rocket = 0
    if "minirocket" in params.baselines:
        feats = (int(params.minirocket_kernels) // 84) * 84
        rocket = AEON_BYTES + 4 * n * feats * 8 + 3 * n * n * 8
    total = BASE_BYTES + data + max(lsm, rocket)
    parts = ([f"a chunk's run {run / 2**20:.0f} MiB", f"states {states / 2**20:.0f} MiB"] if lsm else []) \
        + ([ctext[3:]] if ctext and lsm else [])
    return MemoryEstimate(int(total), f"{BASE_BYTES / 2**20:.0f} MiB + data {data / 2**20:.0f} MiB + max(lsm "
                          f"{lsm / 2**20:.0f} MiB{' (' + ', '.join(parts) + ')' if parts else ''}, minirocket "
                          f"{rocket / 2**20:.0f} MiB) (samples={n}, points={t}, channels={c}"
                          f"{f', liquids={liquids}, liquid spikes <= {LIQUID_MAX_RATE:.0f} Hz' if lsm else ''})",
                          parameter)


#: one synapse of the converted network's block-diagonal copies, measured once (784-1000-200-10 in 97 copies,
#: 2e7 synapses: the program ~52 B, the Python side ~44 B: the connect indices as int64, the tiled weights and
#: Brian2's copies written for the program)
_CONVERT_SYN = 96


def convert_memory(params, backend="cpp_standalone", protocol=None) -> MemoryEstimate:
    """``base + data + max(ann, activations, simulation)``, the phases one after the other (the data held
    throughout):

    - data: ``2 x (n_train + n_test) x inputs x 8 B`` (the scaled feature vectors and one more copy: the
      loader's, or the one being scaled);
    - ann: ``n_train x inputs x 8 B`` (scikit-learn's early-stopping split copies the training data);
    - activations: ``2 x n_train x (hidden + classes) x 8 B`` (the ReLU activations for the normalisation
      scales, and the percentile's sorted copy);
    - simulation: ``max([compile], program)`` with ``program = batch x synapses x 96 B + 3 x (slots x
      batch x first layer x 8 B) + 6 x (slots x records + 1) x batch x classes x 8 B`` (``batch`` copies
      laid out as the run lays them, :func:`workbench.networks.converted.simulate`; the input table in
      Python, the argument file and the program; the output layer's two recorded variables in the program
      and read back).  The compile ends before the program starts.

    The data set is read once here (with the protocol's own loader) to count its samples and inputs.  The
    parameter to lower: ``batch`` where the simulation dominates, else ``n_train``.  Calibrated on two runs:
    the first form (three copies of the data, 64 B per synapse, the compile beside the program) was 1.47 times
    the measured peak of the Fashion-MNIST run of BENCHMARKS.md (784-500-10, 60,000 + 10,000 images, 5e6
    synapses) and 0.80 times that of a 784-1000-200-10 run (20,000 + 3,000 images, 2e7 synapses); this form
    gives 0.86 and 0.94, and 1.11 on a third run not used to fit it (784-2000-10, 30,000 + 4,000 images,
    ``max_iter=30``, 2e7 synapses; measured peak 2.97 GiB, estimate 2.68 GiB)."""
    cv = _script(protocol, "convert")["cv"]
    data = cv.load_data(params.dataset, params.n_train, params.n_test, np.random.default_rng(0),
                        records=params.records, fs=params.fs, train_fraction=params.train_fraction,
                        balance=params.balance)
    n_tr, d = data.X_train.shape
    n_te, k = len(data.X_test), len(data.class_names)
    del data
    sizes = [d] + [int(h) for h in params.hidden] + [k]
    held = 2 * (n_tr + n_te) * d * 8
    ann = n_tr * d * 8
    acts = 2 * n_tr * sum(sizes[1:]) * 8
    syn = sum(a * b for a, b in zip(sizes[1:-1], sizes[2:])) + (d * sizes[1] if params.input != "current" else 0)
    B, S = _layout(n_te, int(params.batch), syn)
    records = int(params.steps) // max(int(params.record_every), 1)
    comp, ctext = _compile(backend)
    sim = max(comp, B * syn * _CONVERT_SYN + 3 * S * B * sizes[1] * 8 + 6 * (S * records + 1) * B * k * 8)
    total = BASE_BYTES + held + max(ann, acts, sim)
    return MemoryEstimate(int(total), f"{BASE_BYTES / 2**20:.0f} MiB + data {held / 2**20:.0f} MiB + max(ann "
                          f"{ann / 2**20:.0f} MiB, activations {acts / 2**20:.0f} MiB, simulation {sim / 2**20:.0f} "
                          f"MiB{', the larger of the program and' + ctext[2:] if ctext else ''}) "
                          f"(train={n_tr}, test={n_te}, sizes={sizes}, batch={B}x{S} slots)",
                          "batch" if sim > held + max(ann, acts) else "n_train")


#: protocol name -> its estimate (read by workbench.protocol.memory.check_memory)
ESTIMATES = {"fi-curve": fi_curve_memory, "stdp-window": stdp_window_memory, "lsm": lsm_memory,
             "eprop": eprop_memory, "biosignal": biosignal_memory, "convert": convert_memory}
