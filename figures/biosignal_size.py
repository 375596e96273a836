"""Test accuracy vs liquid size, with the baselines as lines (biosignal archive run with liquid_sizes=...).

    python figures/biosignal_size.py run.nc --out size.png
"""
import sys

from workbench.plotting import label


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    if "size_accuracy" not in ds:
        raise ValueError("this archive has no accuracy-vs-size data; run with --set liquid_sizes=27,135,540")
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    ax.plot(ds["liquid_size"], ds["size_accuracy"], "o-", label="LSM")
    for m, ls in (("raw", "--"), ("input", ":")):
        if m in list(ds["model"].values):
            ax.axhline(float(ds["accuracy"].sel(model=m)), color="k", ls=ls, lw=1, label=f"{m} baseline")
    ax.set_xscale("log")
    sizes = [int(v) for v in ds["liquid_size"].values]
    ax.set_xticks(sizes, [str(v) for v in sizes])
    ax.minorticks_off()
    ax.set_xlabel(label(ds["liquid_size"]))
    ax.set_ylabel(label(ds["size_accuracy"]))
    ax.legend()
    ax.set_title(f"{ds.attrs.get('dataset', '')}: accuracy vs liquid size")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
