"""ANN-to-SNN conversion (Rueckauer, Lungu, Hu, Pfeiffer & Liu 2017, Front. Neurosci. 11:682): a ReLU
multilayer perceptron trained with scikit-learn, converted to integrate-and-fire neurons with reset
by subtraction, biases as constant currents, data-based weight normalisation (maximum and 99.9th
percentile of the training activations); the test set in one build, accuracy against time steps.

    workbench run convert --set dataset=digits --set hidden=64 --out c.nc
    workbench run convert --set dataset=fashion-mnist --set hidden=500 --set n_test=1000 --out c.nc
    workbench run convert --set dataset=mitdb:../shared/data/mitdb --set records=100 --out beats.nc
    workbench figure convert-steps c.nc
    workbench run hardware --set source=c.nc --set weight_bits=8 --out hw.nc
"""
from brian2 import ms

from workbench.experiments import convert as cv
from workbench.networks.converted import INPUTS, NORMALISATIONS
from workbench.params import Param, ParameterError
from workbench.protocol import Protocol

# ---- parameters that define the result (the one place their defaults live)
PARAMS = {
    "dataset": Param("digits", "data set: digits, fashion-mnist, mnist, idx:DIR, or a biosignal spec (mitdb:DIR, "
                     "ucr:PATH, ...) whose samples become feature vectors"),
    "records": Param([], "mitdb: records to read (comma-separated; empty: every record in the folder)", kind=list),
    "fs": Param(0.0, "biosignals: resample to this rate (Hz) before cutting samples (0: as recorded)"),
    "n_train": Param(-1, "training samples (<= 0: all)"),
    "n_test": Param(-1, "test samples (<= 0: all)"),
    "train_fraction": Param(0.5, "training fraction where the data set has no split (stratified)"),
    "balance": Param("none", "training set: as is, or smaller classes oversampled (drawn with replacement) to the "
                     "largest class's count (the test set is never changed)", choices=("none", "oversample")),
    "hidden": Param([500], "hidden layer sizes (comma-separated; Rueckauer et al. 2017 convert MLPs and CNNs; "
                    "issue 13: 784-500-10)", kind=list),
    "alpha": Param(1e-4, "L2 penalty of the MLP (scikit-learn's default)"),
    "max_iter": Param(200, "most training epochs (scikit-learn's default)"),
    "validation_fraction": Param(0.1, "training data held out for early stopping (scikit-learn's default)"),
    "normalisation": Param(["percentile", "max"], "weight normalisations to test, the first is the archive's "
                           f"network and test_accuracy ({', '.join(NORMALISATIONS)}; Rueckauer et al. 2017)",
                           kind=list),
    "percentile": Param(99.9, "percentile of the training activations for 'percentile' (Rueckauer et al. 2017: "
                        "99.9; SpikingJelly's converter likewise)"),
    "input": Param("current", "input coding: constant current, Bernoulli/Poisson spikes with probability x per "
                   "step (Rueckauer et al. 2017, section 2.4), or one time-to-first-spike per input opening a "
                   "constant current (Rueckauer & Liu 2018 order: larger x spikes earlier)", choices=INPUTS),
    "steps": Param(200, "simulated time steps per sample (issue 13: accuracy at 50 and 200 steps)"),
    "record_every": Param(5, "steps between the recorded accuracies (divides steps)"),
    "dt": Param(1.0 * ms, "time step (the converted network is in steps; dt only sets the time axis)"),
    "batch": Param(0, "parallel network copies in the one build (0: automatic, up to 1024)"),
}


def run(params, ctx):
    p = params

    def seed(name):  # an integer seed (Brian2, scikit-learn) from the named random stream
        return int(ctx.stream(name).integers(2**31))

    for m in p.normalisation:
        if m not in NORMALISATIONS:
            raise ParameterError(f"normalisation={m!r}: use {', '.join(NORMALISATIONS)}")
    # data: feature vectors in [0, 1] (scaled by the training data)
    data = cv.load_data(p.dataset, p.n_train, p.n_test, ctx.stream("split"), records=p.records, fs=p.fs,
                        train_fraction=p.train_fraction, balance=p.balance)
    # train: the ReLU network, early stopping on a validation split of the training data
    clf = cv.train_ann(data, p.hidden, alpha=p.alpha, max_iter=p.max_iter,
                       validation_fraction=p.validation_fraction, seed=seed("ann"))
    # convert and test: every normalisation, the whole test set in one build
    nets, runs = cv.convert_and_test(clf, data, p.normalisation, percentile=p.percentile, steps=p.steps,
                                     record_every=p.record_every, input=p.input, dt=p.dt, batch=p.batch,
                                     backend=ctx.backend, seed=seed("brian"), threads=ctx.threads)
    how = (f"nothing chosen on the test set: the MLP stops early on a {p.validation_fraction:g} validation split of "
           f"the training data ({clf.n_iter_} epochs); normalisation scales are the maximum / "
           f"{p.percentile:g}th percentile of the training activations (Rueckauer et al. 2017, fixed, not tuned); "
           "every other setting is a fixed parameter"
           + ("; smaller classes oversampled in the training data only" if p.balance == "oversample" else ""))
    return cv.archive(clf, data, nets, runs, input=p.input, dt=p.dt, how_chosen=how)


PROTOCOL = Protocol("convert", PARAMS, run, default_backend="cpp_standalone", description="ReLU MLP (scikit-learn) "
                    "converted to IF neurons with reset by subtraction (Rueckauer et al. 2017): accuracy against "
                    "time steps, spikes and synaptic operations per inference.")
