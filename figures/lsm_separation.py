"""Separation property (Maass et al. 2002, Fig. 2): liquid state distance over time for input
pairs at several input distances d(u,v); d = 0 is the same input from different initial states.

    python figures/lsm_separation.py lsm.nc --out sep.png   (or: workbench figure lsm-separation lsm.nc)
"""
import sys

from workbench.plotting import label


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(7.5, 3.0))
    styles = ["-", "--", "-.", ":"]
    for k, d in enumerate(ds["input_distance"].values[::-1]):
        ax.plot(ds["time"], ds["state_distance"].sel(input_distance=d), ls=styles[k % 4], color="k",
                label=f"d(u,v) = {d:g}")
    ax.set_xlabel(label(ds["time"]))
    ax.set_ylabel("state distance")
    ax.legend(frameon=False)
    ax.set_title("state distance vs time")
    mean_pair = ds["pair_state_distance"].mean("time")
    ax2.plot(ds["pair_input_distance"], mean_pair, ".", ms=3)
    ax2.set_xlabel(label(ds["pair_input_distance"]))
    ax2.set_ylabel("time-averaged state distance")
    ax2.set_title("each pair")
    fig.suptitle(f"LSM separation property ({int(ds['n_synapses'])} synapses, "
                 f"{float(ds['liquid_rate']):.1f} Hz mean rate)")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
