"""A metric over two swept parameters, from a collected sweep archive alone.

    workbench sweep fi-curve --grid current_scale=0.5,1,1.5 --grid dt=0.05ms,0.1ms --out sw
    workbench collect sw --out sw.nc
    python figures/sweep_heatmap.py sw.nc --metric rate --x current_scale --y dt --out heat.png
    (or: workbench figure sweep-heatmap sw.nc, which uses the defaults below)

Defaults: the first two swept dimensions (``sweep_dims`` attribute; ``seed`` last),
and the first numeric data variable that is not a ``point_*`` bookkeeping
variable.  Every other dimension (seeds, neurons, models, ...) is averaged, and
the figure says which.  Failed points are crossed out, points not yet run are
left blank.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

from workbench.archive import open_archive
from workbench.plotting import label, save, use_style


#: Headline metrics, drawn by default when the archive has them.
PREFERRED = ("test_accuracy", "balanced_accuracy", "final_loss", "energy_per_inference", "rate")


def _pick_metric(ds):
    for name in PREFERRED:
        if name in ds.data_vars:
            return name
    for name, var in ds.data_vars.items():
        if not name.startswith(("point_", "state_", "param_")) and var.dtype.kind in "fiu":
            return name
    raise ValueError("the archive has no numeric data variable to draw")


def make(ds, metric=None, x=None, y=None):
    plt = use_style()
    if "sweep_dims" not in ds.attrs:
        raise ValueError("not a collected sweep archive (no 'sweep_dims' attribute); use 'workbench collect'")
    dims = json.loads(ds.attrs["sweep_dims"])
    swept = [d for d in dims if d != "seed"] + (["seed"] if "seed" in dims else [])
    if x is None or y is None:
        free = [d for d in swept if d not in (x, y)]
        if x is None:
            x = free.pop(0)
        if y is None:
            if not free:
                raise ValueError(f"a heat map needs two swept parameters; this sweep has {swept}")
            y = free.pop(0)
    for d in (x, y):
        if d not in ds.dims:
            raise ValueError(f"{d!r} is not a dimension of the sweep; dimensions: {list(ds.dims)}")
    metric = metric or _pick_metric(ds)
    if metric not in ds:
        raise ValueError(f"no variable {metric!r}; variables: {list(ds.data_vars)}")
    da = ds[metric]
    averaged = [d for d in da.dims if d not in (x, y)]
    mean = da.mean(averaged, skipna=True) if averaged else da
    mean = mean.transpose(y, x).values.astype(float)
    status = ds["point_status"] if "point_status" in ds else None

    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * ds.sizes[x], 1.0 + 0.7 * ds.sizes[y]))
    masked = np.ma.masked_invalid(mean)
    im = ax.imshow(masked, origin="lower", aspect="auto", cmap="viridis")
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(label(da))
    finite = np.isfinite(mean)
    if finite.any() and mean.size <= 64:
        lo, hi = np.nanmin(mean), np.nanmax(mean)
        for (i, j), v in np.ndenumerate(mean):
            if np.isfinite(v):
                dark = hi > lo and (v - lo) / (hi - lo) < 0.5
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")
    if status is not None:
        failed = (status == 0).any([d for d in status.dims if d not in (x, y)]).transpose(y, x).values
        for i, j in zip(*np.nonzero(failed)):
            ax.plot(j, i, marker="x", color="red", ms=12, mew=2)
    ax.set_xticks(range(ds.sizes[x]))
    ax.set_xticklabels([f"{v:g}" if isinstance(v, (float, np.floating)) else str(v) for v in ds[x].values])
    ax.set_yticks(range(ds.sizes[y]))
    ax.set_yticklabels([f"{v:g}" if isinstance(v, (float, np.floating)) else str(v) for v in ds[y].values])
    ax.set_xlabel(label(ds[x]))
    ax.set_ylabel(label(ds[y]))
    note = f"mean over {', '.join(averaged)}" if averaged else ""
    ax.set_title(f"{ds.attrs.get('protocol', '')}: {da.attrs.get('long_name', metric)}\n{note}", fontsize=9)
    if status is not None and int((status == 0).sum()):
        ax.text(1.0, -0.02, f"x: failed points ({int((status == 0).sum())})", transform=ax.transAxes,
                ha="right", va="top", fontsize=7, color="red")
    fig.tight_layout()
    return fig


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("archive")
    p.add_argument("--out")
    p.add_argument("--metric", help="data variable to draw (default: test_accuracy, final_loss, ... or the first numeric one)")
    p.add_argument("--x", help="swept parameter on the x axis")
    p.add_argument("--y", help="swept parameter on the y axis")
    args = p.parse_args(argv)
    use_style()
    ds = open_archive(args.archive)
    fig = make(ds, metric=args.metric, x=args.x, y=args.y)
    out = args.out or str(Path(args.archive).with_suffix("")) + "-heatmap.png"
    save(fig, out)
    print(f"figure: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
