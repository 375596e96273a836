"""Accuracy of a network on a crossbar versus time since programming, with and without global drift
compensation, from a hardware archive with a drift sweep (the sweep param ``sweep_drift_times`` of the
hardware protocol: one programmed chip read at every time, classes assigned once at ``assign_time``).

    workbench run hardware --set source=dc.nc --set chip=pcm \
        --set sweep_drift_times=1,60,3600,86400,2.6e6,3.15e7,3.15e8 --out drift.nc
    python figures/hw_drift.py drift.nc --out hw_drift.png
"""
import sys

import numpy as np

from workbench.plotting import label

_TICKS = [(1, "1 s"), (60, "1 min"), (3600, "1 h"), (86400, "1 day"), (2.63e6, "1 month"), (3.156e7, "1 year"),
          (3.156e8, "10 years")]


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    from matplotlib import ticker
    if "drift_accuracy" not in ds:
        raise ValueError("archive has no drift sweep; run hardware on a crossbar with "
                         "--set sweep_drift_times=1,3600,86400,3.15e7,3.15e8")
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(12, 3.4))
    t = ds["time_after_programming"].values
    t_plot = np.maximum(t, 0.1)  # t = 0 drawn at 0.1 s on the log axis
    styles = {"global": ("o-", "C0", "global drift compensation"), "none": ("s--", "C3", "no compensation")}
    for comp in ds["compensation"].values:
        fmt, color, text = styles.get(str(comp), ("^-", "C2", str(comp)))
        a1.plot(t_plot, 100 * ds["drift_accuracy"].sel(compensation=comp).values, fmt, color=color, label=text)
        a2.plot(t_plot, ds["drift_weight_error"].sel(compensation=comp).values, fmt, color=color, label=text)
        if "drift_spikes" in ds:
            a3.plot(t_plot, ds["drift_spikes"].sel(compensation=comp).values, fmt, color=color, label=text)
    a1.axhline(100 * float(ds["float_accuracy"]), color="k", ls=":", lw=1, label="float reference")
    a1.set_ylabel("test accuracy (%)")
    a2.set_ylabel("relative RMS weight error")
    a3.set_ylabel("neuron spikes per inference\n(repeats with higher input included)")
    a2.set_yscale("log")
    # the error spans less than a decade: label the minor log ticks too, in plain numbers
    a2.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
    a2.yaxis.set_minor_formatter(ticker.FormatStrFormatter("%g"))
    lo, hi = t_plot.min(), t_plot.max()
    for a in (a1, a2, a3):
        a.set_xscale("log")
        ticks = [(v, s) for v, s in _TICKS if lo / 3 <= v <= hi * 3]
        if ticks:
            a.set_xticks([v for v, _ in ticks], [s for _, s in ticks], rotation=30, fontsize=7)
            a.xaxis.set_minor_locator(ticker.NullLocator())
        a.set_xlabel("time since programming")
        if a.get_legend_handles_labels()[0]:
            a.legend(fontsize=7)
    n = ds.sizes.get("test_image", 0)
    fig.suptitle(f"{ds.attrs.get('source_protocol')} on {ds.attrs.get('chip')} ({n} test samples; classes "
                 f"assigned {float(ds['assign_time']):g} s after programming)", fontsize=9)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
