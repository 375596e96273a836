"""Deploy a trained network on a simulated neuromorphic chip: accuracy, traffic, latency, energy.

Pipeline (``workbench run hardware --set source=TRAINED.nc --set chip=loihi --set weight_bits=8``):

1. export the archive's network to the neutral graph
   (:mod:`workbench.hardware.export`; ``stdp-digits`` archives);
2. map it onto the chip (``pymetis`` partitioning weighted by the float
   model's spike traffic; the sequential fill is run as the baseline);
3. quantize it (:mod:`workbench.hardware.quantize`) and check the design rules
   (violations are recorded, or raised with ``strict=true``);
4. optionally apply device mismatch and hardware-constrained learning
   (pair STDP on the quantized input weights with stochastic rounding, then
   re-normalisation, as a host would do between images);
5. assign classes from the chip's own responses to ``n_assign`` training
   images (``assign=chip``, as Diehl & Cook assign after training) or use the
   archive's assignment (``assign=archive``), then run the test images
   batched on the AER simulator, with the Diehl & Cook repeat rule (fewer than
   ``min_spikes`` excitatory spikes: show again with higher intensity);
6. the same steps with the float reference (the exported model unquantized,
   exact decays) give ``float_accuracy``; on chips without conductance
   synapses (Loihi) the chip's arithmetic in float64 (conductances as
   currents at ``v_ref``) gives ``chip_float_accuracy``; ``sweep_bits``
   repeats 3-5 per weight width.

The stdp-digits network is deployed at the archive's own dt with its
conductance synapses (see :mod:`workbench.hardware.export`), Poisson inputs
of rate pixel/8 x intensity for ``t_present``, and classes assigned from the
same number of training images as the archive (``n_assign=-1``).

Per inference (a test image, repeats included): energy (J) with its
breakdown by event type, latency (s), spikes, packets, synaptic operations;
per tick and core the counts; per mesh link the load; the AER event stream
of the first test image.
"""
from __future__ import annotations

import json
import time

import numpy as np
import xarray as xr

from ..params import Param, ParameterError
from ..protocol import Protocol

__all__ = ["PROTOCOL", "deploy", "Deployment"]


def _load_source(params):
    from ..archive import open_archive
    from ..hardware.export import graph_from_stdp_digits

    if not params.source:
        raise ParameterError("source: give a trained archive, e.g. --set source=dc.nc (from workbench run "
                             "stdp-digits)")
    ds = open_archive(params.source)
    proto = ds.attrs.get("protocol", "")
    if proto in ("stdp-digits", "stdp_digits") or "receptive_field" in ds:
        dt = float(params.dt / _ms())
        graph = graph_from_stdp_digits(ds, dt=dt if dt > 0 else None)
        return ds, graph, "stdp-digits"
    if proto == "biosignal":
        return ds, None, "biosignal"
    raise ParameterError(f"source {params.source!r}: archives of protocol {proto!r} cannot be deployed; "
                         "supported: stdp-digits, biosignal (model=lsm)")


