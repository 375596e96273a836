"""The validation study behind the biosignal readout's feature blocks (``grid_readout_blocks``); test parts unread.

Before it, the biosignal readout standardised every feature together and fitted one ridge penalty
(leave-one-out) over the liquid's filtered spike trains and, where its inner CV picked it, the input
spikes filtered alike beside them (now ``grid_readout_blocks=pooled``).  On MIT-BIH record 100 the input spikes
alone are a near-perfect readout, yet the readout of liquid and input together scored like the liquid
alone in 27 of the 30 inner-CV comparisons of ``bio_mitdb100``: ten input features beside 2,700
liquid features barely move a ridge fit with one penalty.  Here the readout is the protocol's
(:func:`workbench.readout.blocks.fit_block_classifier`, its ridge penalties and balanced class
weights): each feature block (liquid, input spikes, and the RR intervals where the data carry them)
is standardised and then scaled to the same total variance, the input block by a further weight
``w``, so that one penalty gives each block the same prior share, the input ``w**2`` times more.
Rows for the RR intervals alone and for the input spikes with the RR intervals as blocks separate
what the liquid and input spikes add from what upweighting the RR intervals does.  The protocol's
raw-signal baseline (:func:`workbench.experiments.biosignal_models.raw_baseline`, its RR block
scaling fixed to pooled or equal) is scored on the same splits for reference.  The protocol now lets
every readout's inner CV choose between pooled and equal blocks (``grid_readout_blocks``); this study
shows what each choice does on the validation splits.

Per data set: one liquid (the settings that the inner CV of the data set's study chose most often
before this readout: ``bio_mitdb100`` for record 100, variant v9 of ``bio_jv_validation`` for
JapaneseVowels), simulated on every sample as the protocol does (no labels); the readout variants
are scored on 3 inner folds of every outer fold's training part only
(:func:`workbench.datasets.splits.inner_folds`), so nothing is measured on a test part.  Written to
``benchmarks/results/bio_readout_blocks.nc``.

    python benchmarks/bio_readout_blocks.py --workdir /tmp/jv-validation
"""
import argparse
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import ROOT, write_result  # noqa: E402
from bio_jv_validation import write_training_ts  # noqa: E402

from workbench.datasets.splits import inner_folds  # noqa: E402
from workbench.encoders import flatten  # noqa: E402
from workbench.experiments import biosignal as bio  # noqa: E402
from workbench.experiments import biosignal_models as bm  # noqa: E402
from workbench.networks.liquid import make_liquid  # noqa: E402
from workbench.protocol import RunContext, load_protocol  # noqa: E402
from workbench.readout import classification_metrics  # noqa: E402
from workbench.readout.blocks import fit_block_classifier  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
#: name -> (protocol parameters, backend, (input scale, recurrent scale, readout tau in ms) of the liquid)
STUDIES = {
    "jv": (dict(fs_data="100Hz", encoder="rate", cv="stratified", cv_folds=3, repeats=1, shape="15,6,6",
                fs="200Hz", n_time=52), "cpp_standalone", (1.0, 0.5, 100.0)),
    "mitdb100": (dict(dataset=f"mitdb:{DATA / 'mitdb'}", records=("100",), cv="segments", cv_folds=5, repeats=1,
                      chunk=1135, n_readout=5, shape="15,6,6"), "cpp_standalone", (1.0, 1.0, 100.0)),
}
WEIGHTS = (1, 2, 4, 8)
#: variant -> (the blocks it reads, "pooled" (standardised together) or "equal" (each block the same total
#: variance), the input block's weight); the RR intervals ("extra") are read where the data carry them
VARIANTS = {"liquid": (("liquid", "extra"), "pooled", 1), "liquid and input": (("liquid", "input", "extra"), "pooled", 1),
            "input": (("input", "extra"), "pooled", 1), "RR intervals": (("extra",), "pooled", 1),
            "liquid, blocks": (("liquid", "extra"), "equal", 1), "input, blocks": (("input", "extra"), "equal", 1),
            **{f"blocks, input x{w}": (("liquid", "input", "extra"), "equal", w) for w in WEIGHTS}}


def block_readout(blocks, a, b, y, variant, class_weight):
    """Predictions for samples ``b`` of the protocol's ridge readout (:func:`workbench.readout.blocks.fit_block_classifier`,
    the protocol's class weights) trained on samples ``a`` of the variant's blocks (``blocks``: name ->
    (sample, feature)); None where the data lack the variant's blocks."""
    names, how, w = VARIANTS[variant]
    names = [k for k in names if k in blocks]
    if not names or (how == "equal" and len(names) < 2):
        return None
    X = [blocks[k] for k in names]
    weights = None if how == "pooled" else [w if k == "input" else 1 for k in names]
    return fit_block_classifier([x[a] for x in X], y[a], [x[b] for x in X], weights=weights, pooled=how == "pooled",
                                class_weight=class_weight).y_pred


