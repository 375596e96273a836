"""Why global drift compensation does not help the Diehl & Cook network on the PCM crossbar
(``hardware_crossbar``): paired measurements on the same test images, devices and input spikes.

    nice -n 10 python benchmarks/crossbar_compensation.py DC.nc [--n-test 200] [--n-assign 300]
        [--times 3.156e7,3.156e8] [--conditions default,norepeat,nospread,idealadc,noreadnoise,globaldrift,assignlate]
        [--cache /tmp/crossbar_compensation] [--result crossbar_compensation]

DC.nc is a finished ``workbench run stdp-digits`` archive (defaults, as for ``hardware_crossbar``).
Each condition is one run of the hardware protocol with ``chip=pcm`` (``protocols/hardware.py``): one
programmed chip, classes assigned once at ``assign_time`` (0: right after programming), tested 1 s after
programming (compensated) and at each of ``--times`` (``nospread`` and ``globaldrift``: the last of them
only) with and without global drift compensation (``sweep_drift_times``: the same devices and the same
input spikes at every point).

Conditions (what each one tests):

- ``default``: the preset and the protocol's defaults (``max_repeats=3``: an image with fewer than
  ``min_spikes`` output spikes is shown again at higher input intensity, Diehl & Cook 2015).
- ``norepeat``: ``max_repeats=0``: no second presentation, so a global loss of conductance is not
  re-normalised by the presentation rule.
- ``nospread``: a crossbar file ``base = 'pcm'`` with ``drift_sigma = [0, 0, 0, 0]``: no device-to-device
  spread of the drift exponent (its conductance-dependent mean stays).
- ``globaldrift``: ``drift_mu = [0, 0.06, 0, 1]`` and ``drift_sigma = [0, 0, 0, 0]``: every device drifts
  with the same exponent 0.06 (a pure global conductance loss, which the compensation undoes exactly in
  the noise-free conductances); programming noise, read noise, stuck devices, wires and ADCs as the preset.
  The last time only.
- ``idealadc``: ``adc_bits = 0``: an ideal converter (no quantization, no clipping), to tell whether the
  compensated chip's over-firing comes from the ADC, whose range is set at programming.
- ``noreadnoise``: ``read_noise = "none"``: no 1/f read noise (which grows with the time since programming).
- ``assignlate``: the preset, classes assigned from the chip's responses at the last time (``assign_time``),
  not right after programming (the last time only).

The protocol's archive keeps per-image predictions of its main test point only; to compare conditions
image by image (McNemar's exact test on the discordant pairs), this script wraps the protocol's
``workbench.experiments.hardware_crossbar.deploy`` to keep the deployment it returns (the sweep points'
predictions, repeats and counts).  Nothing in the library changes and nothing is chosen: the conditions
are fixed above; the test set is only measured.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402

LABELS = {1.0: "1s", 86400.0: "1day", 3.156e7: "1y", 3.156e8: "10y"}

#: crossbar files (base pcm) of the conditions that change device statistics
SPECS = {"nospread": 'base = "pcm"\nname = "pcm-nospread"\ndrift_sigma = [0.0, 0.0, 0.0, 0.0]\n',
         "globaldrift": 'base = "pcm"\nname = "pcm-globaldrift"\ndrift_mu = [0.0, 0.06, 0.0, 1.0]\n'
                        'drift_sigma = [0.0, 0.0, 0.0, 0.0]\n',
         "idealadc": 'base = "pcm"\nname = "pcm-idealadc"\nadc_bits = 0\n',
         "noreadnoise": 'base = "pcm"\nname = "pcm-noreadnoise"\nread_noise = "none"\n'}


def label(t: float) -> str:
    return LABELS.get(float(t), f"{float(t):g}s")


def mcnemar(a_ok: np.ndarray, b_ok: np.ndarray):
    """``(b, c, p)``: images right under A only, under B only, and the exact two-sided McNemar p-value."""
    from scipy.stats import binomtest
    b, c = int(np.sum(a_ok & ~b_ok)), int(np.sum(~a_ok & b_ok))
    p = binomtest(b, b + c, 0.5).pvalue if b + c else 1.0
    return b, c, float(p)


def _point(r, weight_error, gain) -> dict:
    """What the study keeps of one deployed point ``r``: per-image predictions, repeated presentations and
    output spike counts, and the point's weight error, neuron spikes per inference and compensation gain."""
    return dict(pred=np.asarray(r.prediction), repeats=np.asarray(r.repeats),
                counts=np.asarray(r.counts).sum(axis=1), weight_error=np.float64(weight_error),
                spikes=np.float64(np.mean(r.stats["spikes"])), alpha=np.float64(gain))