def _biosignal_source(src, params):
    """Rebuild what a biosignal (LSM) run saw: the encoded samples, the folds and the liquid (same seed).

    The biosignal archive stores its configuration and seed; the liquid and the
    spike encoding are regenerated exactly as in
    :func:`workbench.experiments.biosignal._run` (same generators, same order).
    """
    from types import SimpleNamespace

    from brian2 import Mohm, mV, ms, nA

    from ..hardware.export import graph_from_liquid
    from . import lsm
    from .biosignal import PROTOCOL as BIO
    from .biosignal import _prepare, encode_dataset, n_readout_times

    cfg = json.loads(src.attrs.get("config", "{}"))
    seed = int(src.attrs.get("seed", 0))
    bp = BIO.resolve({k: v for k, v in cfg.items() if k in BIO.params})
    if bp.model != "lsm":
        raise ParameterError(f"source: biosignal archive of model {bp.model!r}; only model=lsm can be deployed")
    ctx = SimpleNamespace(seed=seed)
    rng = np.random.default_rng(seed)
    sset = _prepare(bp, ctx)
    _signals, spikes, folds, _is_cv, fs, n_time = encode_dataset(sset, bp, rng)
    duration_ms = n_time / fs * 1000.0
    n_in = spikes[0].n_channels
    liquid = lsm.make_liquid(tuple(int(x) for x in bp.shape), n_in, rng=np.random.default_rng(seed), lam=bp.lam,
                             p_in=bp.p_in, input_scale=bp.input_scale, weight_scale=bp.weight_scale)
    P = lsm.PAPER
    paper = {k: float(P[k] / u) for k, u in dict(tau_m=ms, R_in=Mohm, v_th=mV, v_reset=mV, I_b=nA, t_ref_e=ms,
                                                  t_ref_i=ms, tau_s_e=ms, tau_s_i=ms).items()}
    from ..hardware.export import source_dt

    rate = params.lsm_rate
    if rate <= 0:  # the source's measured mean liquid rate
        need = ("model_spikes_per_sample", "liquid_neurons", "sample_duration")
        rate = 20.0  # archives that do not record the liquid's activity
        if all(k in src for k in need):
            rate = float(src["model_spikes_per_sample"].values) / float(src["liquid_neurons"].values) \
                / (float(src["sample_duration"].values) * 1e-3)
    dt = float(params.dt / ms)
    graph = graph_from_liquid(liquid, paper, dt=dt if dt > 0 else source_dt(src, 0.5), rate_hz=rate)
    dt = graph.dt
    T = int(np.ceil(duration_ms / dt))
    stim = np.zeros((len(spikes), T, n_in), dtype=bool)
    for k, st in enumerate(spikes):
        tick = np.floor(np.asarray(st.times) / dt).astype(int)
        ok = (tick >= 0) & (tick < T)
        stim[k, tick[ok], np.asarray(st.channel)[ok]] = True
    n_readout = n_readout_times(bp, duration_ms)
    return dict(graph=graph, stim=stim, labels=np.asarray(sset.labels, dtype=int), folds=folds,
                duration_ms=duration_ms, n_readout=n_readout, tau_readout=float(bp.tau_readout / ms),
                readout=bp.readout, seed=seed, dataset=bp.dataset, source_rate=rate,
                v_init=(paper["v_reset"], paper["v_th"]))


def deploy_liquid(graph, chip, params, bio, seed, *, weight_bits=None, exact=False, mapping=None, rates=None):
    """Run every sample of a biosignal set through the (quantized) liquid; readout trained on the chip's states."""
    from ..hardware import rules
    from ..hardware.aersim import chip_statistics, simulate
    from ..hardware.mapping import map_graph
    from ..hardware.mismatch import apply_mismatch
    from ..hardware.quantize import float_network, quantization_error, quantize
    from ..readout import fit_classifier
    from .lsm import filtered_states

    t0 = time.perf_counter()
    if mapping is None:
        mapping = map_graph(graph, chip, params.mapping, rates=rates, seed=seed)
    net = float_network(graph) if exact else quantize(graph, chip, weight_bits, scale=params.scale,
                                                      per=params.scale_per, rounding=params.rounding,
                                                      core_of=mapping.core_of, seed=seed)
    violations = rules.check(graph, chip, net, mapping, raise_on_error=params.strict)
    if params.mismatch_cv > 0:
        net = apply_mismatch(net, params.mismatch_cv, params.mismatch_cv, params.mismatch_cv, seed=seed + 7)
    stim = bio["stim"]
    n = len(stim)
    liq = graph.flat().slice("liquid")
    times = np.linspace(bio["duration_ms"] / bio["n_readout"], bio["duration_ms"], bio["n_readout"]) - 1e-6
    feats = []
    per_trial = ("synops", "packets", "hops", "spikes", "latency", "neuron_updates", "energy", "energy_synop",
                 "energy_neuron", "energy_packet", "energy_hop", "energy_static")
    totals = {k: np.zeros(n) for k in per_trial}
    events, wall, first = 0, 0.0, None
    chunk = 100
    # initial membrane potentials uniform in [v_reset, v_th) per sample, as the Brian2 liquid draws them
    lo_v, hi_v = bio["v_init"]
    rng_v = np.random.default_rng(seed + 5)
    v_init = rng_v.uniform(lo_v, hi_v, (n, liq.stop - liq.start))
    for s0 in range(0, n, chunk):
        v0 = np.zeros((len(stim[s0:s0 + chunk]), graph.n_neurons))
        vi = v_init[s0:s0 + chunk]
        v0[:, liq] = vi if exact else np.rint(vi / net.lsb[liq])
        res = simulate(net, stim[s0:s0 + chunk], seed=seed, v0=v0)
        events += res.synaptic_events
        wall += res.wall_time
        st = chip_statistics(res, net, mapping)
        if first is None:
            first = (res, st)
            for k in ("synops_tick_core", "packets_tick_core", "link_load", "tick_latency", "max_link_load_tick"):
                totals[k] = st[k]
        else:
            for k in ("synops_tick_core", "packets_tick_core", "link_load"):
                totals[k] = totals[k] + st[k]
        for k in per_trial:
            totals[k][s0:s0 + chunk] = st[k]
        b, t, i = np.nonzero(res.raster[:, :, liq])
        feats.append(filtered_states(b, i, t * graph.dt, len(res.raster), liq.stop - liq.start, times,
                                     tau=bio["tau_readout"]).reshape(len(res.raster), -1))
    X = np.concatenate(feats)
    preds, labels, accs = [], [], []
    for tr, te in bio["folds"]:
        rr = fit_classifier(X[tr], bio["labels"][tr], X[te], bio["labels"][te], method=bio["readout"], seed=seed)
        preds.append(rr.y_pred)
        labels.append(bio["labels"][te])
        accs.append(np.mean(rr.y_pred == bio["labels"][te]))
    qerr = {"weight_rel_rms": 0.0, "threshold_rel_rms": 0.0} if exact else quantization_error(net, graph)
    run = {"counts": None, "repeats": np.zeros(n), "stats": totals, "events": events, "wall": wall, "first": first}
    return dict(accuracy=float(np.mean(accs)), prediction=np.concatenate(preds), labels=np.concatenate(labels),
                run=run, net=net, mapping=mapping, violations=violations, qerr=qerr, wall=time.perf_counter() - t0,
                learn={})