def scores(preds, labels, splits):
    """(accuracy, balanced accuracy), each the mean over the splits."""
    m = [classification_metrics(labels[b], pred) for pred, (_, b) in zip(preds, splits)]
    return np.mean([x["accuracy"] for x in m]), np.mean([x["balanced_accuracy"] for x in m])


def study(name, workdir):
    """Validation accuracy of every variant (mean over the inner folds of every outer training part)."""
    params, backend, (i_s, w_s, tau) = STUDIES[name]
    params = dict(params)
    if name == "jv":
        Path(workdir).mkdir(parents=True, exist_ok=True)
        params["dataset"] = f"ucr:{write_training_ts(Path(workdir) / 'JVtrain.ts')}"
    p = load_protocol("biosignal").resolve(params)
    ctx = RunContext(protocol="biosignal", backend=backend, seed=0)
    sset = bio.load_data(p.dataset, records=p.records, split=p.split, train_fraction=p.train_fraction,
                         classes=p.classes, per_class=p.synthetic_per_class, fs_data=p.fs_data,
                         max_samples=p.max_samples, seed=int(ctx.stream("data").integers(2**31)),
                         rng=ctx.stream("subsample"), fs=p.fs, sample_duration=p.sample_duration)
    data = bio.encode_dataset(sset, p, folds_rng=ctx.stream("folds"), rng=ctx.stream("encoding"),
                              progress=ctx.progress_bar)
    n = len(data.spikes)
    liquid = make_liquid(tuple(int(k) for k in p.shape), data.n_in, rng=ctx.stream("liquid"), lam=p.lam, p_in=p.p_in,
                         input_scale=i_s, weight_scale=w_s)
    run = bm._simulate_chunks(liquid, data, p, ctx, bm._seed(ctx, "liquid_initial_state"), [tau],
                              keep=np.empty(0, np.int64))
    blocks = {"liquid": run["states"][tau],
              "input": bm._states(*flatten(data.spikes), n, data.n_in, data.duration_ms, p, tau)}
    if data.extra is not None:
        blocks["extra"] = data.extra
    rng = np.random.default_rng(0)
    splits = [ab for tr, _ in data.folds
              for ab in inner_folds(data.labels, tr, data.groups, n_splits=3, rng=rng)]
    acc, cw = {}, None if p.class_weight == "none" else p.class_weight
    for v in VARIANTS:
        preds = [block_readout(blocks, a, b, data.labels, v, cw) for a, b in splits]
        if preds[0] is not None:
            acc[v] = scores(preds, data.labels, splits)
            print(f"{name}: {v}: accuracy {acc[v][0]:.4f}, balanced {acc[v][1]:.4f}", flush=True)
    for mode in ("pooled", "equal"):  # the protocol's raw-signal baseline (RR block scaling fixed), inner splits
        pm = load_protocol("biosignal").resolve(dict(params, grid_readout_blocks=mode))
        raw = bm.raw_baseline(replace(data, folds=splits), pm, ctx)
        acc[f"raw signal, {mode}"] = scores(raw.predictions, data.labels, splits)
        print(f"{name}: raw signal, {mode}: accuracy {acc[f'raw signal, {mode}'][0]:.4f}", flush=True)
        if data.extra is None:
            break
    sizes = [blocks[k].shape[1] for k in ("liquid", "input")]
    return acc, sizes, len(splits)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", default="/tmp/jv-validation", help="where the JapaneseVowels training .ts goes")
    ap.add_argument("--only", choices=sorted(STUDIES), action="append", help="run only these studies")
    a = ap.parse_args(argv)
    values, config = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in a.only or STUDIES:
            acc, sizes, n_splits = study(name, a.workdir)
            for v, (x, bal) in acc.items():
                key = v.replace(", input x", "_x").replace(" and ", "_").replace(", ", "_").replace(" ", "_")
                values[f"{name}_{key}"] = (float(x), "1", f"validation accuracy, {name}, readout of {v}")
                values[f"{name}_{key}_balanced"] = (float(bal), "1", f"validation balanced accuracy, {name}, {v}")
            values[f"{name}_liquid_features"] = (float(sizes[0]), "1", f"liquid features ({name})")
            values[f"{name}_input_features"] = (float(sizes[1]), "1", f"input-spike features ({name})")
            values[f"{name}_inner_splits"] = (float(n_splits), "1", f"inner validation splits ({name})")
            config[name] = dict(STUDIES[name][0], backend=STUDIES[name][1],
                                liquid="input_scale={},weight_scale={},tau_readout={}ms".format(*STUDIES[name][2]))
    write_result("bio_readout_blocks", values, protocols=["biosignal"], config=dict(config, seed=0),
                 how_chosen="validation only: 3 inner folds of every outer fold's training part; no test part is "
                            "scored; the liquid settings are those the studies' own inner CV chose most often")


if __name__ == "__main__":
    sys.exit(main())
