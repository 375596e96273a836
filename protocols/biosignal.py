"""Biomedical signal classification: spike encoding, a liquid state machine (Maass, Natschläger &
Markram 2002) with a linear readout whose settings are chosen by inner cross-validation, compared in
the same run, over the same folds and several seeds, with non-spiking baselines (a logistic regression
on the raw signal, the readout on the input spikes, MiniRocket), with paired statistics.

    workbench run biosignal --set dataset=mitdb:../shared/data/mitdb --set model=lsm --set encoder=delta --out run.nc
    workbench run biosignal --set dataset=aeon:JapaneseVowels --set encoder=rate --set fs=100Hz --out jv.nc
    workbench run biosignal --set dataset=myo:../shared/data/emg-myo --out emg.nc   # participants held out
    workbench run biosignal --set dataset=edf:FOLDER --out eeg.nc                   # T1/T2 events, subjects held out
    workbench run biosignal --set dataset=mitdb:../shared/data/mitdb --set cv=segments --set repeats=5 --out m.nc
    workbench figure biosignal-encoding run.nc; workbench figure biosignal-raster run.nc
    workbench figure biosignal-confusion run.nc; workbench figure biosignal-size run.nc
"""
from brian2 import Hz, ms

from workbench.encoders import ENCODERS
from workbench.experiments import biosignal as bio
from workbench.params import Param
from workbench.protocol import Protocol

# ---- parameters that define the result (the one place their defaults live)
PARAMS = {
    # data
    "dataset": Param("synthetic-ecg", "mitdb:DIR, mitdb:download, ucr:PATH, aeon:NAME or synthetic-ecg"),
    "records": Param((), "MIT-BIH records (comma-separated; empty: all in the folder)", kind=list),
    "split": Param("auto", "MIT-BIH split (de Chazal et al. 2004 inter-patient DS1/DS2, time, record)",
                   choices=("auto", "interpatient", "time", "record")),
    "train_fraction": Param(0.5, "MIT-BIH time split: fraction of each record's beats for training"),
    "classes": Param((), "MIT-BIH AAMI classes to keep (empty: every class with >= 2 beats)", kind=list),
    "synthetic_per_class": Param(20, "synthetic-ecg: samples per class"),
    "max_samples": Param(0, "use a random subset of this many samples (0: all)"),
    "cv": Param("auto", "folds: auto (the data's split; else subjects held out where samples have subjects -- Myo "
                "participants, EDF subjects; else stratified), given, stratified, group-kfold, leave-one-group-out, "
                "segments (contiguous time blocks of every record)",
                choices=("auto", "given", "stratified", "group-kfold", "leave-one-group-out", "segments")),
    "cv_folds": Param(5, "folds of k-fold CV (rare classes: scikit-learn's warning, and the archive names the "
                         "folds that lack a class)"),
    "repeats": Param(1, "repeat the evaluation with new seeds (liquid, shuffled folds, MiniRocket), paired statistics "
                        "over all (repeat, fold) test parts"),
    "inner_folds": Param(3, "inner CV folds on each fold's training samples for the choices (grids below)"),
    "fs_data": Param(0 * Hz, "resample MIT-BIH records to this rate before cutting beats (0: keep 360 Hz)"),
    "fs": Param(0 * Hz, "presentation rate of the samples (0: the data's own rate)"),
    "n_time": Param(0, "resample every sample to this many points (0: keep; unequal lengths padded)"),
    "sample_duration": Param(0 * ms, "files without a rate (UCR): the longest sample lasts this long (0: refuse "
                                     "unless fs_data or fs is given)"),
    "rr_features": Param("auto", "RR intervals (previous, next, local, record average; de Chazal et al. 2004) beside "
                         "the morphology in every readout: auto (when the data carry them: MIT-BIH), on, off",
                         choices=("auto", "on", "off")),
    # encoding (workbench.encoders)
    "encoder": Param("delta", "spike encoder", choices=ENCODERS),
    "threshold": Param(0.2, "delta / sigma-delta threshold in units of the channel's SD"),
    "oversample": Param(4, "sigma-delta oversampling factor"),
    "max_rate": Param(200 * Hz, "maximum rate (filterbank, rate, BSA)"),
    "bsa_cutoff": Param(20 * Hz, "cut-off of Ben's Spiker Algorithm's filter (BSA: Schrauwen & Van Campenhout 2003)"),
    "band_low": Param(1 * Hz, "filter bank: lowest band edge"),
    "band_high": Param(40 * Hz, "filter bank: highest band edge"),
    "n_bands": Param(4, "filter bank: number of log-spaced bands"),
    # model: the liquid (workbench.networks.liquid; constants of Maass et al. 2002) and its readout
    "model": Param("lsm", "spiking model (workbench.experiments.biosignal_models: lsm, eprop)"),
    "extra_models": Param((), "more spiking models compared in the same run (e.g. eprop)", kind=list),
    "baselines": Param(("raw", "input", "minirocket"), "non-spiking baselines (raw signal, input spikes, MiniRocket: "
                       "Dempster et al. 2021)", kind=list),
    "minirocket_kernels": Param(10000, "MiniRocket kernels (Dempster et al. 2021: 10,000)"),
    "chunk": Param(1024, "samples per liquid simulation (progress per chunk; 0: all at once)"),
    "grid_input_scale": Param((0.5, 1.0, 2.0), "input_scale values tried by inner CV (empty: input_scale)", kind=list),
    "grid_weight_scale": Param((), "weight_scale values tried by inner CV (empty: weight_scale)", kind=list),
    "grid_tau_readout": Param((), "tau_readout values tried by inner CV, e.g. 30ms,100ms (empty: tau_readout)",
                              kind=list),
    "grid_readout_input": Param(("off", "on"), "readout of the liquid only (off) or of the liquid and the input "
                                "spikes (on), tried by inner CV", kind=list),
    "grid_readout_blocks": Param(("pooled", "equal"), "every readout of several feature blocks (liquid, input spikes, "
                                 "RR intervals, raw signal, MiniRocket features): all standardised together (pooled) "
                                 "or each block given the same total variance (equal; workbench.readout.blocks), "
                                 "tried by inner CV", kind=list),
    "shape": Param([15, 3, 3], "liquid grid, 3 ints (Maass et al. 2002: 15 x 3 x 3)", kind=list),
    "lam": Param(2.0, "liquid connection length scale lambda (Maass et al. 2002: 2)"),
    "p_in": Param(0.3, "probability an input channel projects to a liquid neuron"),
    "input_scale": Param(1.0, "factor on the input synapses (1: 18/9 nA, Maass et al. 2002)"),
    "weight_scale": Param(1.0, "factor on the recurrent synapses (1: Maass et al. 2002)"),
    "dt": Param(0.1 * ms, "integration time step"),
    "batch": Param(0, "parallel liquid copies in the one network (0: automatic)"),
    "readout": Param("ridge", "linear readout (Maass et al. 2002: linear regression)", choices=("ridge", "logistic")),
    "class_weight": Param("balanced", "readout sample weights: balanced (inverse class frequency) or none",
                          choices=("balanced", "none")),
    "n_readout": Param(0, "readout times per sample, states concatenated (0: one per tau_readout)"),
    "tau_readout": Param(30 * ms, "readout filter time constant (Maass et al. 2002: 30 ms)"),
    "raw_points": Param(0, "raw baseline: points per channel (0: every presented point)"),
    "raw_readout": Param("logistic", "raw baseline's readout (scikit-learn; C or alpha by CV on training samples)",
                         choices=("ridge", "logistic")),
    "liquid_sizes": Param((), "also run these liquid sizes (neurons, rounded to n x 3 x 3)", kind=list),
}


