"""Spike generators written as equations: pure generated code, so they run on every backend.

Not registered as neuron models (they do not respond to a current, so they have no f-I curve);
import them from here and build them with :func:`workbench.models.neuron_group`.
"""
from __future__ import annotations

from .base import NeuronModel

__all__ = ["PERIODIC_SPIKES"]

PERIODIC_SPIKES = NeuronModel(
    name="periodic_spikes",
    description="Fires at t_first + k*period for k = 0 .. n_spikes-1, each neuron with its own t_first, period "
    "and n_spikes (set them after creating the group); v is a dummy target for synapses onto the group.",
    equations="""
    t_first : second (constant)
    period : second (constant)
    n_spikes : integer (constant)
    k : integer
    v : volt
    """,
    params={},
    threshold="k < n_spikes and t >= t_first + k*period - 0.5*dt",
    reset="k += 1",
    reference="Spike-pairing protocols of STDP experiments (e.g. Bi & Poo 1998; Sjostrom, Turrigiano & Song "
    "2001): pre- and postsynaptic spikes at fixed times.",
)
