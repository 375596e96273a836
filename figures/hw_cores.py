"""Core occupancy: neurons and synapses per core against capacity, and synaptic operations per tick and core.

    python figures/hw_cores.py hw.nc --out hw_cores.png
"""
import sys

import numpy as np

from workbench.plotting import label


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    core = ds["core"].values
    for ax, var in zip(axes[:2], ("neurons_per_core", "synapses_per_core")):
        cap = float(ds[var].attrs.get("capacity", 1))
        ax.bar(core, 100 * ds[var].values / cap)
        ax.set_xlabel(label(ds["core"]))
        ax.set_ylabel(f"{ds[var].attrs['long_name']} (% of {cap:g})")
        ax.set_ylim(0, 105)
    s = ds["synops_tick_core"]
    im = axes[2].imshow(s.values.T, aspect="auto", origin="lower", cmap="magma", interpolation="nearest")
    axes[2].set_xlabel(label(ds["tick"]))
    axes[2].set_ylabel(label(ds["core"]))
    fig.colorbar(im, ax=axes[2], label="synaptic ops per tick")
    from matplotlib.ticker import MaxNLocator

    ticks = core[::max(1, int(np.ceil(len(core) / 8)))]
    for ax in axes[:2]:
        ax.set_xlim(-0.6, len(core) - 0.4)
        ax.set_xticks(ticks)
    axes[2].set_yticks(ticks)
    axes[2].xaxis.set_major_locator(MaxNLocator(nbins=5))
    fig.suptitle(f"core occupancy on {ds.attrs.get('chip')}: {int(ds['cores_used'])} cores "
                 f"(sequential fill: {int(ds['baseline_cores_used'])})")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
