"""Deploy a trained network on a memristive crossbar (``hardware`` protocol with ``chip=pcm`` or ``rram``).

Protocol logic: :func:`is_crossbar` tells a crossbar from a digital chip, :func:`options` turns the
protocol's parameters into :class:`workbench.hardware.crossbar.deploy.CrossbarOptions`,
:func:`deploy` runs the float reference and the crossbar (the source archive made deployable by
:func:`workbench.experiments.hardware.load_source`), :func:`archive` assembles the result: the
accuracies, energy, latency and reads per inference with the energy by part (array, converters,
digital periphery, static), the mapping's tiles, and the drift sweep (accuracy vs time since
programming, with and without global drift compensation) when one was asked for.
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import xarray as xr

from ..hardware.crossbar import PRESETS, get_crossbar, ideal_devices
from ..hardware.crossbar.deploy import CrossbarOptions, deploy_images_crossbar, deploy_samples_crossbar
from ..hardware.crossbar.specs import CrossbarError
from ..params import ParameterError
from .hardware import deployment_results
from ..recording import scalar, variable

__all__ = ["is_crossbar", "options", "deploy", "archive", "variants", "sweep_points", "ENERGY_PARTS", "VARIANTS"]

#: energy per inference by part: (name, statistics key)
ENERGY_PARTS = (("array", "energy_array"), ("converters", "energy_converters"), ("digital", "energy_digital"),
                ("static", "energy_static"))


def is_crossbar(chip: str) -> bool:
    """``chip`` names a crossbar preset, or a TOML file of a crossbar (``base`` a crossbar preset, or ``tile_rows``)."""
    if chip in PRESETS:
        return True
    if str(chip).endswith(".toml") and Path(chip).is_file():
        try:
            data = tomllib.loads(Path(chip).read_text())
        except tomllib.TOMLDecodeError:
            return False
        return data.get("base") in PRESETS or "tile_rows" in data
    return False


def options(p) -> CrossbarOptions:
    """The crossbar deployment of the protocol's parameters ``p``."""
    try:
        spec = get_crossbar(p.chip)
        if p.ideal_devices:
            spec = ideal_devices(spec)
    except CrossbarError as exc:
        raise ParameterError(str(exc)) from None
    if p.learning != "none":  # weight_bits is not used: the conductance levels and ADC bits set the precision
        raise ParameterError(f"learning={p.learning!r}: learning on a crossbar is not modelled; use learning=none")
    if p.sweep_bits or p.mismatch_cv or p.nir:
        raise ParameterError("sweep_bits, mismatch_cv and nir are for digital chips; on a crossbar use "
                             "sweep_drift_times and the crossbar's own device statistics")
    try:
        return CrossbarOptions(spec=spec, drift_time=float(p.drift_time), assign_time=float(p.assign_time),
                               compensate=bool(p.drift_compensation), ir_drop=p.ir_drop, read_noise=p.read_noise,
                               verify=bool(p.program_verify), strict=bool(p.strict))
    except ValueError as exc:
        raise ParameterError(str(exc)) from None


def sweep_points(times) -> list:
    """Each drift-sweep time with and without compensation."""
    out = []
    for t in times:
        t = float(t)
        if not t >= 0:
            raise ParameterError(f"sweep_drift_times: {t!r} is not a time >= 0 s after programming")
        out += [(t, True), (t, False)]
    return out


#: spec fields the protocol sweeps (param sweep_NAME), with their units and long names
VARIANTS = {"levels": ("1", "conductance levels per device"), "r_wire": ("ohm", "wire resistance per cell segment")}


def variants(p) -> list:
    """``(field, value)`` of the protocol's ``sweep_levels`` and ``sweep_r_wire``."""
    out = []
    for key in VARIANTS:
        for v in getattr(p, f"sweep_{key}"):
            try:
                out.append((key, int(v) if key == "levels" else float(v)))
            except ValueError:
                raise ParameterError(f"sweep_{key}: {v!r} is not a number") from None
    return out


