"""Liquid state machine of Maass, Natschläger & Markram 2002 (Neural Comput. 14:2531): the
separation property (their Fig. 2) and classification of jittered spike templates by a linear readout.

    workbench run lsm --out lsm.nc
    workbench figure lsm-separation lsm.nc; workbench figure lsm-templates lsm.nc

Fig. 2's settings as transcribed in Brian2's examples/frompapers/Maass_Natschlaeger_Markram_2002.py.
"""
import numpy as np
from brian2 import Hz, ms

from workbench.experiments import lsm
from workbench.networks.liquid import make_liquid, simulate
from workbench.params import Param
from workbench.protocol import Protocol

# ---- parameters that define the result (the one place their defaults live)
PARAMS = {
    "shape": Param([15, 3, 3], "liquid grid, 3 ints (Maass et al. 2002: 15 x 3 x 3 = 135 neurons)", kind=list),
    "lam": Param(2.0, "connection length scale lambda, grid units (Maass et al. 2002, appendix)"),
    "p_in": Param(0.3, "probability an input channel projects to a liquid neuron (templates; Fig. 2: 1)"),
    "dt": Param(0.1 * ms, "integration time step (Fig. 2: 0.1 ms)"),
    "duration": Param(500 * ms, "length of each separation stimulus (Fig. 2: 500 ms)"),
    "rate": Param(20 * Hz, "Poisson rate of the input spike trains (Fig. 2: 20 Hz)"),
    "input_distances": Param([0.4, 0.2, 0.1], "target input distances d(u,v) (Fig. 2; 0 is always added)",
                             kind=list),
    "n_pairs": Param(20, "stimulus pairs per input distance (Fig. 2: 200)"),
    "state_step": Param(5 * ms, "time step of the state-distance curves"),
    "tau_readout": Param(30 * ms, "time constant of the readout's exponential filter (Maass et al.: 30 ms)"),
    "n_classes": Param(2, "jittered templates (classes)"),
    "template_channels": Param(4, "input spike trains per template"),
    "template_duration": Param(250 * ms, "length of a template"),
    "jitter": Param(4 * ms, "Gaussian jitter (SD) of template spikes"),
    "shared_after": Param(100 * ms, "templates share their spikes after this time (0: never): later readouts "
                          "need the liquid's memory"),
    "samples_per_class": Param(100, "jittered samples per class"),
    "train_fraction": Param(0.7, "fraction of samples used for training the readout"),
    "n_readout_times": Param(10, "readout times spread over the template"),
    "batch": Param(0, "parallel liquid copies in the one network (0: automatic)"),
}


def run(params, ctx):
    p = params

    def seed(name):  # an integer seed (Brian2, scikit-learn) from the named random stream
        return int(ctx.stream(name).integers(2**31))

    # data: pairs of one-channel Poisson trains at target distances; jittered templates
    sep = lsm.separation_stimuli(ctx.stream("separation_inputs"), p.input_distances, p.n_pairs, p.rate,
                                 p.duration, p.dt)
    tmpl = lsm.template_stimuli(ctx.stream("template_inputs"), p.n_classes, p.template_channels,
                                p.samples_per_class, p.rate, p.template_duration, p.dt, p.jitter,
                                p.shared_after if p.shared_after > 0 * ms else None)
    # network: one liquid per experiment (one input neuron projecting everywhere, as in Fig. 2)
    liq_sep = make_liquid(p.shape, 1, rng=ctx.stream("liquid_separation"), lam=p.lam, p_in=1.0)
    liq_tmpl = make_liquid(p.shape, p.template_channels, rng=ctx.stream("liquid_templates"), lam=p.lam,
                           p_in=p.p_in)
    # simulate: every stimulus of an experiment in one build
    kw = dict(dt=p.dt, backend=ctx.backend, batch=p.batch, threads=ctx.threads)
    run_sep = simulate(liq_sep, sep.inputs, p.duration, seed=seed("brian_separation"), **kw)
    run_tmpl = simulate(liq_tmpl, tmpl.inputs, p.template_duration, seed=seed("brian_templates"), **kw)
    # test: state distance over time; readout accuracy over the template
    t_grid = np.arange(0, float(p.duration / ms), float(p.state_step / ms))
    dist_t = lsm.state_distances(run_sep, t_grid, p.tau_readout)
    T = float(p.template_duration / ms)
    r_times = np.linspace(T / p.n_readout_times, T, p.n_readout_times)
    acc_l, acc_i = lsm.template_accuracies(run_tmpl, tmpl.labels, r_times, p.tau_readout, p.train_fraction,
                                           seed("readout"))
    return lsm.archive(sep, dist_t, t_grid, tmpl, acc_l, acc_i, r_times, run_sep, run_tmpl, len(liq_sep.pre))


PROTOCOL = Protocol("lsm", PARAMS, run, default_backend="cpp_standalone", description="Maass et al. 2002 liquid: "
                    "separation property (Fig. 2) and jittered-template classification.")