def _ms():
    from brian2 import ms

    return ms


class Deployment:
    """One network on one chip configuration: encode, run batched, repeat, classify, count."""

    def __init__(self, graph, net, mapping, images, cfg, seed):
        self.graph, self.net, self.mapping, self.cfg = graph, net, mapping, cfg
        self.images = images
        self.seed = seed

    def run(self, images, seed, stats=True):
        from ..hardware.aersim import chip_statistics, encode_inputs, simulate

        cfg = self.cfg
        n = len(images)
        pix = images.reshape(n, -1).astype(float)
        intensity = np.full(n, cfg["intensity0"])
        pending = np.arange(n)
        exc = self.graph.flat().slice(self.graph.readout.population)
        counts = np.zeros((n, exc.stop - exc.start))
        repeats = np.zeros(n, dtype=int)
        per_trial = ("synops", "packets", "hops", "spikes", "latency", "neuron_updates", "energy",
                     "energy_synop", "energy_neuron", "energy_packet", "energy_hop", "energy_static")
        totals = {k: np.zeros(n) for k in per_trial}
        events, wall, first = 0, 0.0, None
        rng = np.random.default_rng(seed)
        for attempt in range(cfg["max_repeats"] + 1):
            if len(pending) == 0:
                break
            rates = pix[pending] * cfg["rate_per_level"] * intensity[pending, None]
            stim = encode_inputs(rates, cfg["n_ticks"], self.graph.dt, rng)
            res = simulate(self.net, stim)
            events += res.synaptic_events
            wall += res.wall_time
            if not stats:  # class assignment: only the responses are needed
                c = res.counts[:, exc]
                counts[pending] = c
                ok = c.sum(axis=1) >= cfg["min_spikes"]
                intensity[pending[~ok]] += cfg["d_intensity"]
                pending = pending[~ok]
                continue
            st = chip_statistics(res, self.net, self.mapping)
            if first is None:
                first = (res, st)
                for k in ("synops_tick_core", "packets_tick_core", "link_load", "tick_latency",
                          "max_link_load_tick"):
                    totals[k] = st[k]
            else:
                for k in ("synops_tick_core", "packets_tick_core", "link_load"):
                    totals[k] = totals[k] + st[k]
            for k in per_trial:
                totals[k][pending] += st[k]
            c = res.counts[:, exc]
            counts[pending] = c
            ok = c.sum(axis=1) >= cfg["min_spikes"]
            repeats[pending[~ok]] += 1 if attempt < cfg["max_repeats"] else 0
            intensity[pending[~ok]] += cfg["d_intensity"]
            pending = pending[~ok]
        return {"counts": counts, "repeats": repeats, "stats": totals, "events": events, "wall": wall,
                "first": first}


def _assign(counts, labels, n_classes=10):
    sums = np.zeros((n_classes, counts.shape[1]))
    np.add.at(sums, labels, counts)
    nper = np.bincount(labels, minlength=n_classes)[:, None]
    rates = sums / np.maximum(nper, 1)
    return np.argmax(rates, axis=0)


