"""Confusion matrix of a stdp-digits test: true class x predicted class, as fractions of each true class.

    python figures/stdp_confusion.py run.nc --out confusion.png   (or: workbench figure stdp-confusion run.nc)
"""
import sys

import numpy as np


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    conf = ds["confusion"].values.astype(float)
    frac = conf / np.maximum(conf.sum(axis=1, keepdims=True), 1)
    names = [str(x) for x in ds["class_name"].values] if "class_name" in ds.coords else [str(i) for i in range(10)]
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    im = ax.imshow(frac, cmap="Blues", vmin=0, vmax=1)
    for i in range(frac.shape[0]):
        for j in range(frac.shape[1]):
            if conf[i, j]:
                ax.text(j, i, f"{int(conf[i, j])}", ha="center", va="center", fontsize=6,
                        color="white" if frac[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(names)))
    ax.set_yticks(range(len(names)))
    ax.set_xticklabels(names, rotation=45, ha="right", fontsize=7)
    ax.set_yticklabels(names, fontsize=7)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    fig.colorbar(im, ax=ax, fraction=0.046, label="fraction of true class")
    acc = float(ds["test_accuracy"])
    ax.set_title(f"{ds.attrs.get('dataset', '')}: test accuracy {100 * acc:.1f}% "
                 f"({int(conf.sum())} images)")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
