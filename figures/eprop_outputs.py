"""Readouts against targets for the example trials of an eprop archive (pattern: each output and its
sum-of-sines target; evidence: softmax of the two readouts and the recall window).

    python figures/eprop_outputs.py run.nc --out outputs.png   (or: workbench figure eprop-outputs run.nc)
"""
import sys

import numpy as np

from workbench.figures_main import figure_main
from workbench.plotting import label, use_style


def make(ds):
    plt = use_style()
    task = ds.attrs.get("task", "pattern")
    y, target = ds["readout"].values, ds["target"].values
    t = ds["time"].values
    if task == "pattern":
        K = y.shape[2]
        fig, axes = plt.subplots(K, 1, figsize=(6.5, 1.5 * K + 0.6), sharex=True, squeeze=False)
        for k in range(K):
            ax = axes[k, 0]
            ax.plot(t, target[0, :, k], "k--", lw=1, label="target")
            ax.plot(t, y[0, :, k], color="C0", lw=1, label="readout")
            ax.set_ylabel(f"output {k}")
        axes[0, 0].legend(loc="upper right", fontsize=7)
        axes[-1, 0].set_xlabel(label(ds["time"]))
        fig.suptitle(f"pattern generation after {ds.sizes['iteration']} iterations "
                     f"(NMSE {float(ds['final_nmse']):.3g})")
    else:
        n = y.shape[0]
        fig, axes = plt.subplots(n, 1, figsize=(6.5, 1.6 * n + 0.6), sharex=True, squeeze=False)
        for b in range(n):
            ax = axes[b, 0]
            e = np.exp(y[b] - y[b].max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            ax.plot(t, p[:, 1], color="C3", lw=1, label="softmax p(right)")
            ax.axhline(0.5, color="grey", ls=":", lw=0.8)
            win = ds["loss_mask"].values[b, :, 0] > 0
            ax.fill_between(t, 0, 1, where=win, color="C2", alpha=0.15, label="recall window")
            ax.set_ylim(-0.05, 1.05)
            ax.set_ylabel(f"trial {b}\n(label {'right' if int(ds['label'][b]) else 'left'})")
        axes[0, 0].legend(loc="upper left", fontsize=7)
        axes[-1, 0].set_xlabel(label(ds["time"]))
        fig.suptitle(f"evidence accumulation: test accuracy {float(ds['test_accuracy']):.2f}")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    sys.exit(figure_main(make, __doc__))