def deploy(graph, chip, params, data, seed, *, weight_bits=None, exact=False, rates=None, mapping=None,
           learn=None, chip_float=False):
    """Quantize (or not), map, optionally learn, assign and test; returns a dict of results.

    ``exact``: the float reference of the source model (conductance synapses kept);
    with ``chip_float`` too: the chip's arithmetic in float64 (conductances as
    currents at ``params.v_ref`` on chips without conductance synapses).
    """
    from ..hardware import rules
    from ..hardware.aersim import STDPConfig, simulate, encode_inputs
    from ..hardware.mapping import map_graph
    from ..hardware.mismatch import apply_mismatch
    from ..hardware.quantize import float_network, quantization_error, quantize

    t0 = time.perf_counter()
    if mapping is None:
        mapping = map_graph(graph, chip, params.mapping, rates=rates, seed=seed)
    if exact:
        net = float_network(graph, chip, v_ref=params.v_ref) if chip_float else float_network(graph)
    else:
        net = quantize(graph, chip, weight_bits, scale=params.scale, per=params.scale_per,
                       rounding=params.rounding, core_of=mapping.core_of, seed=seed, v_ref=params.v_ref)
    violations = rules.check(graph, chip, net, mapping, raise_on_error=params.strict)
    if params.mismatch_cv > 0:
        net = apply_mismatch(net, params.mismatch_cv, params.mismatch_cv, params.mismatch_cv, seed=seed + 7)
    cfg = dict(n_ticks=int(round(float(params.t_present / _ms()) / graph.dt)), rate_per_level=data["rate_per_level"],
               intensity0=data["intensity0"], d_intensity=data["d_intensity"], min_spikes=params.min_spikes,
               max_repeats=params.max_repeats)
    learn_info = {}
    if learn is not None and params.n_learn > 0:
        k = [p.name for p in graph.projections].index("input_exc")
        # the source's own learning rule when it has its constants (Diehl & Cook: traces set to 1 on a
        # spike, nu_pre * post1 on presynaptic spikes, nu_post * pre * post2 (before the spike) on
        # postsynaptic spikes, weights in [0, w_max]); thresholds stay frozen, traces follow the
        # spikes at their source (delays ignored), weights are normalised after each image
        wmax = data.get("w_max") or float(np.max(graph.projections[k].weight))
        a_plus = params.stdp_rate if params.stdp_rate > 0 else data.get("nu_post", 0.01)
        a_minus = data.get("nu_pre", 0.25 * a_plus) if params.stdp_rate <= 0 else 0.25 * a_plus
        w_total = float(np.mean(np.bincount(graph.projections[k].post_index, graph.projections[k].weight)))
        dc_rule = "nu_post" in data and params.stdp_rate <= 0
        stdp = STDPConfig(projection=k, A_plus=a_plus, A_minus=a_minus, w_max=wmax,
                          rounding="stochastic" if learn == "chip" else "nearest", normalize=None,
                          trace="set" if dc_rule else "add", tau_post2=40.0 if dc_rule else None)
        imgs = data["train_images"][:params.n_learn]
        rng = np.random.default_rng(seed + 11)
        rates_in = imgs.reshape(len(imgs), -1).astype(float) * data["rate_per_level"] * data["intensity0"]
        stim = encode_inputs(rates_in, cfg["n_ticks"], graph.dt, rng)
        stdp.normalize = w_total
        res = simulate(net, stim, stdp=stdp, seed=seed + 13)
        wf, wi = res.info["weights_pair"]
        net = net.replace(weight=wf, weight_int=wi)
        learn_info = {"learn_images": len(imgs), "A_plus": a_plus, "A_minus": a_minus, "w_max": wmax}
    dep = Deployment(graph, net, mapping, None, cfg, seed)
    if params.assign == "chip":
        a = dep.run(data["train_images"][:data["n_assign"]], seed + 1, stats=False)
        labels = _assign(a["counts"], data["train_labels"][:data["n_assign"]])
    else:
        labels = np.asarray(graph.readout.labels)
    ro = graph.readout.__class__(graph.readout.population, "vote", labels=labels, classes=tuple(range(10)))
    r = dep.run(data["test_images"], seed + 2)
    pred = ro.predict(r["counts"])
    acc = float(np.mean(pred == data["test_labels"]))
    qerr = quantization_error(net, graph) if not exact else {"weight_rel_rms": 0.0, "threshold_rel_rms": 0.0}
    return dict(accuracy=acc, prediction=pred, run=r, net=net, mapping=mapping, violations=violations,
                qerr=qerr, assignment=labels, wall=time.perf_counter() - t0, learn=learn_info)


