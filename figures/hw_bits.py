"""Accuracy and energy per inference versus weight bits, from a hardware archive with a bit sweep.

    workbench run hardware --set source=dc.nc --set sweep_bits=1,2,3,4,6,8,12,16 --out hw.nc
    python figures/hw_bits.py hw.nc --out hw_bits.png
"""
import sys

from workbench.plotting import label


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    if "sweep_accuracy" not in ds:
        raise ValueError("archive has no bit sweep; run hardware with --set sweep_bits=1,2,4,8,16")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3.2))
    bits = ds["bits"].values
    a1.plot(bits, 100 * ds["sweep_accuracy"].values, "o-", label=f"{ds.attrs.get('chip')} (quantized)")
    a1.axhline(100 * float(ds["float_accuracy"]), color="k", ls="--", lw=1, label="float reference (source model)")
    if "chip_float_accuracy" in ds and float(ds["chip_float_accuracy"]) != float(ds["float_accuracy"]):
        a1.axhline(100 * float(ds["chip_float_accuracy"]), color="C4", ls="-.", lw=1,
                   label="chip arithmetic in float")
    if float(ds["source_accuracy"]) == float(ds["source_accuracy"]):
        a1.axhline(100 * float(ds["source_accuracy"]), color="gray", ls=":", lw=1, label="source (Brian2)")
    a1.set_xlabel(label(ds["bits"]))
    a1.set_ylabel("test accuracy (%)")
    a1.set_xscale("log", base=2)
    a1.legend(fontsize=7)
    a2.plot(bits, 1e6 * ds["sweep_energy"].values, "s-", color="C1", label="total")
    if "sweep_dynamic_energy" in ds:
        a2.plot(bits, 1e6 * ds["sweep_dynamic_energy"].values, "o--", color="C3", label="dynamic")
        a2.set_yscale("log")
    a2.legend(fontsize=7, loc="center left")
    a2.set_xlabel(label(ds["bits"]))
    a2.set_ylabel("energy per inference (µJ)")
    a2.set_xscale("log", base=2)
    a2b = a2.twinx()
    a2b.plot(bits, ds["sweep_weight_error"].values, "^:", color="C2", ms=4)
    a2b.set_ylabel(label(ds["sweep_weight_error"]), color="C2")
    a2b.set_yscale("log")
    fig.suptitle(f"{ds.attrs.get('source_protocol')} on {ds.attrs.get('chip')}: accuracy and energy vs weight bits")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