def deploy(src, opts: CrossbarOptions, streams, sweep=(), variants=(), compare=()):
    """The float reference and the crossbar at ``opts.drift_time`` (and each ``(time, compensate)`` of ``sweep``,
    and each ``(spec field, value)`` of ``variants``: a chip of its own)."""
    try:
        for key, value in variants:
            opts.spec.replace(**{key: value})
    except CrossbarError as exc:
        raise ParameterError(str(exc)) from None
    if src.kind == "biosignal":
        return deploy_samples_crossbar(src.graph, src.task, streams, opts, sweep, variants, compare)
    return deploy_images_crossbar(src.graph, src.task, streams, opts, sweep, variants, compare)


def _mean(st, k):
    return float(np.mean(st[k])) if k in st else 0.0


def archive(src, opts: CrossbarOptions, dep, *, source_path="") -> xr.Dataset:
    """The crossbar archive (see the module docstring)."""
    ref, main, chip = dep.reference, dep.main, dep.chip
    st = main.stats
    rep = chip.mapping.report()
    spec = opts.spec
    ds = xr.Dataset()
    for name, value, units, long_name in (
            *deployment_results(src, ref, main, f"test accuracy on {spec.name}, {opts.drift_time:g} s after "
                                f"programming ({'with' if opts.compensate else 'without'} drift compensation)",
                                chip_float=ref.accuracy, chip_float_long_name="test accuracy of the crossbar's "
                                "neurons with ideal synapses (the float reference: the periphery runs the source "
                                "model in float64)", device="crossbar"),
            ("energy_per_inference", _mean(st, "energy"), "J", "energy per inference"),
            ("dynamic_energy_per_inference", _mean(st, "energy") - _mean(st, "energy_static"), "J",
             "dynamic energy per inference (static power excluded)"),
            ("latency_per_inference", _mean(st, "latency"), "s", "latency per inference"),
            ("spikes_per_inference", _mean(st, "spikes"), "1", "neuron spikes per inference (inputs excluded)"),
            ("synops_per_inference", _mean(st, "synops"), "1", "synapses of the spiking neurons per inference"),
            ("reads_per_inference", _mean(st, "reads"), "1", "tile (array) reads per inference"),
            ("row_drives_per_inference", _mean(st, "row_drives"), "1", "row drives (DAC operations) per inference"),
            ("conversions_per_inference", _mean(st, "conversions"), "1", "ADC conversions per inference"),
            ("repeats_per_inference", np.mean(main.repeats), "1", "repeated presentations per test sample"),
            ("tiles_used", rep["tiles"], "1", "crossbar tiles used"), ("chips_used", rep["chips"], "1", "chips used"),
            ("device_utilization", rep["device_utilization"], "1", "devices used / devices on the tiles used"),
            ("weight_rel_rms_error", main.qerr["weight_rel_rms"], "1", "relative RMS error of the weights the "
             "crossbar delivers at the test time (programming, drift, stuck devices, IR drop, compensation)"),
            ("drift_time", opts.drift_time, "s", "time after programming of the test"),
            ("assign_time", opts.assign_time, "s", "time after programming at which classes were assigned (or the "
             "readout trained)"),
            ("design_rule_violations", len(main.violations), "1", "design-rule violations (see attrs)")):
        ds[name] = scalar(float(value), units, long_name)
    parts = variable([p for p, _ in ENERGY_PARTS], "energy_part", "1", "part of the chip")
    ds["energy_by_part"] = variable([_mean(st, k) for _, k in ENERGY_PARTS], "energy_part", "J",
                                    "energy per inference by part (array: ohmic and read; converters: DACs and ADCs; "
                                    "digital: partial sums and neuron updates)", coords={"energy_part": parts})
    events = {"synop": "energy_synop", "neuron_update": "energy_neuron", "packet": "energy_packet",
              "hop": "energy_hop", "static": "energy_static"}
    ds["energy_by_event"] = variable([_mean(st, k) for k in events.values()], "energy_event", "J",
                                     "energy per inference by event type (synop: array, converters and partial sums)",
                                     coords={"energy_event": variable(list(events), "energy_event", "1",
                                                                      "event type")})
    n = len(main.labels)
    ds = ds.assign_coords(test_image=variable(np.arange(n), "test_image", "1", "test sample"))
    ds["prediction"] = variable(main.prediction.astype(np.int32), "test_image", "1", "predicted class (crossbar)")
    ds["float_prediction"] = variable(ref.prediction.astype(np.int32), "test_image", "1",
                                      "predicted class (float reference)")
    ds["label"] = variable(np.asarray(main.labels).astype(np.int32), "test_image", "1", "true class")
    if main.counts is not None:
        ds["readout_counts"] = variable(main.counts.astype(np.int32), ("test_image", "readout_neuron"), "1",
                                        "readout spikes per test image (crossbar)")
        ds["float_readout_counts"] = variable(ref.counts.astype(np.int32), ("test_image", "readout_neuron"), "1",
                                              "readout spikes per test image (float reference)")
    if dep.sweep:
        times = sorted({t for (t, _), _ in dep.sweep})
        acc = np.full((len(times), 2), np.nan)
        err, spk, rep = (np.full((len(times), 2), np.nan) for _ in range(3))
        for (t, comp), r in dep.sweep:
            k = (times.index(t), int(not comp))
            acc[k], err[k], rep[k] = r.accuracy, r.qerr["weight_rel_rms"], np.mean(r.repeats)
            spk[k] = _mean(r.stats, "spikes")
        ds = ds.assign_coords(
            time_after_programming=variable(times, "time_after_programming", "s", "time after programming"),
            compensation=variable(["global", "none"], "compensation", "1", "drift compensation"))
        dims = ("time_after_programming", "compensation")
        ds["drift_accuracy"] = variable(acc, dims, "1", "test accuracy vs time after programming")
        ds["drift_weight_error"] = variable(err, dims, "1", "relative RMS weight error vs time after programming")
        ds["drift_spikes"] = variable(spk, dims, "1", "neuron spikes per inference vs time after programming")
        ds["drift_repeats"] = variable(rep, dims, "1", "repeated presentations per test sample vs time after "
                                       "programming")
    names = sorted({k.split(":")[0] for k in st if ":" in k})
    if names:  # the same spikes counted on digital chips
        ev = [e for e in events if e != "static"] + ["static"]
        ds["compare_energy_by_event"] = variable(
            [[_mean(st, f"{c}:{events[e]}") for e in ev] for c in names], ("compare_chip", "energy_event"), "J",
            "energy per inference of the crossbar's spikes on a digital chip, by event type",
            coords={"compare_chip": variable(names, "compare_chip", "1", "digital chip")})
        ds["compare_latency"] = variable([_mean(st, f"{c}:latency") for c in names], "compare_chip", "s",
                                         "latency per inference of the crossbar's spikes on a digital chip")
    for key, (units, long_name) in VARIANTS.items():
        runs = [(v, r) for (k, v), r in dep.variants if k == key]
        if runs:
            ds = ds.assign_coords({f"sweep_{key}": variable([v for v, _ in runs], f"sweep_{key}", units, long_name)})
            ds[f"{key}_accuracy"] = variable([r.accuracy for _, r in runs], f"sweep_{key}", "1",
                                             f"test accuracy vs {long_name}")
            ds[f"{key}_weight_error"] = variable([r.qerr["weight_rel_rms"] for _, r in runs], f"sweep_{key}", "1",
                                                 f"relative RMS weight error vs {long_name}")
    ds.attrs.update(chip=spec.name, chip_kind="crossbar", chip_spec=json.dumps(spec.to_dict(), default=str),
                    source=str(source_path), source_protocol=src.kind, dataset=src.dataset,
                    violations=json.dumps([str(v) for v in main.violations]),
                    crossbar=json.dumps(dict(ir_drop=opts.ir_drop, read_noise=opts.read_noise, scale=opts.scale,
                                             program_verify=opts.verify, compensate=opts.compensate)),
                    neurons="float64 digital periphery running the source model (float_network)",
                    mapping_method="crossbar tiles")
    return ds
