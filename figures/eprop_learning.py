"""Learning curves of an e-prop run (loss; NMSE, or accuracy with validation and the kept weights; firing rate
and learning rate) from an eprop archive.

    python figures/eprop_learning.py run.nc --out learning.png   (or: workbench figure eprop-learning run.nc)
"""
import sys

from workbench.figures_main import figure_main
from workbench.plotting import label, use_style


def make(ds):
    plt = use_style()
    task = ds.attrs.get("task", "pattern")
    fig, axes = plt.subplots(1, 3, figsize=(9.5, 2.8))
    it = ds["iteration"]
    axes[0].plot(it, ds["loss"], lw=1)
    if task == "pattern":
        axes[0].set_yscale("log")
    axes[0].set_ylabel(label(ds["loss"]) if task != "pattern" else "loss")
    axes[0].set_title("loss")
    if task == "pattern":
        axes[1].plot(it, ds["nmse"], lw=1)
        axes[1].set_yscale("log")
        axes[1].set_ylabel(label(ds["nmse"]))
        axes[1].set_title(f"final NMSE {float(ds['final_nmse']):.3g}, loss {float(ds['final_loss']):.3g}")
    else:
        axes[1].plot(it, ds["accuracy"], lw=0.8, alpha=0.6, label="training batch")
        if "validation_accuracy" in ds:
            axes[1].plot(ds["validation"], ds["validation_accuracy"], "o", ms=2.5, label="validation")
        if "validation_accuracy_smoothed" in ds:
            axes[1].plot(ds["validation"], ds["validation_accuracy_smoothed"], "-", lw=1.2,
                         label="validation, smoothed")
        if "chosen_iteration" in ds:
            axes[1].axvline(int(ds["chosen_iteration"]), color="0.5", ls=":", lw=1, label="kept weights")
        axes[1].axhline(float(ds["test_accuracy"]), color="k", ls="--", lw=1,
                        label=f"test {float(ds['test_accuracy']):.2f}")
        axes[1].set_ylim(0, 1.02)
        axes[1].set_ylabel("accuracy")
        axes[1].legend(loc="lower right")
    axes[2].plot(it, ds["firing_rate"], lw=1)
    axes[2].set_ylabel(label(ds["firing_rate"]))
    if "learning_rate" in ds and len(set(ds["learning_rate"].values.tolist())) > 1:
        lr_ax = axes[2].twinx()
        lr_ax.plot(it, ds["learning_rate"], color="C3", lw=1)
        lr_ax.set_yscale("log")
        lr_ax.set_ylabel("learning rate", color="C3")
    for ax in axes:
        ax.set_xlabel(label(ds["iteration"]))
    fig.suptitle(f"e-prop, {task} task ({ds.attrs.get('backend')}, seed {ds.attrs.get('seed')})")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    sys.exit(figure_main(make, __doc__))
