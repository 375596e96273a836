"""Measured STDP windows of the plasticity rules, and the triplet rule's frequency dependence.

Pair rules (additive / multiplicative, all-to-all / nearest), triplet STDP and the stochastic binary
rule, one pairing per delta_t (1000 synapses for the stochastic rule), each against its definition
evaluated event by event in numpy; triplet STDP also with 60 pairings at +-10 ms and 0.1-50 Hz
(Pfister & Gerstner 2006, J. Neurosci. 26:9673, Fig. 4; the protocol of Sjostrom et al. 2001).
The 0.1 Hz protocol simulates 600 s, so the default backend is cpp_standalone (one build).

    workbench run stdp-window --out stdp.nc
    workbench figure stdp-window stdp.nc
"""
from brian2 import Hz, ms

from workbench.experiments import stdp_window as sw
from workbench.params import Param
from workbench.protocol import Protocol

# ---- parameters that define the result (the one place their defaults live)
PARAMS = {
    "rules": Param((), "plasticity rules (comma-separated; empty: " + ", ".join(sw.RULES) + ")", kind=list),
    "delta_t_max": Param(100 * ms, "largest |t_post - t_pre| of the window"),
    "delta_t_step": Param(5 * ms, "spacing of the delta_t grid (0 is left out)"),
    "n_pairs": Param(1, "pairings per window point (1: the window of single pairings)"),
    "pairing_frequency": Param(1 * Hz, "repetition frequency of the window pairings"),
    "w_init": Param(0.5, "initial weight of the deterministic rules (w_max = 1)"),
    "n_trials": Param(1000, "synapses per delta_t for the stochastic binary rule (its mean switching rate)"),
    "triplet_frequencies": Param(("0.1", "10", "20", "40", "50"),
                                 "pairing frequencies (Hz) of the triplet protocol (Pfister & Gerstner 2006, Fig. 4)",
                                 kind=list),
    "triplet_pairs": Param(60, "pairings per frequency (Pfister & Gerstner 2006, Fig. 4; Sjostrom et al. 2001)"),
    "triplet_delta_t": Param(10 * ms, "|t_post - t_pre| of the triplet protocol (Pfister & Gerstner 2006, Fig. 4)"),
    "triplet_w_max": Param(100.0, "weight bound of the triplet protocol (far away: the fits have no bounds)"),
    "dt": Param(0.1 * ms, "integration time step (spike times are on this grid)"),
}


def run(params, ctx):
    rules = sw.rule_names(params.rules)
    sw.check_weights(params.w_init, params.triplet_w_max)
    grid = sw.window_grid(params.delta_t_max, params.delta_t_step)                 # delta_t of the window
    triplet_f = params.triplet_frequencies if "triplet_stdp" in rules else ()
    pairings = sw.pairing_table(grid, params.n_pairs, params.pairing_frequency, params.dt,   # spike pairings
                                triplet_f, params.triplet_pairs, params.triplet_delta_t)
    sim = sw.simulate(rules, pairings, w_init=params.w_init, n_trials=params.n_trials,      # network + run
                      triplet_w_max=params.triplet_w_max, dt=params.dt, backend=ctx.backend, seed=ctx.seed,
                      threads=ctx.threads)
    return sw.archive(rules, pairings, sim, w_init=params.w_init, n_trials=params.n_trials,  # measured vs rule
                      triplet_w_max=params.triplet_w_max, triplet_pairs=params.triplet_pairs, n_pairs=params.n_pairs)


PROTOCOL = Protocol("stdp-window", PARAMS, run, description=__doc__.splitlines()[0],
                    default_backend="cpp_standalone")
