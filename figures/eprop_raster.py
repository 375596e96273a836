"""Spike rasters (inputs, LIF, ALIF), membrane potentials and adaptive thresholds of the first example
trial of an eprop archive, with the readouts below.

    python figures/eprop_raster.py run.nc --out raster.png   (or: workbench figure eprop-raster run.nc)
"""
import sys

import numpy as np

from workbench.figures_main import figure_main
from workbench.plotting import label, use_style


def make(ds, trial=0):
    plt = use_style()
    has_state = "v" in ds
    ct = ds["cell_type"].values
    kinds = [(k, c) for k, c in (("LIF", "C0"), ("ALIF", "C3")) if np.any(ct == k)]
    n_rows = 2 + len(kinds) + int(has_state)
    fig, axes = plt.subplots(n_rows, 1, figsize=(7.5, 1.5 * n_rows + 0.6), sharex=True)
    sel = ds["input_spike_trial"].values == trial
    axes[0].plot(ds["input_spike_time"].values[sel], ds["input_spike_neuron"].values[sel], "|", ms=2, color="k")
    axes[0].set_ylabel("input")
    sel = ds["spike_trial"].values == trial
    t, n = ds["spike_time"].values[sel], ds["spike_neuron"].values[sel]
    for ax, (kind, color) in zip(axes[1:], kinds):
        idx = np.flatnonzero(ct == kind)
        s = np.isin(n, idx)
        ax.plot(t[s], n[s], "|", ms=2, color=color)
        ax.set_ylim(idx[0] - 0.5, idx[-1] + 0.5)
        ax.set_ylabel(kind)
    row = 1 + len(kinds)
    if has_state:
        ax = axes[row]
        sct = ds["state_cell_type"].values
        for kind, color in (("LIF", "C0"), ("ALIF", "C3")):
            rows = np.flatnonzero(sct == kind)
            ids = ds["state_neuron"].values
            counts = [np.sum(n == ids[r]) for r in rows]  # show the most active recorded neuron of each kind
            for r in rows[np.argsort(counts)[::-1][:1]]:
                ax.plot(ds["time"], ds["v"][r], color=color, lw=0.6, label=f"v ({kind} {ids[r]})")
                ax.plot(ds["time"], ds["threshold"][r], color=color, lw=1.2, ls="--",
                        label=f"threshold ({kind} {ids[r]})")
        ax.set_ylabel("v, threshold")
        ax.legend(loc="upper left", fontsize=6, ncol=2)
        row += 1
    ax = axes[row]
    y = ds["readout"].isel(trial=trial).values
    if "label" in ds:  # classification: softmax of the readouts, recall window shaded
        e = np.exp(y - y.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        ax.plot(ds["time"], p[:, 1], color="C3", lw=1, label="softmax p(right)")
        win = ds["loss_mask"].values[trial, :, 0] > 0
        ax.fill_between(ds["time"].values, 0, 1, where=win, color="C2", alpha=0.15, label="recall window")
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel("p(right)")
    else:
        for k in range(y.shape[1]):
            ax.plot(ds["time"], y[:, k], lw=1, label=f"y{k}")
            ax.plot(ds["time"], ds["target"].isel(trial=trial)[:, k], lw=1, ls=":", color=f"C{k}")
        ax.set_ylabel("readout (dotted: target)")
    ax.set_xlabel(label(ds["time"]))
    ax.legend(loc="upper left", fontsize=6, ncol=3)
    title = f"e-prop {ds.attrs.get('task')}: example trial {trial}"
    if "label" in ds:
        title += f" (majority {'right' if int(ds['label'][trial]) else 'left'})"
    fig.suptitle(title)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    sys.exit(figure_main(make, __doc__))