def _run(params, ctx):
    from ..datasets import load_images
    from ..hardware.chips import get_chip
    from ..hardware.mapping import map_graph

    src, graph, kind = _load_source(params)
    chip = get_chip(params.chip)
    if params.weight_bits < 0 or params.weight_bits > 32:
        raise ParameterError(f"weight_bits={params.weight_bits}: use 1..32 (0: the chip's own width)")
    if kind == "biosignal":
        return _run_liquid(params, ctx, src, chip)
    cfg_src = json.loads(src.attrs.get("config", "{}"))
    dataset = params.dataset or cfg_src.get("dataset", "digits")
    imgs = load_images(dataset)
    n_test = params.n_test if params.n_test > 0 else len(src["label"]) if "label" in src else 100
    n_test = min(n_test, len(imgs.test_images))
    n_assign = params.n_assign
    if n_assign < 0:  # as the source: its n_assign, or all its training images
        n_assign = int(cfg_src.get("n_assign", -1))
        if n_assign < 0:
            n_assign = int(cfg_src.get("n_train", len(imgs.train_images)))
    n_assign = max(1, min(n_assign, len(imgs.train_images)))
    data = dict(n_assign=n_assign, train_images=imgs.train_images, train_labels=imgs.train_labels.astype(int),
                test_images=imgs.test_images[:n_test], test_labels=imgs.test_labels[:n_test].astype(int),
                rate_per_level=float(src["param_rate_per_level"].values) if "param_rate_per_level" in src else 0.125,
                intensity0=float(src["param_intensity0"].values) if "param_intensity0" in src else 2.0,
                d_intensity=float(src["param_d_intensity"].values) if "param_d_intensity" in src else 1.0)
    for key in ("w_max", "nu_pre", "nu_post"):  # the source's learning constants, for on-chip learning
        if f"param_{key}" in src:
            data[key] = float(src[f"param_{key}"].values)
    bits = params.weight_bits or chip.weight_bits
    seed = ctx.seed
    # float reference (also gives the spike traffic that weights the partitioning)
    seq = map_graph(graph, chip, "sequential", seed=seed)
    ref = deploy(graph, chip, params, data, seed, exact=True, mapping=seq)
    converts = "conductance" not in chip.synapse_types and any(pr.synapse == "conductance"
                                                               for pr in graph.projections)
    ref["chip_float"] = deploy(graph, chip, params, data, seed, exact=True, chip_float=True, mapping=seq) \
        if converts else None
    rates = np.zeros(graph.n_neurons)
    first_res, _ = ref["run"]["first"]
    rates += first_res.counts.mean(axis=0)
    mapping = map_graph(graph, chip, params.mapping, rates=rates, seed=seed) if params.mapping != "sequential" else seq
    learn = None if params.learning == "none" else params.learning
    main = deploy(graph, chip, params, data, seed, weight_bits=bits, exact=(learn == "float"), rates=rates,
                  mapping=mapping, learn=learn)

    def again(bb):
        return deploy(graph, chip, params.replace(strict=False), data, seed, weight_bits=bb, mapping=mapping)

    return _dataset(params, src, graph, kind, chip, bits, seq, mapping, rates, ref, main, data["test_labels"],
                    dataset, again)


def _run_liquid(params, ctx, src, chip):
    from ..hardware.mapping import map_graph

    bio = _biosignal_source(src, params)
    graph = bio["graph"]
    bits = params.weight_bits or chip.weight_bits
    seed = ctx.seed
    seq = map_graph(graph, chip, "sequential", seed=seed)
    ref = deploy_liquid(graph, chip, params, bio, seed, exact=True, mapping=seq)
    first_res, _ = ref["run"]["first"]
    rates = first_res.counts.mean(axis=0)
    mapping = map_graph(graph, chip, params.mapping, rates=rates, seed=seed) if params.mapping != "sequential" else seq
    main = deploy_liquid(graph, chip, params, bio, seed, weight_bits=bits, mapping=mapping)

    def again(bb):
        return deploy_liquid(graph, chip, params.replace(strict=False), bio, seed, weight_bits=bb, mapping=mapping)

    return _dataset(params, src, graph, "biosignal", chip, bits, seq, mapping, rates, ref, main, main["labels"],
                    bio["dataset"], again)


