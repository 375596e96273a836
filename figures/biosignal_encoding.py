"""Raw signal of one example per class with its spike encoding (from a biosignal archive).

    python figures/biosignal_encoding.py run.nc --out enc.png   (or: workbench figure biosignal-encoding run.nc)
"""
import json
import sys

import numpy as np

from workbench.plotting import label


def make(ds, max_channels=3, max_examples=4):
    from workbench.plotting import use_style

    plt = use_style()
    from matplotlib.ticker import MaxNLocator

    cfg = ds.attrs.get("config", "")
    enc = json.loads(cfg).get("encoder", "?") if cfg else "?"
    n_ex = min(ds.sizes["example"], max_examples)
    classes = ds.attrs.get("class_names", "").split(",")
    fig, axes = plt.subplots(2, n_ex, figsize=(3.0 * n_ex, 3.6), squeeze=False, sharex=True,
                             gridspec_kw={"height_ratios": [1.3, 1]})
    t = ds["ex_time"].values
    lab = ds["label"].values
    for e in range(n_ex):
        ax = axes[0, e]
        sig = ds["example_signal"].isel(example=e).values
        for c in range(min(max_channels, sig.shape[1])):
            ax.plot(t, sig[:, c], lw=0.8)
        s = int(ds["example_sample"].values[e])
        ax.set_title(f"sample {s}: {classes[lab[s]] if lab[s] < len(classes) else lab[s]}")
        ax.set_ylabel(label(ds["example_signal"]))
        ax2 = axes[1, e]
        m = ds["input_spike_example"].values == e
        ax2.plot(ds["input_spike_time"].values[m], ds["input_spike_neuron"].values[m], "|", ms=4, color="k")
        ax2.set_xlabel(label(ds["ex_time"]))
        ax2.set_ylabel("input channel")
        n_ch = int(ds["input_spike_neuron"].max()) + 1 if ds.sizes.get("input_spike", 0) else 1
        if enc in ("delta", "sigma_delta") and n_ch <= 8:
            ax2.set_yticks(range(n_ch), [f"{c // 2} {'UP' if c % 2 == 0 else 'DOWN'}" for c in range(n_ch)])
        else:
            ax2.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax2.set_ylim(-0.5, n_ch - 0.5)
    fig.suptitle(f"{ds.attrs.get('dataset', '')}: signal and {enc} spike encoding")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
