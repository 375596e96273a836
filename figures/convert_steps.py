"""Accuracy of a converted network against simulated time steps (Rueckauer et al. 2017, Fig. 3 style).

The ANN's test accuracy as a horizontal line; the SNN's test accuracy after n time steps, one curve
per weight normalisation of the archive (max, 99.9th percentile of the training activations, none).

    python figures/convert_steps.py c.nc --out steps.png   (or: workbench figure convert-steps c.nc)
"""
import json
import sys

import numpy as np


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    steps = ds["steps"].values
    acc = ds["accuracy_vs_steps_by_normalisation"]
    pct = float(ds.attrs.get("percentile", 99.9))
    for k, norm in enumerate(acc["normalisation"].values):
        name = {"percentile": f"{pct:g}th-percentile normalisation", "max": "max normalisation",
                "none": "no normalisation"}.get(str(norm), f"{norm} normalisation")
        ax.plot(steps, 100 * acc.values[k], "o-", ms=3, label=f"SNN, {name}")
    ann = 100 * float(ds["ann_accuracy"])
    ax.axhline(ann, color="k", ls="--", lw=1, label=f"ANN {ann:.1f}%")
    lo = min(np.nanmin(100 * acc.values), ann)
    ax.set_ylim(max(0, lo - 2), min(100, ann + 2))
    ax.set_xlabel("simulated time steps")
    ax.set_ylabel("test accuracy (%)")
    sizes = "-".join(str(s) for s in json.loads(ds.attrs.get("sizes", "[]")))
    ax.set_title(f"{ds.attrs.get('dataset', '')} {sizes}, {ds.attrs.get('input', '')} input, "
                 f"{int(ds.sizes['test_sample'])} test samples", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