def _dataset(params, src, graph, kind, chip, bits, seq, mapping, rates, ref, main, labels, dataset, again):
    from ..hardware.aersim import aer_events

    if params.nir:
        import nir

        from ..hardware.graph import to_nir

        nir.write(params.nir, to_nir(graph))

    first_res, _ = ref["run"]["first"]
    r = main["run"]
    st = r["stats"]
    n = len(labels)
    n_trials = len(st["energy"])
    ds = xr.Dataset()

    def scalar(name, value, units, long_name):
        ds[name] = xr.DataArray(float(value), attrs={"units": units, "long_name": long_name})

    scalar("test_accuracy", main["accuracy"], "1", f"test accuracy on {chip.name} ({bits}-bit weights)")
    scalar("float_accuracy", ref["accuracy"], "1", "test accuracy of the float reference (source model as "
           "exported, float64)")
    cf = ref.get("chip_float")
    scalar("chip_float_accuracy", cf["accuracy"] if cf is not None else ref["accuracy"], "1",
           "test accuracy of the chip's arithmetic in float64 (conductances as currents on chips without them)")
    scalar("accuracy_loss", ref["accuracy"] - main["accuracy"], "1", "float minus chip accuracy")
    scalar("prediction_agreement", np.mean(np.asarray(main["prediction"]) == np.asarray(ref["prediction"])), "1",
           "fraction of test samples classified the same by chip and float reference")
    scalar("source_accuracy", float(src["test_accuracy"].values) if "test_accuracy" in src else np.nan, "1",
           "test accuracy recorded in the source archive (Brian2, conductance model)")
    scalar("energy_per_inference", st["energy"].mean(), "J", "energy per inference")
    scalar("dynamic_energy_per_inference", (st["energy"] - st["energy_static"]).mean(), "J",
           "dynamic energy per inference (static power of the whole chip excluded)")
    scalar("latency_per_inference", st["latency"].mean(), "s", "latency per inference")
    scalar("spikes_per_inference", st["spikes"].mean(), "1", "neuron spikes per inference (inputs excluded)")
    scalar("packets_per_inference", st["packets"].mean(), "1", "spike packets per inference (inputs included)")
    scalar("synops_per_inference", st["synops"].mean(), "1", "synaptic operations per inference")
    scalar("hops_per_inference", st["hops"].mean(), "1", "router hops per inference")
    scalar("repeats_per_inference", r["repeats"].mean(), "1", "repeated presentations per test image")
    rep = mapping.report(rates)
    for k, u, ln in (("cores_used", "1", "cores used"), ("chips_used", "1", "chips used"),
                     ("routing_entries_mean", "1", "routing-table entries per core (mean)"),
                     ("routing_entries_max", "1", "routing-table entries per core (max)"),
                     ("mean_hops", "1", "mean hops per packet (traffic-weighted)"),
                     ("max_hops", "1", "longest route (hops)")):
        scalar(k, rep[k], u, ln)
    base = seq.report(rates)
    tb, tm = seq.traffic(rates), mapping.traffic(rates)
    scalar("baseline_cores_used", base["cores_used"], "1", "cores used by sequential fill")
    scalar("baseline_mean_hops", base["mean_hops"], "1", "mean hops per packet, sequential fill")
    scalar("packets_per_tick_metis", tm["packets"] / max(first_res.n_ticks, 1), "1",
           f"expected packets per tick, {params.mapping} allocation")
    scalar("packets_per_tick_sequential", tb["packets"] / max(first_res.n_ticks, 1), "1",
           "expected packets per tick, sequential fill")
    scalar("weight_rel_rms_error", main["qerr"]["weight_rel_rms"], "1", "relative RMS error of the weights")
    scalar("threshold_rel_rms_error", main["qerr"]["threshold_rel_rms"], "1", "relative RMS error of thresholds")
    scalar("synaptic_events_per_second", r["events"] / max(r["wall"], 1e-9), "1/s",
           "simulator throughput (synaptic events per wall-clock second, one core)")
    scalar("design_rule_violations", len(main["violations"]), "1", "design-rule violations (see attrs)")
    ev = ("synop", "neuron_update", "packet", "hop", "static")
    keys = ("energy_synop", "energy_neuron", "energy_packet", "energy_hop", "energy_static")
    ds["energy_by_event"] = xr.DataArray([st[k].mean() for k in keys], dims="energy_event",
                                         coords={"energy_event": ("energy_event", list(ev),
                                                                  {"units": "1", "long_name": "event type"})},
                                         attrs={"units": "J", "long_name": "energy per inference by event type"})
    ti = xr.DataArray(np.arange(n), dims="test_image", attrs={"units": "1", "long_name": "test sample"})
    ds = ds.assign_coords(test_image=ti, trial=("trial", np.arange(n_trials),
                                                {"units": "1", "long_name": "inference (sample presented)"}))
    for k, u, ln in (("energy", "J", "energy per inference"), ("latency", "s", "latency per inference"),
                     ("spikes", "1", "spikes per inference"), ("packets", "1", "packets per inference"),
                     ("synops", "1", "synaptic operations per inference")):
        ds[f"trial_{k}"] = xr.DataArray(st[k], dims="trial", attrs={"units": u, "long_name": ln})
    ds["prediction"] = xr.DataArray(main["prediction"].astype(np.int32), dims="test_image",
                                    attrs={"units": "1", "long_name": "predicted class (chip)"})
    ds["float_prediction"] = xr.DataArray(ref["prediction"].astype(np.int32), dims="test_image",
                                          attrs={"units": "1", "long_name": "predicted class (float reference)"})
    ds["label"] = xr.DataArray(np.asarray(labels).astype(np.int32), dims="test_image",
                               attrs={"units": "1", "long_name": "true class"})
    T = first_res.n_ticks
    C = mapping.n_cores
    ds["synops_tick_core"] = xr.DataArray(st["synops_tick_core"] / n_trials, dims=("tick", "core"),
                                          attrs={"units": "1", "long_name": "synaptic operations per tick and core "
                                                 "(mean over test images)"})
    ds["packets_tick_core"] = xr.DataArray(st["packets_tick_core"] / n_trials, dims=("tick", "core"),
                                           attrs={"units": "1", "long_name": "packets sent per tick and core (mean)"})
    ds["tick_latency"] = xr.DataArray(st["tick_latency"], dims="tick",
                                      attrs={"units": "s", "long_name": "latency of each tick (mean, first presentation)"})
    ds["max_link_load"] = xr.DataArray(st["max_link_load_tick"], dims="tick",
                                       attrs={"units": "1", "long_name": "worst link load in a tick (packets)"})
    ds = ds.assign_coords(tick=("tick", np.arange(T), {"units": "1", "long_name": "tick"}),
                          core=("core", np.arange(C), {"units": "1", "long_name": "core"}))
    ds["core_x"] = xr.DataArray(mapping.core_xy[:, 0], dims="core", attrs={"units": "1", "long_name": "mesh column"})
    ds["core_y"] = xr.DataArray(mapping.core_xy[:, 1], dims="core", attrs={"units": "1", "long_name": "mesh row"})
    ds["neurons_per_core"] = xr.DataArray(mapping.neurons_per_core, dims="core",
                                          attrs={"units": "1", "long_name": "neurons per core",
                                                 "capacity": chip.neurons_per_core})
    ds["synapses_per_core"] = xr.DataArray(mapping.synapses_per_core, dims="core",
                                           attrs={"units": "1", "long_name": "synapses per core",
                                                  "capacity": chip.synapses_per_core})
    ds["routing_entries"] = xr.DataArray(mapping.routing_entries_per_core(), dims="core",
                                         attrs={"units": "1", "long_name": "routing-table entries per core"})
    cols, rows = mapping.mesh_shape
    ds["link_load"] = xr.DataArray(st["link_load"].reshape(cols, rows, 4) / n_trials, dims=("mesh_x", "mesh_y", "direction"),
                                   coords={"direction": ("direction", ["E", "W", "N", "S"],
                                                         {"units": "1", "long_name": "link direction"})},
                                   attrs={"units": "1", "long_name": "packets per link per inference"})
    b, t, c, a = aer_events(first_res, mapping, trial=0)
    ds["aer_tick"] = xr.DataArray(t.astype(np.int32), dims="aer_event", attrs={"units": "1", "long_name": "AER tick"})
    ds["aer_core"] = xr.DataArray(c.astype(np.int32), dims="aer_event",
                                  attrs={"units": "1", "long_name": "AER core (-1: host input)"})
    ds["aer_address"] = xr.DataArray(a.astype(np.int32), dims="aer_event",
                                     attrs={"units": "1", "long_name": "AER neuron address within its core"})
    # accuracy and energy versus weight bits
    sweep = [int(x) for x in params.sweep_bits]
    if sweep:
        acc_s, en_s, err_s, dyn_s = [], [], [], []
        for bb in sweep:
            rs = again(bb)
            acc_s.append(rs["accuracy"])
            en_s.append(rs["run"]["stats"]["energy"].mean())
            dyn_s.append((rs["run"]["stats"]["energy"] - rs["run"]["stats"]["energy_static"]).mean())
            err_s.append(rs["qerr"]["weight_rel_rms"])
        ds = ds.assign_coords(bits=("bits", np.array(sweep), {"units": "1", "long_name": "weight bits"}))
        ds["sweep_accuracy"] = xr.DataArray(acc_s, dims="bits", attrs={"units": "1", "long_name": "test accuracy"})
        ds["sweep_energy"] = xr.DataArray(en_s, dims="bits", attrs={"units": "J", "long_name": "energy per inference"})
        ds["sweep_dynamic_energy"] = xr.DataArray(dyn_s, dims="bits", attrs={
            "units": "J", "long_name": "dynamic energy per inference"})
        ds["sweep_weight_error"] = xr.DataArray(err_s, dims="bits",
                                                attrs={"units": "1", "long_name": "relative RMS weight error"})
    ds.attrs.update(chip=chip.name, chip_spec=json.dumps(chip.to_dict(), default=str), source=str(params.source),
                    source_protocol=kind, weight_bits=int(bits), dataset=dataset,
                    violations=json.dumps([str(v) for v in main["violations"]]),
                    approximations=json.dumps(list(main["net"].approximations) + [
                        graph.metadata.get("conductance_to_current", graph.metadata.get("approximations", ""))]),
                    mapping_method=params.mapping, learning=params.learning)
    return ds


