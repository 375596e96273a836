"""Comparison study of a biosignal archive: accuracy and balanced accuracy of every model on the same
(repeat, fold) test parts, each test part a grey line across the models, mean and SD in black, and the
paired Wilcoxon p-value of the spiking model against each other model.

    python figures/biosignal_study.py run.nc --out study.png
"""
import sys

import numpy as np


def _p_text(p):
    if not np.isfinite(p):
        return ""
    return "p<0.001" if p < 0.001 else f"p={p:.2g}"


def make(ds):
    from workbench.plotting import use_style

    plt = use_style()
    names = [str(m) for m in ds["model"].values]
    main = names[0]
    metrics = [("fold_accuracy", "accuracy", "test accuracy"),
               ("fold_balanced_accuracy", "balanced_accuracy", "balanced accuracy")]
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.2), sharey=False)
    x = np.arange(len(names))
    for ax, (var, key, title) in zip(axes, metrics):
        scores = ds[var].values  # (model, fold)
        for f in range(scores.shape[1]):
            ax.plot(x, scores[:, f], "-", color="0.75", lw=0.8, zorder=1)
        jitter = np.linspace(-0.08, 0.08, scores.shape[1]) if scores.shape[1] > 1 else np.zeros(1)
        for m in range(len(names)):
            ax.plot(x[m] + jitter, scores[m], "o", ms=3.5, color=f"C{m}", alpha=0.8, zorder=2)
        mean = scores.mean(1)
        sd = scores.std(1, ddof=1) if scores.shape[1] > 1 else np.zeros(len(names))
        ax.errorbar(x + 0.22, mean, yerr=sd, fmt="s", color="k", ms=4, capsize=3, zorder=3)
        pv = ds[f"paired_{key}_wilcoxon_p"].values if f"paired_{key}_wilcoxon_p" in ds else np.full(len(names), np.nan)
        top = np.nanmax(scores)
        for m in range(1, len(names)):
            ax.text(x[m], 1.01, _p_text(pv[m]), ha="center", va="bottom", fontsize=7,
                    transform=ax.get_xaxis_transform())
        ax.set_xticks(x, names, rotation=20)
        ax.set_xlim(-0.5, len(names) - 0.3)
        lo = np.nanmin(scores)
        ax.set_ylim(max(0.0, lo - 0.05), min(1.0, top + 0.03) + 0.01)
        ax.set_ylabel(title)
    n_pairs = ds.sizes["fold"]
    rep = int(ds.attrs.get("repeats", 1))
    fig.suptitle(f"{ds.attrs.get('dataset', '')}: {ds.attrs.get('folds', '')}, {rep} repeat(s), {n_pairs} paired test "
                 f"parts\n(grey: one test part; black: mean and SD; p: paired Wilcoxon vs {main})", fontsize=8)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    from workbench.figures_main import figure_main

    sys.exit(figure_main(make, __doc__))
