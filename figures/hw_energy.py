"""Energy per inference broken down by event type (synaptic ops, neuron updates, packets, hops, static).

    python figures/hw_energy.py hw.nc --out hw_energy.png
"""
import sys


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    e = ds["energy_by_event"]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    vals = 1e6 * e.values
    names = [str(x) for x in e["energy_event"].values]
    bars = ax.bar(names, vals, color=[f"C{i}" for i in range(len(vals))])
    total = vals.sum()
    for b, v in zip(bars, vals):
        ax.text(b.get_x() + b.get_width() / 2, v, f"{100 * v / total:.1f}%", ha="center", va="bottom", fontsize=7)
    ax.set_ylabel("energy per inference (µJ)")
    ax.set_title(f"{ds.attrs.get('chip')}, {ds.attrs.get('weight_bits')}-bit: {total:.3g} µJ, "
                 f"{1e3 * float(ds['latency_per_inference']):.3g} ms per inference", fontsize=9)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
