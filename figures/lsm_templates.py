"""Jittered-template classification: readout accuracy vs readout time (liquid vs input spikes)
and the liquid raster of one sample per class.

    python figures/lsm_templates.py lsm.nc --out templates.png
"""
import sys

import numpy as np

from workbench.plotting import label


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    samples = np.unique(ds["raster_sample"].values)
    fig, axes = plt.subplots(1, 1 + len(samples), figsize=(3.2 * (1 + len(samples)), 3.0), squeeze=False)
    ax = axes[0, 0]
    ax.plot(ds["readout_time"], ds["template_accuracy"], "o-", label="liquid")
    ax.plot(ds["readout_time"], ds["template_accuracy_input"], "s--", label="input spikes")
    ax.axhline(1.0 / len(np.unique(ds["sample_label"])), color="grey", lw=0.8, ls=":", label="chance")
    import json

    shared = json.loads(ds.attrs.get("config", "{}")).get("shared_after")
    if shared:
        from brian2 import ms

        from workbench.params import parse_quantity

        t_sh = float(parse_quantity(str(shared)) / ms)
        if t_sh > 0:
            ax.axvline(t_sh, color="grey", lw=0.8)
            ax.text(t_sh, 0.3, " templates identical\n from here", fontsize=7, color="grey", ha="left")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(label(ds["readout_time"]))
    ax.set_ylabel("test accuracy")
    ax.legend(frameon=False, loc="lower left")
    for ax, s in zip(axes[0, 1:], samples):
        m = ds["raster_sample"].values == s
        ax.plot(ds["spike_time"].values[m], ds["spike_neuron"].values[m], ".", ms=1.5, color="k")
        ax.set_title(f"sample {s}, class {int(ds['sample_label'].values[s])}")
        ax.set_xlabel(label(ds["spike_time"]))
        ax.set_ylabel("liquid neuron")
    fig.suptitle("Jittered spike templates: linear readout of the liquid")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