PROTOCOL = Protocol(
    name="hardware",
    description="Deploy a trained network (stdp-digits archive) on a simulated AER chip: quantize, map, "
                "run the test set; accuracy, energy, latency, traffic.",
    params={
        "source": Param("", "trained archive to deploy (stdp-digits)"),
        "chip": Param("loihi", "chip preset (loihi, truenorth, dynapse, spinnaker) or a .toml chip file"),
        "weight_bits": Param(8, "weight precision in bits (0: the chip's own)"),
        "scale": Param("pow2", "weight scale: power of two or free", choices=("pow2", "free")),
        "scale_per": Param("population", "weight scale shared per population or per core",
                           choices=("population", "core")),
        "rounding": Param("nearest", "weight rounding", choices=("nearest", "stochastic")),
        "mapping": Param("metis", "neuron-to-core allocation", choices=("metis", "sequential")),
        "dt": Param(0.0 * _ms(), "chip tick (0: the source's time step; biosignal: 0.5 ms)"),
        "v_ref": Param("threshold", "reference voltage at which conductance synapses become currents on chips "
                       "without conductance synapses (mid: halfway between rest and threshold)",
                       choices=("threshold", "mid", "rest")),
        "t_present": Param(350 * _ms(), "presentation time per image"),
        "dataset": Param("", "data set of the test images (empty: the source archive's)"),
        "n_test": Param(200, "test images (<= 0: as many as the source archive tested)"),
        "assign": Param("chip", "class assignment: from the chip's responses to training images, or the "
                        "archive's", choices=("chip", "archive")),
        "n_assign": Param(-1, "training images for the chip's class assignment (-1: as the source archive)"),
        "min_spikes": Param(5, "fewer excitatory spikes than this: present again with higher intensity"),
        "max_repeats": Param(3, "most repeated presentations per image"),
        "learning": Param("none", "hardware-constrained STDP before testing: none, chip (quantized weights, "
                          "stochastic rounding) or float", choices=("none", "chip", "float")),
        "n_learn": Param(100, "training images for on-chip learning"),
        "stdp_rate": Param(0.0, "STDP potentiation amplitude (fraction of w_max; 0: the source's nu_post, "
                           "with its nu_pre for depression)"),
        "mismatch_cv": Param(0.0, "device mismatch (CV) on thresholds, leaks and weights"),
        "strict": Param(False, "raise on design-rule violations instead of recording them"),
        "lsm_rate": Param(0.0, "biosignal/LSM: rate (Hz) at which dynamic synapses are frozen to static ones "
                          "(0: the source's mean liquid rate; 20 Hz if it is not recorded)"),
        "nir": Param("", "also write the deployed neutral graph as a NIR file (path; empty: no)"),
        "sweep_bits": Param([], "weight widths for the accuracy/energy sweep (comma-separated)", kind=list),
    },
    func=_run,
    default_backend="numpy",
)