def run_condition(name, a, cache: Path, spec_dir: Path):
    """Run one condition (or load it from ``cache``): ``{point: dict(pred, repeats, counts, ...)}``, info."""
    f = cache / f"{name}.npz"
    meta = cache / f"{name}.json"
    key = [a.source, a.n_test, a.n_assign, a.times, a.seed]
    if f.exists() and meta.exists():
        info = json.loads(meta.read_text())
        if info.get("key") == key:
            z = np.load(f)
            points = {}
            for k in z.files:
                pt, what = k.split("|")
                points.setdefault(pt, {})[what] = z[k]
            print(f"{name}: loaded from {f}", flush=True)
            return points, info

    from workbench.experiments import hardware_crossbar as xb
    from workbench.hardware.crossbar.state import at_time
    from workbench.protocol import run

    captured = {}
    deploy = xb.deploy

    def keep(*args, **kw):  # the protocol's deployment, kept for its sweep points' predictions
        captured["dep"] = deploy(*args, **kw)
        return captured["dep"]

    times = [float(t) for t in a.times.split(",")]
    if name in SPECS or name == "assignlate":  # these conditions: the last time only (CPU time)
        times = times[-1:]
    chip = "pcm"
    if name in SPECS:
        chip = str(spec_dir / f"{name}.toml")
        Path(chip).write_text(SPECS[name])
    common = dict(source=a.source, n_test=a.n_test, n_assign=a.n_assign, chip=chip, compare_chips="")
    if name == "norepeat":
        common["max_repeats"] = 0
    if name == "assignlate":  # classes assigned from the chip's responses at the read time, not at programming
        common["assign_time"] = times[-1]
    params = dict(common, drift_time=1.0, sweep_drift_times=",".join(f"{t:g}" for t in times))
    pts = [(1.0, True)] + [(t, c) for t in times for c in (True, False)]  # the main point, then the sweep's
    info = {"key": key}
    xb.deploy = keep
    try:
        w0, c0 = time.perf_counter(), time.process_time()
        ds = run("hardware", params, seed=a.seed, progress=False)
        info["wall_s"], info["cpu_s"] = time.perf_counter() - w0, time.process_time() - c0
    finally:
        xb.deploy = deploy
    dep = captured["dep"]
    points = {"float": _point(dep.reference, 0.0, 1.0)}
    for (t, comp), r in zip(pts, [dep.main] + [r for _, r in dep.sweep]):
        alphas = [ts.alpha for ts in at_time(dep.chip.programmed, t, compensate=True).tiles] if t > 0 else [1]
        points[f"{label(t)}_{'global' if comp else 'none'}"] = _point(r, r.qerr["weight_rel_rms"], np.mean(alphas))
    points["labels"] = dict(pred=np.asarray(dep.main.labels))
    info["config"] = ds.attrs.get("config", "")
    info["chip_spec"] = ds.attrs.get("chip_spec", "")
    accs = ", ".join(f"{k} {np.mean(v['pred'] == dep.main.labels):.3f}" for k, v in points.items() if k != "labels")
    print(f"{name}: {accs} ({info['wall_s']:.0f} s)", flush=True)
    np.savez(f, **{f"{pt}|{k}": v for pt, d in points.items() for k, v in d.items()})
    meta.write_text(json.dumps(info))
    return points, info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source")
    ap.add_argument("--n-test", type=int, default=200)
    ap.add_argument("--n-assign", type=int, default=300)
    ap.add_argument("--times", default="3.156e7,3.156e8")
    ap.add_argument("--conditions", default="default,norepeat,nospread,idealadc,noreadnoise,globaldrift,assignlate")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", default="/tmp/crossbar_compensation", help="per-condition results (a re-run "
                    "with the same source, sizes, times and seed reloads them)")
    ap.add_argument("--result", default="crossbar_compensation")
    a = ap.parse_args(argv)
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)

    conds, infos = {}, {}
    for name in a.conditions.split(","):
        conds[name], infos[name] = run_condition(name, a, cache, cache)
    labels = next(iter(conds.values()))["labels"]["pred"]
    n = len(labels)
    values = {"n_test": (n, "1", "test images (the same in every condition)"),
              "n_assign": (a.n_assign, "1", "assignment images")}
    arrays = {}
    for name, pts in conds.items():
        for pt, d in pts.items():
            if pt == "labels":
                continue
            ok = d["pred"] == labels
            k = f"{name}_{pt}"
            values[f"{k}_accuracy"] = (float(ok.mean()), "1", f"{name}: test accuracy, {pt}")
            values[f"{k}_stderr"] = (float(np.sqrt(ok.mean() * (1 - ok.mean()) / n)), "1",
                                     f"{name}: binomial standard error of the accuracy, {pt}")
            values[f"{k}_repeated"] = (float(np.mean(d["repeats"] > 0)), "1",
                                       f"{name}: fraction of test images presented again (too few spikes), {pt}")
            values[f"{k}_repeats"] = (float(np.mean(d["repeats"])), "1",
                                      f"{name}: repeated presentations per test image, {pt}")
            values[f"{k}_silent"] = (float(np.mean(d["counts"] == 0)), "1",
                                     f"{name}: fraction of test images with no output spike at the end, {pt}")
            values[f"{k}_spikes"] = (float(d["spikes"]), "1", f"{name}: neuron spikes per inference, {pt}")
            values[f"{k}_output_spikes"] = (float(np.mean(d["counts"])), "1", f"{name}: readout (excitatory) "
                                            f"spikes per test image after the last presentation, {pt}")
            values[f"{k}_weight_error"] = (float(d["weight_error"]), "1",
                                           f"{name}: relative RMS weight error, {pt}")
            values[f"{k}_gain"] = (float(d["alpha"]), "1",
                                   f"{name}: mean global drift compensation gain over tiles at this time, {pt}")
            arrays[k] = d["pred"]
        values[f"{name}_wall"] = (infos[name]["wall_s"], "s", f"{name}: wall time of the protocol run(s)")
        values[f"{name}_cpu"] = (infos[name]["cpu_s"], "s", f"{name}: CPU time of the protocol run(s)")

    def compare(key, a_key, b_key, what):
        if a_key not in arrays or b_key not in arrays:
            return
        b, c, p = mcnemar(arrays[a_key] == labels, arrays[b_key] == labels)
        values[f"{key}_only_a"] = (b, "1", f"test images right under {a_key} only ({what})")
        values[f"{key}_only_b"] = (c, "1", f"test images right under {b_key} only ({what})")
        values[f"{key}_p"] = (p, "1", f"exact McNemar p-value, {a_key} vs {b_key} ({what})")
        values[f"{key}_diff"] = (float(np.mean(arrays[a_key] == labels) - np.mean(arrays[b_key] == labels)), "1",
                                 f"accuracy {a_key} minus {b_key} ({what})")

    for name in conds:
        for t in [label(float(x)) for x in a.times.split(",")]:
            compare(f"{name}_{t}_global_vs_none", f"{name}_{t}_global", f"{name}_{t}_none",
                    f"{name}: compensation on vs off, {t} after programming")
    t_last = label(float(a.times.split(",")[-1]))
    for name in [*SPECS, "assignlate"]:
        compare(f"{name}_vs_default_{t_last}_global", f"{name}_{t_last}_global", f"default_{t_last}_global",
                f"{name} vs preset, compensated, {t_last}")
    for t in [label(float(x)) for x in a.times.split(",")]:
        for comp in ("global", "none"):
            compare(f"norepeat_vs_default_{t}_{comp}", f"norepeat_{t}_{comp}", f"default_{t}_{comp}",
                    f"no repeated presentation vs max_repeats=3, {t}, compensation {comp}")
    compare("default_1s_vs_float", "default_1s_global", "default_float", "chip 1 s after programming vs float")
    for k, v in arrays.items():
        values[f"prediction_{k}"] = xr.DataArray(v.astype(np.int32), dims="test_image",
                                                 attrs=dict(units="1", long_name=f"predicted class, {k}"))
    values["label"] = xr.DataArray(labels.astype(np.int32), dims="test_image",
                                   attrs=dict(units="1", long_name="true class"))
    values["total_wall"] = (sum(i["wall_s"] for i in infos.values()), "s", "wall time of all protocol runs")
    values["total_cpu"] = (sum(i["cpu_s"] for i in infos.values()), "s", "CPU time of all protocol runs")
    write_result(a.result, values,
                 config=dict(source=a.source, n_test=a.n_test, n_assign=a.n_assign, times=a.times, seed=a.seed,
                             conditions=a.conditions, specs=SPECS,
                             run_configs={k: i.get("config", "") for k, i in infos.items()}),
                 protocols=["hardware", "stdp-digits"],
                 how_chosen="nothing chosen: fixed conditions (preset statistics, the protocol's defaults, and the "
                            "changes named in the script's docstring); the test images are only measured",
                 notes="McNemar: exact two-sided binomial test on the discordant test images of two conditions "
                       "(the same images, devices and input spikes).  The per-image predictions of every point "
                       "are stored (prediction_CONDITION_POINT).  The sweep points' predictions are taken from "
                       "the deployment the protocol returns (the script wraps hardware_crossbar.deploy to keep "
                       "it); the library is unchanged.")


if __name__ == "__main__":
    main()
