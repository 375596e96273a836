"""A trained Diehl & Cook network on memristive crossbars: accuracy vs time since programming (PCM drift,
with and without global drift compensation), RRAM, energy beside the digital chips.

    nice -n 10 python benchmarks/hardware_crossbar.py DC.nc [--n-test 150] [--n-assign 300]
        [--times 1,3600,86400,3.156e7,3.156e8] [--result hardware_crossbar] [--keep drift.nc]

DC.nc is a finished ``workbench run stdp-digits`` archive.  Runs the hardware protocol
(``protocols/hardware.py``) with ``chip=pcm`` and ``sweep_drift_times`` (one programmed chip read at every
time, classes assigned once right after programming, the same input spikes at every time), then
``chip=rram`` one day after programming; ``--keep`` saves the PCM archive (``workbench figure hw-drift``).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402

LABELS = {1.0: "1s", 60.0: "1min", 3600.0: "1h", 86400.0: "1day", 2.63e6: "1month", 3.156e7: "1year",
          3.156e8: "10years"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source")
    ap.add_argument("--n-test", type=int, default=150)
    ap.add_argument("--n-assign", type=int, default=300)
    ap.add_argument("--times", default="1,3600,86400,3.156e7,3.156e8")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--result", default="hardware_crossbar")
    ap.add_argument("--keep", default="")
    a = ap.parse_args(argv)

    from workbench.protocol import run

    common = dict(source=a.source, n_test=a.n_test, n_assign=a.n_assign)
    pcm = run("hardware", dict(common, chip="pcm", drift_time=86400.0, sweep_drift_times=a.times), seed=a.seed,
              out=a.keep or None, progress=False)
    rram = run("hardware", dict(common, chip="rram", drift_time=86400.0, compare_chips=""), seed=a.seed,
               progress=False)
    values = {"float_accuracy": (float(pcm["float_accuracy"]), "1", "float reference (source model, float64)"),
              "source_accuracy": (float(pcm["source_accuracy"]), "1", "Brian2 accuracy of the source archive"),
              "n_test": (a.n_test, "1", "test images"), "n_assign": (a.n_assign, "1", "assignment images")}
    for t in pcm["time_after_programming"].values:
        lab = LABELS.get(float(t), f"{float(t):g}s")
        for comp in ("global", "none"):
            sel = dict(time_after_programming=t, compensation=comp)
            values[f"pcm_{lab}_{comp}_accuracy"] = (float(pcm["drift_accuracy"].sel(sel)), "1",
                                                    f"PCM accuracy {lab} after programming, compensation {comp}")
            values[f"pcm_{lab}_{comp}_weight_error"] = (float(pcm["drift_weight_error"].sel(sel)), "1",
                                                        f"PCM relative RMS weight error {lab}, compensation {comp}")
    for name, ds in (("pcm", pcm), ("rram", rram)):
        values[f"{name}_1day_accuracy"] = (float(ds["test_accuracy"]), "1", f"{name} accuracy one day after "
                                           "programming (compensated)")
        for part, v in zip(ds["energy_part"].values, ds["energy_by_part"].values):
            values[f"{name}_energy_{part}"] = (float(v), "J", f"{name} energy per inference: {part}")
        values[f"{name}_energy"] = (float(ds["energy_per_inference"]), "J", f"{name} energy per inference")
        values[f"{name}_latency"] = (float(ds["latency_per_inference"]), "s", f"{name} latency per inference")
        values[f"{name}_tiles"] = (float(ds["tiles_used"]), "1", f"{name} tiles used")
    for c in pcm["compare_chip"].values:
        e = pcm["compare_energy_by_event"].sel(compare_chip=c)
        values[f"same_spikes_{c}_energy"] = (float(e.sum()), "J", f"energy per inference of the PCM run's spikes "
                                             f"on {c}")
        values[f"same_spikes_{c}_dynamic_energy"] = (float(e.sum() - e.sel(energy_event="static")), "J",
                                                     f"dynamic energy of the PCM run's spikes on {c}")
    write_result(a.result, values, config=dict(source=a.source, n_test=a.n_test, n_assign=a.n_assign, times=a.times,
                                               seed=a.seed, run_config=pcm.attrs.get("config", "")),
                 protocols=["hardware"],
                 how_chosen="nothing chosen: preset device statistics; classes assigned from training images "
                            "right after programming")


if __name__ == "__main__":
    main()
