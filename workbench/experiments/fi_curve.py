"""Protocol logic of ``protocols/fi_curve.py``: firing rate under constant current for neuron models.

Each model gets one neuron per current step, from 0 to the model's upper current; all models run in
one network, so one standalone build covers them all.  For ``lif`` the analytic rate
``1/(t_ref + tau_m*ln(R*I/(R*I - theta)))`` (Gerstner, Kistler, Naud & Paninski 2014, Neuronal
Dynamics, ch. 1.3) is stored beside the measurement.
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from brian2 import Network, SpikeMonitor, defaultclock, nA, pA, second

from .. import models
from ..backends import Simulation, model_key, use_backend
from ..recording import scalar, variable

__all__ = ["model_names", "current_steps", "measure_rates", "lif_rate", "archive"]


def model_names(names) -> list[str]:
    """The neuron models to measure: ``names`` (registered :mod:`workbench.models` names) or, if empty,
    every registered model in alphabetical order."""
    names = list(names) if names else sorted(models.NEURONS)
    unknown = [n for n in names if n not in models.NEURONS]
    if unknown:
        raise ValueError(f"models: unknown neuron model(s) {unknown}; known: {sorted(models.NEURONS)}")
    return names


def current_steps(names, n_currents: int, i_max: dict, scale: float = 1.0, default_max=1 * nA) -> dict:
    """``n_currents`` constant currents per model, evenly from 0 to ``i_max[name]`` (``default_max`` for
    models not in ``i_max``) times ``scale``: ``{name: Quantity array}``."""
    if n_currents < 1:
        raise ValueError(f"n_currents must be >= 1, got {n_currents}")
    return {name: np.linspace(0, 1, n_currents) * i_max.get(name, default_max) * scale for name in names}


def measure_rates(currents: dict, duration, dt, *, backend: str, seed: int, threads: int = 1) -> np.ndarray:
    """Firing rates (Hz), shape (model, step), of the models in ``currents`` driven by those currents
    for ``duration`` at time step ``dt`` (one network, one run on ``backend``)."""
    names = list(currents)
    n = len(next(iter(currents.values())))
    key = model_key("fi_curve", names, n, dt, duration, tuple(float(currents[m][-1] / pA) for m in names))
    with use_backend(backend, key=key, seed=seed, threads=threads) as be:
        defaultclock.dt = dt
        groups, monitors = [], []
        for name in names:
            G = models.neuron_group(models.neuron(name), n, name=f"fi_{name}")
            G.I = currents[name]
            groups.append(G)
            monitors.append(SpikeMonitor(G, name=f"spikes_{name}"))
        Simulation(Network(groups + monitors), duration, be).run()
        counts = np.array([np.asarray(m.count[:]) for m in monitors], dtype=float)
    return counts / float(duration / second)


def lif_rate(I, tau_m, R_m, theta, t_ref):
    """Analytic firing rate of the LIF neuron with reset to rest (Hz; 0 below rheobase)."""
    I = np.asarray(I / pA) * pA
    drive = R_m * I
    rate = np.zeros(len(I))
    above = np.asarray(drive > theta)
    rate[above] = 1.0 / np.asarray(
        (t_ref + tau_m * np.log(drive[above] / (drive[above] - theta))) / second)
    return rate


def archive(currents: dict, rates, duration) -> xr.Dataset:
    """Rates and currents per model and step, the analytic LIF rate if ``lif`` was measured."""
    names = list(currents)
    n = len(currents[names[0]])
    ds = xr.Dataset(
        {"rate": variable(rates, ("model", "step"), "Hz", "firing rate"),
         "current": variable(np.array([np.asarray(currents[m] / pA) for m in names]), ("model", "step"), "pA",
                             "injected current")},
        coords={"model": variable(names, "model", "1", "neuron model"),
                "step": variable(np.arange(n), "step", "1", "current step")})
    if "lif" in names:
        p = models.neuron("lif").params
        ds["lif_rate_analytic"] = variable(lif_rate(currents["lif"], p["tau_m"], p["R_m"], p["v_th"] - p["E_L"],
                                                    p["t_ref"]), "step", "Hz", "analytic LIF rate")
    ds["simulated_time"] = scalar(float(duration / second), "s", "simulated time per neuron")
    return ds
