"""Liquid spike raster of one example per class (from a biosignal archive run with model=lsm).

    python figures/biosignal_raster.py run.nc --out raster.png
"""
import sys

from workbench.plotting import label


def make(ds, max_examples=4):
    from workbench.plotting import use_style

    plt = use_style()
    if "liquid_spike_time" not in ds:
        raise ValueError("this archive has no liquid spikes (model was not lsm)")
    n_ex = min(ds.sizes["example"], max_examples)
    classes = ds.attrs.get("class_names", "").split(",")
    lab = ds["label"].values
    fig, axes = plt.subplots(1, n_ex, figsize=(3.0 * n_ex, 3.0), squeeze=False, sharey=True)
    for e in range(n_ex):
        ax = axes[0, e]
        m = ds["liquid_spike_example"].values == e
        ax.plot(ds["liquid_spike_time"].values[m], ds["liquid_spike_neuron"].values[m], ".", ms=1.5, color="k")
        s = int(ds["example_sample"].values[e])
        ax.set_title(f"sample {s}: {classes[lab[s]] if lab[s] < len(classes) else lab[s]}")
        ax.set_xlabel(label(ds["liquid_spike_time"]))
        ax.set_xlim(0, float(ds["sample_duration"]))
    axes[0, 0].set_ylabel("liquid neuron")
    fig.suptitle(f"{ds.attrs.get('dataset', '')}: liquid activity ({int(ds['liquid_neurons'])} neurons)")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
