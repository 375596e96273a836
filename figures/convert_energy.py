"""Accuracy against energy per inference of deployed networks, one point per hardware archive
(the accuracy / energy trade-off across network kinds: converted, STDP, LSM, e-prop ...).

Each archive of ``workbench run hardware`` gives its chip accuracy and energy per inference
(marker by the source protocol); an archive with a weight-width sweep (``--set
sweep_bits=2,4,8``) adds its curve over the widths.

    python figures/convert_energy.py hw_convert.nc hw_dc.nc hw_lsm.nc --out energy.png
    workbench figure convert-energy hw.nc          (one archive)
"""
import argparse
import sys
from pathlib import Path


MARKERS = {"converted": "o", "stdp-digits": "s", "biosignal": "^", "eprop": "D"}


def make(ds, *more):
    from workbench.plotting import use_style

    plt = use_style()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for k, d in enumerate((ds, *more)):
        kind = d.attrs.get("source_protocol", "?")
        color = f"C{k % 10}"
        src = Path(str(d.attrs.get("source", ""))).name
        label = f"{kind}, {d.attrs.get('dataset', '')} ({int(d.attrs.get('weight_bits', 0))} bits, {src})"
        if "sweep_accuracy" in d:
            e, a = d["sweep_energy"].values, d["sweep_accuracy"].values
            ax.plot(1e6 * e, 100 * a, "-", color=color, lw=1, alpha=0.6)
            for b, x, y in zip(d["bits"].values, 1e6 * e, 100 * a):
                ax.annotate(f"{int(b)}b", (x, y), fontsize=6, color=color, xytext=(2, 2), textcoords="offset points")
        ax.plot(1e6 * float(d["energy_per_inference"]), 100 * float(d["test_accuracy"]), MARKERS.get(kind, "o"),
                color=color, ms=6, label=label)
    lo, hi = ax.get_xlim()
    if lo > 0 and hi / lo > 10:  # a log axis only where the energies span decades
        ax.set_xscale("log")
    ax.set_xlabel("energy per inference (µJ)")
    ax.set_ylabel("test accuracy on the chip (%)")
    chips = sorted({d.attrs.get("chip", "") for d in (ds, *more)})
    ax.set_title(f"accuracy vs energy ({', '.join(chips)})", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.archive import open_archive
    from workbench.plotting import save

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("archives", nargs="+")
    p.add_argument("--out", default="convert_energy.png")
    a = p.parse_args()
    sets = [open_archive(x) for x in a.archives]
    save(make(*sets), a.out)
    print(f"figure: {a.out}")
    sys.exit(0)
