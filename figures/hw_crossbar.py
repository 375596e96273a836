"""A network on a crossbar: energy per inference by part beside digital chips running the same spikes, and
accuracy vs conductance levels and vs wire resistance (each a chip of its own, from a hardware archive of a
crossbar run with ``sweep_levels`` and ``sweep_r_wire``; panels without their sweep are left out).

    workbench run hardware --set source=dc.nc --set chip=pcm --set sweep_levels=2,4,8,16,32,0 \
        --set sweep_r_wire=0,0.35,2,10 --set compare_chips=loihi,spinnaker --out xbar.nc
    python figures/hw_crossbar.py xbar.nc --out hw_crossbar.png
"""
import sys

import numpy as np


def _energy(ax, ds):
    names, stacks = [], []
    parts = [str(p) for p in ds["energy_part"].values]
    names.append(str(ds.attrs.get("chip")))
    stacks.append(dict(zip(parts, 1e6 * ds["energy_by_part"].values)))
    if "compare_energy_by_event" in ds:
        ev = [str(e) for e in ds["energy_event"].values]
        for c in ds["compare_chip"].values:
            names.append(str(c))
            stacks.append(dict(zip(ev, 1e6 * ds["compare_energy_by_event"].sel(compare_chip=c).values)))
    keys = list(dict.fromkeys(k for s in stacks for k in s))
    x = np.arange(len(names))
    width = 0.8 / max(len(keys), 1)
    seen = set()
    for j, s in enumerate(stacks):  # grouped bars on a log axis: each chip's non-zero parts and its total
        items = [(k, v) for k, v in s.items() if v > 0]
        for i, (k, v) in enumerate(items):
            c = f"C{keys.index(k) % 10}"
            ax.bar(x[j] - 0.4 + (i + 0.5) * 0.8 / len(items), v, width=0.8 / len(items), color=c,
                   label=None if k in seen else k.replace("_", " "))
            seen.add(k)
        tot = sum(s.values())
        ax.text(x[j], tot, f"total {tot:.3g}", ha="center", va="bottom", fontsize=7)
        ax.hlines(tot, x[j] - 0.4, x[j] + 0.4, color="k", lw=0.8)
    ax.set_xticks(x, names)
    ax.set_yscale("log")
    ax.set_ylabel("energy per inference (µJ)")
    ax.set_title("the crossbar's spikes on each chip (static included)", fontsize=8)
    ax.legend(fontsize=6, ncol=2)


def _sweep(ax, ds, key, xlabel, log):
    x = ds[f"sweep_{key}"].values.astype(float)
    acc = 100 * ds[f"{key}_accuracy"].values
    if key == "levels":  # 0 (analog) drawn to the right of the largest level count
        analog = x == 0
        x = np.where(analog, 2 * max(x.max(), 2), x)
    order = np.argsort(x)
    ax.plot(x[order], acc[order], "o-", label=str(ds.attrs.get("chip")))
    ax.axhline(100 * float(ds["float_accuracy"]), color="k", ls=":", lw=1, label="float reference")
    if log:
        ax.set_xscale("symlog" if np.any(x == 0) else "log", **({"linthresh": 0.1} if np.any(x == 0) else {}))
    ticks = sorted(set(x))
    top = x[analog][0] if key == "levels" and np.any(analog) else None
    ax.set_xticks(ticks, ["analog" if t == top else f"{t:g}" for t in ticks], fontsize=7)
    ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy (%)")
    ax.legend(fontsize=7)


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    if "energy_by_part" not in ds:
        raise ValueError("not a crossbar archive: run hardware with --set chip=pcm (or rram)")
    panels = [k for k in ("levels", "r_wire") if f"{k}_accuracy" in ds]
    fig, axes = plt.subplots(1, 1 + len(panels), figsize=(4.2 * (1 + len(panels)), 3.4), squeeze=False)
    _energy(axes[0, 0], ds)
    for ax, key in zip(axes[0, 1:], panels):
        _sweep(ax, ds, key, "conductance levels per device" if key == "levels"
               else "wire resistance per cell segment (Ω)", log=True)
    fig.suptitle(f"{ds.attrs.get('source_protocol')} on {ds.attrs.get('chip')}, {float(ds['drift_time']):g} s "
                 "after programming", fontsize=9)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
