"""Accuracy against energy per inference of deployed networks, one marker per network kind (converted,
STDP, STDP trained for the chip, LSM, imported NIR, e-prop), one colour per chip preset: the
accuracy / energy trade-off of the network kinds the workbench trains, drawn from archives.

Archives: ``workbench run hardware`` results (one point each; a weight-width sweep, ``--set
sweep_bits=2,4,8``, adds its curve over the widths) and the benchmark archives that deploy
networks (``benchmarks/results/``: convert_accuracy, hardware_dc, hardware_target,
hardware_crossbar, bio_energy_loihi; :data:`BENCHMARK_POINTS` says which of their numbers are drawn).  Archives
without deployment numbers are skipped; kinds without any point are named under the axes.  The
points come from different data sets (each labelled): compare kinds along the energy axis, and
accuracies only within one data set.

    python figures/accuracy_energy.py benchmarks/results/*.nc --out accuracy_energy.png
    workbench figure accuracy-energy hw.nc          (one archive)
"""
import argparse
import sys
from pathlib import Path

#: network kinds: (label, marker); hardware archives name theirs by ``source_protocol``
KINDS = {"converted": ("converted ReLU network", "o"), "stdp": ("STDP (Diehl & Cook)", "s"),
         "stdp-target": ("STDP trained for the chip", "P"), "lsm": ("LSM (liquid + readout)", "^"),
         "nir": ("imported NIR network", "v"), "eprop": ("e-prop", "D")}
SOURCE_KIND = {"converted": "converted", "stdp-digits": "stdp", "biosignal": "lsm", "nir": "nir", "eprop": "eprop"}

#: benchmark archive -> points (accuracy variable, energy variable, kind, chip label, data set)
BENCHMARK_POINTS = {
    "convert_accuracy": [("fashion_hw_test_accuracy", "fashion_hw_energy_per_inference", "converted", "Loihi, 8 bits",
                          "Fashion-MNIST"),
                         ("beats_hw_test_accuracy", "beats_hw_energy_per_inference", "converted", "Loihi, 8 bits",
                          "MIT-BIH 100 beats")],
    "hardware_dc": [("loihi_8b_threshold_accuracy", "loihi_8b_threshold_energy", "stdp", "Loihi, 8 bits", "digits"),
                    ("coba_8b_accuracy", "coba_8b_energy", "stdp", "conductance chip, 8 bits", "digits")],
    "hardware_target": [("target_loihi8_accuracy", "target_loihi8_energy", "stdp-target", "Loihi, 8 bits", "digits"),
                        ("target_pcm_accuracy", "target_pcm_energy", "stdp-target", "PCM, 1 day", "digits"),
                        ("posthoc_pcm_accuracy", "posthoc_pcm_energy", "stdp", "PCM, 1 day", "digits")],
    "hardware_crossbar": [("pcm_1day_accuracy", "pcm_energy", "stdp", "PCM, 1 day", "digits"),
                          ("rram_1day_accuracy", "rram_energy", "stdp", "RRAM, 1 day", "digits")],
    "bio_energy_loihi": [("test_accuracy", "energy_per_inference", "lsm", "Loihi, 8 bits", "MIT-BIH 100, N vs S")],
}


def _chip_label(ds):
    chip = str(ds.attrs.get("chip", "?"))
    if ds.attrs.get("chip_kind") == "crossbar":
        days = float(ds["drift_time"]) / 86400 if "drift_time" in ds else None
        return f"{chip.upper()}" + (f", {days:g} days" if days else "")
    return f"{chip.capitalize() if chip.islower() else chip}, {int(ds.attrs.get('weight_bits', 0))} bits"


def points(ds):
    """``[(accuracy, energy J, kind, chip label, data set, sweep or None)]`` of one archive."""
    proto = str(ds.attrs.get("protocol", ""))
    if proto == "hardware" or "source_protocol" in ds.attrs and "energy_per_inference" in ds:
        kind = SOURCE_KIND.get(str(ds.attrs.get("source_protocol", "")), "converted")
        sweep = (ds["sweep_energy"].values, ds["sweep_accuracy"].values, ds["bits"].values) \
            if "sweep_accuracy" in ds else None
        return [(float(ds["test_accuracy"]), float(ds["energy_per_inference"]), kind, _chip_label(ds),
                 str(ds.attrs.get("dataset", "")), sweep)]
    rows = BENCHMARK_POINTS.get(proto.removeprefix("benchmark:"), [])
    return [(float(ds[a]), float(ds[e]), kind, chip, data, None) for a, e, kind, chip, data in rows
            if a in ds and e in ds]


def make(ds, *more):
    from workbench.plotting import use_style

    plt = use_style()
    pts = [p for d in (ds, *more) for p in points(d)]
    if not pts:
        raise ValueError("no deployment numbers: give archives of workbench run hardware or the benchmark archives "
                         f"{', '.join(BENCHMARK_POINTS)}")
    chips = list(dict.fromkeys(p[3] for p in pts))
    color = {c: f"C{k % 10}" for k, c in enumerate(chips)}
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for acc, energy, kind, chip, data, sweep in pts:
        if sweep is not None:
            e, a, bits = sweep
            ax.plot(1e6 * e, 100 * a, "-", color=color[chip], lw=1, alpha=0.6)
            for b, x, y in zip(bits, 1e6 * e, 100 * a):
                ax.annotate(f"{int(b)}b", (x, y), fontsize=6, color=color[chip], xytext=(2, 2),
                            textcoords="offset points")
        ax.plot(1e6 * energy, 100 * acc, KINDS[kind][1], color=color[chip], ms=7, mec="k", mew=0.5)
        ax.annotate(data, (1e6 * energy, 100 * acc), fontsize=6, xytext=(4, -3), textcoords="offset points")
    energies = [p[1] for p in pts if p[1] > 0]
    if energies and max(energies) / min(energies) > 10:  # a log axis only where the energies span decades
        from matplotlib.ticker import LogFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
        ax.xaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
    ax.set_xlabel("energy per inference (µJ)")
    ax.set_ylabel("test accuracy on the chip (%)")
    kinds = list(dict.fromkeys(p[2] for p in pts))
    handles = [plt.Line2D([], [], ls="", marker=KINDS[k][1], color="0.4", label=KINDS[k][0]) for k in kinds]
    handles += [plt.Line2D([], [], ls="", marker="o", color=color[c], label=c) for c in chips]
    ax.legend(handles=handles, fontsize=6.5, loc="best", ncol=2)
    missing = [KINDS[k][0] for k in KINDS if k not in kinds]
    ax.set_title("accuracy vs energy per inference, by network kind and chip", fontsize=9)
    if missing:
        fig.text(0.01, 0.01, f"no deployed archive given for: {', '.join(missing)}", fontsize=6.5, color="0.3")
    fig.tight_layout(rect=(0, 0.03 if missing else 0, 1, 1))
    return fig


if __name__ == "__main__":
    from workbench.archive import open_archive
    from workbench.plotting import save

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("archives", nargs="+")
    p.add_argument("--out", default="accuracy_energy.png")
    a = p.parse_args()
    sets = [open_archive(x) for x in a.archives]
    save(make(*sets), a.out)
    print(f"figure: {a.out} ({Path(a.out).stat().st_size} bytes)")
    sys.exit(0)
