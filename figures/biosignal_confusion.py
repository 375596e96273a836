"""Confusion matrices of the model and the baselines (from a biosignal archive).

    python figures/biosignal_confusion.py run.nc --out cm.png
"""
import sys

import numpy as np


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    models = list(ds["model"].values)
    classes = list(ds["true_class"].values)
    fig, axes = plt.subplots(1, len(models), figsize=(3.0 * len(models), 3.0), squeeze=False)
    for ax, m in zip(axes[0], models):
        cm = ds["confusion"].sel(model=m).values
        norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
        ax.imshow(norm, vmin=0, vmax=1, cmap="Blues")
        for i in range(len(classes)):
            for j in range(len(classes)):
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                        color="w" if norm[i, j] > 0.5 else "k")
        ax.set_xticks(range(len(classes)), classes, rotation=45 if len(classes) > 4 else 0)
        ax.set_yticks(range(len(classes)), classes)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        acc = float(ds["accuracy"].sel(model=m))
        bal = float(ds["balanced_accuracy_by_model"].sel(model=m))
        ax.set_title(f"{m}: acc {acc:.3f}, bal {bal:.3f}")
    fig.suptitle(f"{ds.attrs.get('dataset', '')}: confusion matrices (rows normalised, counts shown)")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
