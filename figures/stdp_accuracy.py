"""Accuracy vs training examples of a stdp-digits run.

The running estimate of the paper (Diehl & Cook 2015, Fig. 2 style): after each batch of training
images, the batch is classified with class assignments taken from the responses to the preceding
training images (at most update_interval of them); the final test accuracy (frozen network,
assignments from a separate pass) is drawn as a horizontal line.

    python figures/stdp_accuracy.py run.nc --out acc.png   (or: workbench figure stdp-accuracy run.nc)
"""
import sys

import numpy as np


def make(ds):
    from workbench.plotting import label, use_style

    plt = use_style()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    seen = ds["images_seen"].values
    acc = ds["running_accuracy"].values
    ok = np.isfinite(acc)
    ax.plot(seen[ok], 100 * acc[ok], "o-", ms=3, label="running estimate (training batches)")
    if "test_accuracy" in ds:
        ax.axhline(100 * float(ds["test_accuracy"]), color="k", ls="--", lw=1,
                   label=f"test accuracy {100 * float(ds['test_accuracy']):.1f}%")
    ax.axhline(10, color="0.7", lw=0.8, ls=":", label="chance")
    ax.set_xlabel(label(ds["images_seen"]))
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"{ds.attrs.get('dataset', '')}, {int(ds.sizes['neuron'])} excitatory neurons")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
