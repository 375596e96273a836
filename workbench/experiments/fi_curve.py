"""f-I curves: firing rate under constant current for every neuron model.

Each model gets ``n_currents`` neurons driven by constant currents from 0 to
its ``I_max`` (a model-specific range that covers rheobase to fast firing,
scaled by ``current_scale``); all models run in one network, so one
standalone build covers them all.  For ``lif`` the analytic rate
``1/(t_ref + tau_m*ln(R*I/(R*I - theta)))`` is stored beside the measurement.
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from brian2 import Network, SpikeMonitor, defaultclock, ms, nA, pA, second

from .. import models
from ..backends import Simulation, model_key, use_backend
from ..params import Param
from ..protocol import Protocol

__all__ = ["PROTOCOL", "I_MAX", "lif_rate"]

#: Upper end of the current range per model (covers rheobase to fast firing).
I_MAX = {
    "if": 500 * pA, "lif": 600 * pA, "lif_cond": 600 * pA, "alif": 600 * pA,
    "diehl_cook_exc": 60 * pA, "diehl_cook_inh": 100 * pA, "adex": 800 * pA,
    "izhikevich": 20 * nA, "hh_traub": 1 * nA, "escape_lif": 600 * pA,
}


def lif_rate(I, tau_m, R_m, theta, t_ref):
    """Analytic firing rate of the LIF neuron with reset to rest (Hz; 0 below rheobase)."""
    I = np.asarray(I / pA) * pA
    drive = R_m * I
    rate = np.zeros(len(I))
    above = np.asarray(drive > theta)
    rate[above] = 1.0 / np.asarray(
        (t_ref + tau_m * np.log(drive[above] / (drive[above] - theta))) / second)
    return rate


def _run(params, ctx):
    names = list(params.models) if params.models else sorted(models.NEURONS)
    unknown = [n for n in names if n not in models.NEURONS]
    if unknown:
        raise ValueError(f"models: unknown neuron model(s) {unknown}; known: {sorted(models.NEURONS)}")
    n = params.n_currents
    key = model_key("fi_curve", names, n, params.dt, params.duration, params.current_scale)
    with use_backend(ctx.backend, key=key, seed=ctx.seed, threads=ctx.threads) as be:
        defaultclock.dt = params.dt
        groups, monitors, currents = {}, {}, {}
        for name in names:
            model = models.neuron(name)
            G = models.neuron_group(model, n, name=f"fi_{name}")
            I = np.linspace(0, 1, n) * I_MAX.get(name, 1 * nA) * params.current_scale
            G.I = I
            groups[name] = G
            currents[name] = np.asarray(I / pA)
            monitors[name] = SpikeMonitor(G, name=f"spikes_{name}")
        net = Network(list(groups.values()) + list(monitors.values()))
        sim = Simulation(net, params.duration, be)
        sim.run()
        counts = np.array([np.asarray(monitors[m].count[:]) for m in names], dtype=float)
    T = float(params.duration / second)
    ds = xr.Dataset(
        {
            "rate": (("model", "step"), counts / T, {"units": "Hz", "long_name": "firing rate"}),
            "current": (("model", "step"), np.array([currents[m] for m in names]),
                        {"units": "pA", "long_name": "injected current"}),
        },
        coords={"model": ("model", names, {"units": "1", "long_name": "neuron model"}),
                "step": ("step", np.arange(n), {"units": "1", "long_name": "current step"})},
    )
    if "lif" in names:
        p = models.neuron("lif").params
        analytic = lif_rate(currents["lif"] * pA, p["tau_m"], p["R_m"], p["v_th"] - p["E_L"], p["t_ref"])
        ds["lif_rate_analytic"] = xr.DataArray(
            analytic, dims="step", attrs={"units": "Hz", "long_name": "analytic LIF rate"})
    ds["simulated_time"] = xr.DataArray(T, attrs={"units": "s", "long_name": "simulated time per neuron"})
    return ds


PROTOCOL = Protocol(
    name="fi-curve",
    description="f-I curves of every neuron model under constant current.",
    params={
        "models": Param((), "neuron models (comma-separated; empty: all registered)", kind=list),
        "n_currents": Param(25, "current steps per model"),
        "duration": Param(1 * second, "simulated time per step"),
        "dt": Param(0.05 * ms, "integration time step"),
        "current_scale": Param(1.0, "scale of every model's current range"),
    },
    func=_run,
    default_backend="numpy",
)
