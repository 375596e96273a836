"""Receptive fields of a stdp-digits run: the learned input weights of every excitatory neuron.

Each tile is one neuron's weights arranged as the input image (row, col), titled with its assigned
class; the layout follows the authors' plot_2d_input_weights (a square grid, colour 0..w_max).

    python figures/stdp_receptive_fields.py run.nc --out rf.png   (or: workbench figure stdp-receptive-fields run.nc)
"""
import math
import sys

import numpy as np


def make(ds, max_neurons: int = 400):
    from workbench.plotting import use_style

    plt = use_style()
    rf = ds["receptive_field"]
    n = min(int(rf.sizes["neuron"]), max_neurons)
    side = math.ceil(math.sqrt(n))
    rows, cols = int(rf.sizes["row"]), int(rf.sizes["col"])
    grid = np.full((side * (rows + 1), side * (cols + 1)), np.nan)
    w = rf.values[:n]
    for k in range(n):
        r, c = divmod(k, side)
        grid[r * (rows + 1): r * (rows + 1) + rows, c * (cols + 1): c * (cols + 1) + cols] = w[k]
    wmax = float(ds["param_w_max"]) if "param_w_max" in ds else float(np.nanmax(w))
    size = min(10.0, 1.0 + 0.45 * side)
    fig, ax = plt.subplots(figsize=(size + 1.0, size))
    im = ax.imshow(grid, cmap="hot_r", vmin=0, vmax=wmax, interpolation="nearest")
    if "assignment" in ds and side <= 20:
        a = ds["assignment"].values[:n]
        for k in range(n):
            r, c = divmod(k, side)
            ax.text(c * (cols + 1) + 1, r * (rows + 1) + 4, str(int(a[k])), color="tab:blue", fontsize=6)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.colorbar(im, ax=ax, fraction=0.04, label="input weight")
    acc = float(ds["test_accuracy"]) if "test_accuracy" in ds else float("nan")
    ax.set_title(f"receptive fields, {ds.attrs.get('dataset', '')}, {int(ds.sizes['neuron'])} neurons "
                 f"(test accuracy {100 * acc:.1f}%)")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
