"""Link load of the mesh: packets per inference through each router (sum over its outgoing links).

    python figures/hw_links.py hw.nc --out hw_links.png
"""
import sys


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    cx, cy = ds["core_x"].values, ds["core_y"].values
    # crop to the part of the mesh in use (cores and the host port at (0, 0)), with a margin of one router
    x1 = int(max(cx.max(initial=0), 1)) + 2
    y1 = int(max(cy.max(initial=0), 1)) + 2
    load = ds["link_load"].isel(mesh_x=slice(0, x1), mesh_y=slice(0, y1))
    fig, axes = plt.subplots(1, 5, figsize=(12, 3.0), gridspec_kw={"width_ratios": [1.3, 1, 1, 1, 1]})
    total = load.sum("direction").values.T  # (y, x)
    im = axes[0].imshow(total, origin="lower", cmap="viridis", vmin=0, vmax=max(float(total.max()), 1.0))
    if float(total.max()) == 0:
        axes[0].text(0.5, 0.5, "no inter-core traffic:\nall destinations on\nthe source core",
                     transform=axes[0].transAxes, ha="center", va="center", fontsize=7, color="w")
    axes[0].set_title("all links")
    fig.colorbar(im, ax=axes[0], label="packets per inference")
    axes[0].scatter(cx, cy, s=8, c="w", marker="s", label="cores used")
    axes[0].legend(fontsize=6, loc="upper right")
    for ax, d in zip(axes[1:], load["direction"].values):
        ax.imshow(load.sel(direction=d).values.T, origin="lower", cmap="viridis",
                  vmin=0, vmax=max(float(load.max()), 1.0))
        ax.set_title(f"{d} links")
    for ax in axes:
        ax.set_xlabel("mesh x")
        ax.set_ylabel("mesh y")
    fig.suptitle(f"{ds.attrs.get('chip')} mesh link load ({ds.attrs.get('mapping_method')} mapping, "
                 f"mean {float(ds['mean_hops']):.2f} hops/packet)")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
