"""STDP windows of the plasticity rules (measured vs. rule definition), from a stdp-window archive alone.

One panel per rule: measured weight change (markers; stochastic rule with SEM error bars)
and the event-driven evaluation of the rule's definition (line).  Last panel: triplet-rule
weight change against pairing frequency at +-10 ms (Pfister & Gerstner 2006, Fig. 4).

    python figures/stdp_window.py stdp.nc --out stdp.png   (or: workbench figure stdp-window stdp.nc)
"""
import math
import sys

from workbench.figures_main import figure_main
from workbench.plotting import label, use_style

TITLES = {
    "stdp_add": "pair, additive, all-to-all",
    "stdp_add_nearest": "pair, additive, nearest",
    "stdp_mult": "pair, multiplicative, all-to-all",
    "stdp_mult_nearest": "pair, multiplicative, nearest",
    "triplet_stdp": "triplet (visual cortex)",
    "stochastic_binary_stdp": "stochastic binary",
}


def make(ds):
    plt = use_style()
    rules = [str(r) for r in ds["rule"].values]
    n_panels = len(rules) + (1 if "triplet_dw" in ds else 0)
    ncol = min(4, n_panels)
    nrow = math.ceil(n_panels / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.6 * ncol, 2.3 * nrow), squeeze=False)
    axes = list(axes.flat)
    x = ds["delta_t"].values
    for ax, rule in zip(axes, rules):
        sel = ds.sel(rule=rule)
        ax.axhline(0, color="0.7", lw=0.5)
        ax.axvline(0, color="0.7", lw=0.5)
        ax.plot(x, sel["dw_expected"], "k-", lw=1, label="rule definition")
        if float(sel["dw_sem"].max()) > 0:
            ax.errorbar(x, sel["dw"], yerr=sel["dw_sem"], fmt="o", ms=2.5, lw=0.8, label="measured")
        else:
            ax.plot(x, sel["dw"], "o", ms=2.5, label="measured")
        ax.set_title(TITLES.get(rule, rule))
        ax.set_xlabel(label(ds["delta_t"]))
        ax.set_ylabel(label(ds["dw"]).replace(" (measured)", ""))
    spare = axes[n_panels:]
    if spare:                                  # the legend goes into a free panel, clear of the data
        spare[0].legend(*axes[0].get_legend_handles_labels(), loc="center")
        spare[0].axis("off")
        spare = spare[1:]
    else:
        axes[0].legend(loc="upper left")
    if "triplet_dw" in ds:
        ax = axes[len(rules)]
        f = ds["frequency"].values
        for k, d in enumerate(ds["pairing"].values):
            line, = ax.plot(f, ds["triplet_dw_expected"][:, k], "-", lw=1)
            ax.plot(f, ds["triplet_dw"][:, k], "o", ms=3, color=line.get_color(), label=f"{d:+g} ms")
        ax.axhline(0, color="0.7", lw=0.5)
        ax.set_title(f"triplet, {int(ds['triplet_pairs'])} pairings")
        ax.set_xlabel(label(ds["frequency"]))
        ax.set_ylabel("weight change")
        ax.legend(title="t_post - t_pre")
    for ax in spare:
        ax.set_visible(False)
    fig.suptitle(f"STDP windows ({int(ds['n_pairs'])} pairing(s), w_init {float(ds['w_init']):g}; "
                 f"{ds.attrs.get('backend')}, seed {ds.attrs.get('seed')})")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    sys.exit(figure_main(make, __doc__))
