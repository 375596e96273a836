"""Models that NIR graphs need beyond the spiking library: leaky and perfect integrators without
spikes, and an exponential current synapse with a continuous drive.

NIR (Pedersen et al. 2024) composes its neurons from a few primitives; :mod:`workbench.nir` maps
them onto the model library, reusing a model wherever the equation is the same:

- ``LIF``: ``tau dv/dt = (v_leak - v) + R I`` with reset to ``v_reset`` is
  :data:`workbench.models.neurons.LIF` (``tau_m``, ``E_L``, ``R_m``, ``v_th``, ``v_reset``;
  ``t_ref = 0``); ``IF`` (``dv/dt = R I``) is :data:`~workbench.models.neurons.IF` with
  ``C_m = 1/R``.
- ``LI`` and ``I`` (integrators without spikes, used as readouts) are :data:`LI` and
  :data:`INTEGRATOR` here.
- ``CubaLIF`` / ``CubaLI`` add the synaptic current ``tau_syn dI/dt = -I + w_in S``; its input
  ``S`` holds spikes (jumps of ``I``) and continuous terms (an ``Affine`` bias, an input
  current), so it is the receptor :data:`EXP_CURR_DRIVEN`: ``exp_curr`` plus a drive ``D_r``
  that the current relaxes to.
"""
from __future__ import annotations

from brian2 import mV, ms, pA, pF

from .base import NeuronModel, SynapseModel
from .neurons import LIF

__all__ = ["LI", "INTEGRATOR", "EXP_CURR_DRIVEN"]

_NIR = ("Pedersen, Abreu, Jobst et al. 2024, Nat. Commun. 15:8122 (NIR), primitives table "
        "(neuroir.org/docs/primitives.html)")

LI = NeuronModel(
    name="li",
    description="Leaky integrator without spikes (a readout): the LIF membrane "
    "tau_m dv/dt = E_L - v + R_m*(I + I_syn) with a threshold that never fires.",
    equations="dv/dt = (E_L - v + R_m*(I + I_syn))/tau_m : volt",
    params={k: LIF.params[k] for k in ("tau_m", "R_m", "E_L")},
    # 'False': no spikes, but spike monitors (and f-I curves, which read zero) still work
    threshold="False",
    reset="",
    init=dict(v="E_L"),
    reference=_NIR + ": LI, tau dv/dt = (v_leak - v) + R I; defaults as the library's LIF.",
)

INTEGRATOR = NeuronModel(
    name="integrator",
    description="Perfect integrator without spikes (a readout): dv/dt = (I + I_syn)/C_m, "
    "with a threshold that never fires.",
    equations="dv/dt = (I + I_syn)/C_m : volt",
    params=dict(C_m=250 * pF),
    # dv/dt does not depend on v, which Brian2's 'exact' (linear) solver rejects; Euler is exact for
    # the constant currents and jumps NIR's I node receives
    method=("exact", "euler"),
    threshold="False",
    reset="",
    init=dict(v=0 * mV),
    reference=_NIR + ": I (integrator), dv/dt = R I (C_m = 1/R); C_m default as the library's IF.",
)

EXP_CURR_DRIVEN = SynapseModel(
    name="exp_curr_driven",
    description="Exponential current relaxing to a drive D_r: tau_r dI_r/dt = D_r - I_r; a spike makes I_r "
    "jump by w*w_scale (D_r = 0 gives exp_curr).  NIR's CubaLIF current, D_r = w_in*(bias + input current).",
    neuron_equations="""
    dI_{r}/dt = (D_{r} - I_{r})/tau_{r} : amp
    D_{r} : amp
    """,
    target="I_{r}",
    params={"tau_{r}": 5 * ms},  # as exp_curr
    w_scale=100 * pA,
    reference=_NIR + ": CubaLIF, tau_syn dI/dt = -I + w_in S.",
)