def run(params, ctx):
    p = params
    sset = bio.load_data(p.dataset, records=p.records, split=p.split, train_fraction=p.train_fraction,  # data
                         classes=p.classes, per_class=p.synthetic_per_class, fs_data=p.fs_data,
                         max_samples=p.max_samples, seed=int(ctx.stream("data").integers(2**31)),
                         rng=ctx.stream("subsample"), fs=p.fs, sample_duration=p.sample_duration)
    data = bio.encode_dataset(sset, p, folds_rng=ctx.stream("folds"), rng=ctx.stream("encoding"),  # spikes
                              progress=ctx.progress_bar)
    models = bio.compared_models(p)  # the spiking model(s) first, then the baselines
    runs = []
    for r in range(p.repeats):  # each repeat: its folds (when shuffled), liquid and seeds; the same data
        rctx = bio.RepeatContext(ctx, r)
        data_r = bio.with_folds(data, sset, p, rctx.stream("folds"))
        runs.append((data_r, {name: fit(data_r, p, rctx) for name, fit in models.items()}))  # trained, tested
    data, results = bio.merge_repeats(runs)
    sizes = bio.size_sweep(runs[0][0], p, ctx, p.liquid_sizes) if p.liquid_sizes and p.model == "lsm" else None
    return bio.archive(sset, data, results, p.model, sizes, params=p)


PROTOCOL = Protocol("biosignal", PARAMS, run, default_backend="cpp_standalone", description="Classify physiological "
                    "signals: encode into spikes, LSM + linear readout, raw/input baselines.")
