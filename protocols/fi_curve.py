"""f-I curves of every neuron model in the library (constant current, 1 s per step).

Checks the LIF rate against its analytic form 1/(t_ref + tau ln(RI/(RI - theta)))
(Gerstner, Kistler, Naud & Paninski 2014, Neuronal Dynamics, ch. 1.3).

    workbench run fi-curve --out fi.nc
    workbench figure fi-curves fi.nc
"""
from brian2 import ms, nA, pA, second

from workbench.experiments import fi_curve as fi
from workbench.params import Param
from workbench.protocol import Protocol

#: upper end of each model's current range: from below rheobase to fast firing (workbench choice; 1 nA for
#: models not listed)
I_MAX = {
    "if": 500 * pA, "lif": 600 * pA, "lif_cond": 600 * pA, "alif": 600 * pA,
    "diehl_cook_exc": 60 * pA, "diehl_cook_inh": 100 * pA, "adex": 800 * pA,
    "izhikevich": 20 * nA, "hh_traub": 1 * nA, "escape_lif": 600 * pA,
}

# ---- parameters that define the result (the one place their defaults live)
PARAMS = {
    "models": Param((), "neuron models (workbench.models names, comma-separated; empty: all registered)", kind=list),
    "n_currents": Param(25, min=1, doc="current steps per model, 0 to I_MAX x current_scale"),
    "duration": Param(1 * second, min=0 * second, min_open=True,
                      doc="simulated time per current step (rate resolution 1/duration)"),
    "dt": Param(0.05 * ms, "integration time step"),
    "current_scale": Param(1.0, min=0, doc="scale of every model's current range I_MAX"),
}


def run(params, ctx):
    names = fi.model_names(params.models)                                            # the models
    currents = fi.current_steps(names, params.n_currents, I_MAX, params.current_scale)  # data: current steps
    rates = fi.measure_rates(currents, params.duration, params.dt,                    # network + simulation
                             backend=ctx.backend, seed=ctx.seed, threads=ctx.threads)
    return fi.archive(currents, rates, params.duration)                             # archive


PROTOCOL = Protocol("fi-curve", PARAMS, run, description=__doc__.splitlines()[0], default_backend="numpy")
