"""Deploy a trained network on a simulated neuromorphic chip: accuracy, traffic, latency, energy.

Protocol logic: :func:`load_source` reads the trained archive and makes the neutral graph and the
task (:mod:`workbench.hardware.export`; a ``stdp-digits`` archive: the Diehl & Cook network and the
image presentation; a ``biosignal`` archive of ``model=lsm``: the liquid, the encoded input spikes
and the folds it stores); :func:`deploy_source` runs the float reference (whose spike traffic
weights the partitioning), then the quantized chip (:mod:`workbench.hardware.deploy`); :func:`archive`
assembles the result.

The stdp-digits network is deployed at the archive's own dt with its conductance synapses (see
:mod:`workbench.hardware.export`), Poisson inputs of rate pixel/8 x intensity for ``t_present``,
classes assigned from the chip's responses to as many training images as the archive
(``n_assign=-1``).  On chips without conductance synapses (Loihi) the chip's arithmetic in float64
(conductances as currents at ``v_ref``) gives ``chip_float_accuracy``.  A liquid's dynamic synapses
become static at the source's mean rate (``lsm_rate``).

Per inference (a test sample, repeats included): energy (J) with its breakdown by event type,
latency (s), spikes, packets, synaptic operations; per tick and core the counts; per mesh link the
load; the AER event stream of the first test sample.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from brian2 import ms

from ..archive import open_archive
from ..datasets import load_images
from ..encoders import spikes_to_dense, unflatten
from ..hardware.aersim import aer_events
from ..hardware.converted import converted_task, graph_from_converted, is_converted, rate_task
from ..hardware.export import ExportError
from ..hardware.imported import graph_from_nir, is_nir_file
from ..hardware.deploy import (DeployOptions, ImageTask, SampleTask, deploy_images, deploy_samples, map_network)
from ..hardware.export import graph_from_liquid, graph_from_stdp_digits, source_dt
from ..hardware.graph import Graph, to_nir
from ..networks.liquid import liquid_from_dataset, neuron_constants
from ..params import ParameterError
from ..recording import scalar, variable
from .convert import load_data

__all__ = ["Source", "load_source", "deploy_source", "write_nir", "deployment_results", "archive"]

@dataclass
class Source:
    """A trained archive made deployable: its kind, the neutral graph and the task."""

    kind: str
    archive: xr.Dataset
    graph: Graph
    task: ImageTask | SampleTask
    dataset: str
    info: dict = field(default_factory=dict)


def _image_source(ds, path, dt, t_present, dataset, n_test, n_assign, **task):
    graph = graph_from_stdp_digits(ds, dt=dt if dt > 0 else None)
    cfg = json.loads(ds.attrs.get("config", "{}"))
    dataset = dataset or cfg.get("dataset", "digits")
    imgs = load_images(dataset)
    n_test = n_test if n_test > 0 else len(ds["label"]) if "label" in ds else 100
    n_test = min(n_test, len(imgs.test_images))
    if n_assign < 0:  # as the source: its n_assign, or all its training images
        n_assign = int(cfg.get("n_assign", -1))
        if n_assign < 0:
            n_assign = int(cfg.get("n_train", len(imgs.train_images)))
    n_assign = max(1, min(n_assign, len(imgs.train_images)))
    src = {k: float(ds[f"param_{k}"].values) for k in ("rate_per_level", "intensity0", "d_intensity", "w_max",
                                                       "nu_pre", "nu_post") if f"param_{k}" in ds}
    t = ImageTask(train_images=imgs.train_images, train_labels=imgs.train_labels.astype(int),
                  test_images=imgs.test_images[:n_test], test_labels=imgs.test_labels[:n_test].astype(int),
                  n_assign=n_assign, n_ticks=int(round(float(t_present / ms) / graph.dt)), **src, **task)
    return Source("stdp-digits", ds, graph, t, dataset)


def _sample_source(ds, path, dt, lsm_rate):
    if "liquid_pre" not in ds:
        raise ParameterError(f"source {path!r}: a biosignal archive without a liquid; only model=lsm runs can be "
                             "deployed (they store the liquid, the encoded spikes and the folds)")
    liquid = liquid_from_dataset(ds)
    paper = neuron_constants(ds)
    rate = lsm_rate
    if rate <= 0:  # the source's measured mean liquid rate
        rate = float(ds["model_spikes_per_sample"]) / liquid.N / (float(ds["sample_duration"]) * 1e-3)
    graph = graph_from_liquid(liquid, paper, dt=dt if dt > 0 else source_dt(ds, 0.5), rate_hz=rate)
    duration = float(ds["sample_duration"])
    n = ds.sizes["sample"]
    spikes = unflatten(ds["encoded_spike_sample"].values, ds["encoded_spike_channel"].values,
                       ds["encoded_spike_time"].values, n, liquid.n_in, duration)
    fr = ds["fold_role"]  # its flag_values and flag_meanings say which value is train and which test
    code = dict(zip(fr.attrs["flag_meanings"].split(), np.atleast_1d(fr.attrs["flag_values"])))
    folds = [(np.flatnonzero(r == code["train"]), np.flatnonzero(r == code["test"])) for r in fr.values]
    task = SampleTask(stim=spikes_to_dense(spikes, liquid.n_in, duration, dt=graph.dt, dtype=bool),
                      labels=np.asarray(ds["label"].values, dtype=int), folds=folds,
                      readout_times=ds["readout_time"].values, tau_readout=float(ds["readout_tau"]),
                      method=ds["readout_time"].attrs.get("method", "ridge"),
                      v_init=(paper["v_reset"], paper["v_th"]))
    return Source("biosignal", ds, graph, task, ds.attrs.get("dataset", ""), {"source_rate": rate})


def _nir_source(path, dt, t_present, dataset, n_test, rng):
    """A NIR file and a data set: the graph (:mod:`workbench.hardware.imported`) and the data set's
    test samples scaled to [0, 1] by the training data (:func:`workbench.experiments.convert.load_data`),
    rate-coded for ``t_present``."""
    if not dataset:
        raise ParameterError(f"source {path!r}: a NIR file holds a network but no data; give the data set to test "
                             "it on, e.g. --set dataset=fashion-mnist (image sets, idx:DIR or a biosignal spec)")
    try:
        graph = graph_from_nir(path, dt)
    except (ExportError, OSError) as exc:
        raise ParameterError(f"source {path!r}: {exc}") from None
    data = load_data(dataset, -1, n_test, rng)
    n_in = graph.population(graph.inputs[0]).size
    n_out = graph.population(graph.readout.population).size
    if data.X_test.shape[1] != n_in or len(data.class_names) > n_out:
        raise ParameterError(f"source {path!r}: the network takes {n_in} inputs and has {n_out} output neurons, "
                             f"data set {dataset!r} gives {data.X_test.shape[1]} features and "
                             f"{len(data.class_names)} classes; give a data set of that shape")
    n_ticks = int(round(float(t_present / ms) / graph.dt))
    info = dict(protocol="nir", source=str(path), dataset=data.name, steps=n_ticks)
    return Source("nir", xr.Dataset(attrs=info), graph, rate_task(data.X_test, data.y_test, graph, n_ticks),
                  data.name, {"split": data.info["split"]})


def load_source(path: str, *, dt=0 * ms, lsm_rate: float = 0.0, dataset: str = "", n_test: int = 200,
                n_assign: int = -1, t_present=350 * ms, **image_task) -> Source:
    """The trained archive ``path`` as a neutral graph and a task, from the archive alone.

    ``dt``: chip tick (0: the source's time step; biosignal: 0.5 ms if not recorded).  stdp-digits:
    test on ``n_test`` images of ``dataset`` (empty: the source's), assign classes from ``n_assign``
    training images (-1: as the source), present each for ``t_present``; ``image_task``: further
    :class:`workbench.hardware.deploy.ImageTask` fields (``min_spikes``, ``max_repeats``, ``assign``,
    ``n_learn``, ``stdp_rate``).  biosignal: dynamic synapses frozen at ``lsm_rate`` Hz (0: the
    source's mean liquid rate).
    """
    if not path:
        raise ParameterError("source: give a trained archive, e.g. --set source=dc.nc (from workbench run "
                             "stdp-digits)")
    dt_ms = float(dt / ms)
    if is_nir_file(path):  # an imported network: its graph and the data set's test samples, rate coded
        return _nir_source(path, dt_ms, t_present, dataset, n_test, np.random.default_rng(0))
    ds = open_archive(path)
    proto = ds.attrs.get("protocol", "")
    if is_converted(ds):  # a convert archive: its IF network, rate-coded test inputs (workbench.hardware.converted)
        graph = graph_from_converted(ds, dt_ms)
        return Source("converted", ds, graph, converted_task(ds, graph, n_test), ds.attrs.get("dataset", ""))
    if proto in ("stdp-digits", "stdp_digits") or "receptive_field" in ds:
        return _image_source(ds, path, dt_ms, t_present, dataset, n_test, n_assign, **image_task)
    if proto == "biosignal":
        return _sample_source(ds, path, dt_ms, lsm_rate)
    raise ParameterError(f"source {path!r}: archives of protocol {proto!r} cannot be deployed; "
                         "supported: stdp-digits, biosignal (model=lsm), convert, or a .nir file")


def deploy_source(src: Source, chip, opts: DeployOptions, streams, *, bits: int, learning: str = "none"):
    """The float reference on the sequential fill (its spike traffic weights the partitioning), then
    the chip with ``bits``-bit weights on ``opts.mapping`` (``learning``: 'none', 'chip' or 'float'
    STDP first, images only).  Returns ``(reference, chip, sequential mapping, rates)``; the
    reference carries the chip's float64 arithmetic as ``chip_float`` where it converts conductances."""
    if not 1 <= bits <= 32:
        raise ParameterError(f"weight_bits={bits}: use 1..32 (0: the chip's own width)")
    g = src.graph
    seq = map_network(g, chip, "sequential", streams)
    if src.kind == "biosignal":
        ref = deploy_samples(g, chip, opts, src.task, streams, seq, exact=True)
    else:
        ref = deploy_images(g, chip, opts, src.task, streams, seq, exact=True)
        if "conductance" not in chip.synapse_types and any(pr.synapse == "conductance" for pr in g.projections):
            ref.chip_float = deploy_images(g, chip, opts, src.task, streams, seq, exact=True, chip_float=True)
    rates = ref.first[0].counts.mean(axis=0)
    mapping = seq if opts.mapping == "sequential" else map_network(g, chip, opts.mapping, streams, rates=rates)
    main = redeploy(src, chip, opts, streams, mapping, bits=bits, learning=learning)
    return ref, main, seq, rates


def redeploy(src: Source, chip, opts: DeployOptions, streams, mapping, *, bits: int, learning: str = "none"):
    """The chip with ``bits``-bit weights on a given mapping (weight-width sweeps)."""
    if src.kind == "biosignal":
        return deploy_samples(src.graph, chip, opts, src.task, streams, mapping, bits=bits)
    learn = None if learning == "none" else learning
    return deploy_images(src.graph, chip, opts, src.task, streams, mapping, bits=bits, exact=learn == "float",
                         learn=learn)


def write_nir(graph: Graph, path) -> None:
    """The deployed neutral graph as a NIR file."""
    import nir  # optional dependency (extra 'hardware'): only NIR export needs it

    nir.write(path, to_nir(graph))


def deployment_results(src: Source, ref, main, test_long_name: str, *, chip_float: float, chip_float_long_name: str,
                       device: str = "chip") -> list:
    """The accuracy rows every deployment archive starts with, as ``(name, value, units, long_name)``:
    the deployed ``main`` and the float reference ``ref`` (their accuracy, loss and agreement),
    the accuracy of the chip's arithmetic in float64 and the accuracy the source archive recorded.
    ``device`` names the target in the long names ('chip', 'crossbar')."""
    acc_src = float(src.archive["test_accuracy"].values) if "test_accuracy" in src.archive else np.nan
    return [("test_accuracy", main.accuracy, "1", test_long_name),
            ("float_accuracy", ref.accuracy, "1", "test accuracy of the float reference (source model as exported, "
             "float64)"),
            ("chip_float_accuracy", chip_float, "1", chip_float_long_name),
            ("accuracy_loss", ref.accuracy - main.accuracy, "1", f"float minus {device} accuracy"),
            ("prediction_agreement", np.mean(main.prediction == ref.prediction), "1",
             f"fraction of test samples classified the same by {device} and float reference"),
            ("source_accuracy", acc_src, "1", "test accuracy recorded in the source archive (Brian2)")]


def archive(src: Source, chip, bits, seq, mapping_method, ref, main, rates, sweep=(), *, source_path="",
            learning="none") -> xr.Dataset:
    """The hardware archive: accuracies (chip, float reference, chip arithmetic in float64),
    energy, latency and traffic per inference, per tick and core, per link, the first AER stream,
    the mapping's cores, and the accuracy and energy per weight width of ``sweep`` (``(bits,
    Deployed)`` pairs)."""
    graph, mapping, first_res = src.graph, main.mapping, ref.first[0]
    st, n_trials = main.stats, len(main.stats["energy"])
    ds = xr.Dataset()
    cf = ref.chip_float if ref.chip_float is not None else ref
    rep, base = mapping.report(rates), seq.report(rates)
    tb, tm = seq.traffic(rates), mapping.traffic(rates)
    T = max(first_res.n_ticks, 1)
    for name, value, units, long_name in (
            *deployment_results(src, ref, main, f"test accuracy on {chip.name} ({bits}-bit weights)",
                                chip_float=cf.accuracy, chip_float_long_name="test accuracy of the chip's "
                                "arithmetic in float64 (conductances as currents on chips without them)"),
            ("energy_per_inference", st["energy"].mean(), "J", "energy per inference"),
            ("dynamic_energy_per_inference", (st["energy"] - st["energy_static"]).mean(), "J",
             "dynamic energy per inference (static power of the whole chip excluded)"),
            ("latency_per_inference", st["latency"].mean(), "s", "latency per inference"),
            ("spikes_per_inference", st["spikes"].mean(), "1", "neuron spikes per inference (inputs excluded)"),
            ("packets_per_inference", st["packets"].mean(), "1", "spike packets per inference (inputs included)"),
            ("synops_per_inference", st["synops"].mean(), "1", "synaptic operations per inference"),
            ("hops_per_inference", st["hops"].mean(), "1", "router hops per inference"),
            ("repeats_per_inference", main.repeats.mean(), "1", "repeated presentations per test sample"),
            ("cores_used", rep["cores_used"], "1", "cores used"), ("chips_used", rep["chips_used"], "1", "chips used"),
            ("routing_entries_mean", rep["routing_entries_mean"], "1", "routing-table entries per core (mean)"),
            ("routing_entries_max", rep["routing_entries_max"], "1", "routing-table entries per core (max)"),
            ("mean_hops", rep["mean_hops"], "1", "mean hops per packet (traffic-weighted)"),
            ("max_hops", rep["max_hops"], "1", "longest route (hops)"),
            ("baseline_cores_used", base["cores_used"], "1", "cores used by sequential fill"),
            ("baseline_mean_hops", base["mean_hops"], "1", "mean hops per packet, sequential fill"),
            ("packets_per_tick_metis", tm["packets"] / T, "1", f"expected packets per tick, {mapping_method} "
             "allocation"),
            ("packets_per_tick_sequential", tb["packets"] / T, "1", "expected packets per tick, sequential fill"),
            ("weight_rel_rms_error", main.qerr["weight_rel_rms"], "1", "relative RMS error of the weights"),
            ("threshold_rel_rms_error", main.qerr["threshold_rel_rms"], "1", "relative RMS error of thresholds"),
            ("synaptic_events_per_second", main.events / max(main.wall_sim, 1e-9), "1/s",
             "simulator throughput (synaptic events per wall-clock second, one core)"),
            ("design_rule_violations", len(main.violations), "1", "design-rule violations (see attrs)")):
        ds[name] = scalar(float(value), units, long_name)
    events = {"synop": "energy_synop", "neuron_update": "energy_neuron", "packet": "energy_packet",
              "hop": "energy_hop", "static": "energy_static"}
    ds["energy_by_event"] = variable([st[k].mean() for k in events.values()], "energy_event", "J",
                                     "energy per inference by event type",
                                     coords={"energy_event": variable(list(events), "energy_event", "1", "event type")})
    ds = ds.assign_coords(test_image=variable(np.arange(len(main.labels)), "test_image", "1", "test sample"),
                          trial=variable(np.arange(n_trials), "trial", "1", "inference (sample presented)"),
                          tick=variable(np.arange(first_res.n_ticks), "tick", "1", "tick"),
                          core=variable(np.arange(mapping.n_cores), "core", "1", "core"))
    for k, u, ln in (("energy", "J", "energy per inference"), ("latency", "s", "latency per inference"),
                     ("spikes", "1", "spikes per inference"), ("packets", "1", "packets per inference"),
                     ("synops", "1", "synaptic operations per inference")):
        ds[f"trial_{k}"] = variable(st[k], "trial", u, ln)
    ds["prediction"] = variable(main.prediction.astype(np.int32), "test_image", "1", "predicted class (chip)")
    ds["float_prediction"] = variable(ref.prediction.astype(np.int32), "test_image", "1",
                                      "predicted class (float reference)")
    ds["label"] = variable(np.asarray(main.labels).astype(np.int32), "test_image", "1", "true class")
    ds["synops_tick_core"] = variable(st["synops_tick_core"] / n_trials, ("tick", "core"), "1",
                                      "synaptic operations per tick and core (mean over test samples)")
    ds["packets_tick_core"] = variable(st["packets_tick_core"] / n_trials, ("tick", "core"), "1",
                                       "packets sent per tick and core (mean)")
    ds["tick_latency"] = variable(st["tick_latency"], "tick", "s", "latency of each tick (mean, first presentation)")
    ds["max_link_load"] = variable(st["max_link_load_tick"], "tick", "1", "worst link load in a tick (packets)")
    ds["core_x"] = variable(mapping.core_xy[:, 0], "core", "1", "mesh column")
    ds["core_y"] = variable(mapping.core_xy[:, 1], "core", "1", "mesh row")
    ds["neurons_per_core"] = variable(mapping.neurons_per_core, "core", "1", "neurons per core",
                                      capacity=chip.neurons_per_core)
    ds["synapses_per_core"] = variable(mapping.synapses_per_core, "core", "1", "synapses per core",
                                       capacity=chip.synapses_per_core)
    ds["routing_entries"] = variable(mapping.routing_entries_per_core(), "core", "1", "routing-table entries per core")
    cols, rows = mapping.mesh_shape
    ds["link_load"] = variable(st["link_load"].reshape(cols, rows, 4) / n_trials, ("mesh_x", "mesh_y", "direction"),
                               "1", "packets per link per inference",
                               coords={"direction": variable(["E", "W", "N", "S"], "direction", "1", "link direction")})
    _, t, c, a = aer_events(first_res, mapping, trial=0)
    ds["aer_tick"] = variable(t.astype(np.int32), "aer_event", "1", "AER tick")
    ds["aer_core"] = variable(c.astype(np.int32), "aer_event", "1", "AER core (-1: host input)")
    ds["aer_address"] = variable(a.astype(np.int32), "aer_event", "1", "AER neuron address within its core")
    if len(sweep):
        ds = ds.assign_coords(bits=variable(np.array([b for b, _ in sweep]), "bits", "1", "weight bits"))
        res = [r for _, r in sweep]
        ds["sweep_accuracy"] = variable([r.accuracy for r in res], "bits", "1", "test accuracy")
        ds["sweep_energy"] = variable([r.stats["energy"].mean() for r in res], "bits", "J", "energy per inference")
        ds["sweep_dynamic_energy"] = variable([(r.stats["energy"] - r.stats["energy_static"]).mean() for r in res],
                                              "bits", "J", "dynamic energy per inference")
        ds["sweep_weight_error"] = variable([r.qerr["weight_rel_rms"] for r in res], "bits", "1",
                                            "relative RMS weight error")
    ds.attrs.update(chip=chip.name, chip_spec=json.dumps(chip.to_dict(), default=str), source=str(source_path),
                    source_protocol=src.kind, weight_bits=int(bits), dataset=src.dataset,
                    violations=json.dumps([str(v) for v in main.violations]),
                    approximations=json.dumps(list(main.net.approximations) + [
                        graph.metadata.get("conductance_to_current", graph.metadata.get("approximations", ""))]),
                    mapping_method=mapping_method, learning=learning,
                    network=main.net.settings.get("network", "quantized by this deployment (see approximations)"))
    return ds
