"""f-I curves of the neuron models, from an fi-curve archive alone.

    python figures/fi_curves.py fi.nc --out fi.png   (or: workbench figure fi-curves fi.nc)
"""
import math
import sys

from workbench.figures_main import figure_main
from workbench.plotting import label, use_style


def make(ds):
    plt = use_style()
    models = list(ds["model"].values)
    ncol = min(5, len(models))
    nrow = math.ceil(len(models) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.2 * ncol, 2.0 * nrow), squeeze=False)
    for ax, name in zip(axes.flat, models):
        sel = ds.sel(model=name)
        ax.plot(sel["current"], sel["rate"], "o-", ms=2.5, label="simulated")
        if name == "lif" and "lif_rate_analytic" in ds:
            ax.plot(sel["current"], ds["lif_rate_analytic"], "k--", lw=1, label="analytic")
            ax.legend(loc="upper left")
        ax.set_title(str(name))
        ax.set_xlabel(label(ds["current"]))
        ax.set_ylabel(label(ds["rate"]))
    for ax in list(axes.flat)[len(models):]:
        ax.set_visible(False)
    fig.suptitle(f"f-I curves ({ds.attrs.get('backend')}, seed {ds.attrs.get('seed')})")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    sys.exit(figure_main(make, __doc__))
