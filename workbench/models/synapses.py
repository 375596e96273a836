"""Synapse (receptor) types: what one class of input adds to the postsynaptic neuron.

Instantiate one as a receptor with a name, e.g. ``EXP_COND.receptor('e', E=0*mV)``;
its variables get the name as suffix (``g_e``, ``tau_e``, ``E_e``).
"""
from __future__ import annotations

from brian2 import mV, ms, nA, nS, pA

from .base import SynapseModel

__all__ = ["DELTA", "EXP_CURR", "EXP_COND", "ALPHA_CURR", "ALPHA_COND"]

DELTA = SynapseModel(
    name="delta",
    description="Delta synapse: a presynaptic spike makes the membrane potential jump by w*w_scale.",
    neuron_equations="",
    target="v",
    params={},
    w_scale=1 * mV,
    current=False,
    reference="Gerstner et al. 2014, Neuronal Dynamics, ch. 1.",
)

EXP_CURR = SynapseModel(
    name="exp_curr",
    description="Exponentially decaying current: I_r jumps by w*w_scale and decays with tau_r.",
    neuron_equations="dI_{r}/dt = -I_{r}/tau_{r} : amp",
    target="I_{r}",
    params={"tau_{r}": 5 * ms},
    w_scale=100 * pA,
    reference="Brette et al. 2007 (CUBA benchmark).",
)

EXP_COND = SynapseModel(
    name="exp_cond",
    description="Exponentially decaying conductance with reversal potential E_r.",
    neuron_equations="""
    dg_{r}/dt = -g_{r}/tau_{r} : siemens
    I_{r} = g_{r}*(E_{r} - v) : amp
    """,
    target="g_{r}",
    params={"tau_{r}": 5 * ms, "E_{r}": 0 * mV},
    w_scale=1 * nS,
    reference="Brette et al. 2007 (COBA benchmark: tau_e 5 ms, tau_i 10 ms, E_e 0 mV, E_i -80 mV).",
)

ALPHA_CURR = SynapseModel(
    name="alpha_curr",
    description="Alpha-shaped current w*w_scale*(t/tau_r)*exp(1 - t/tau_r), peaking at t = tau_r.",
    neuron_equations="""
    dI_{r}/dt = (x_{r} - I_{r})/tau_{r} : amp
    dx_{r}/dt = -x_{r}/tau_{r} : amp
    """,
    target="x_{r}",
    jump="exp(1)",
    params={"tau_{r}": 2 * ms},
    w_scale=100 * pA,
    reference="Rall 1967; Gerstner et al. 2014, ch. 3.1.",
)

ALPHA_COND = SynapseModel(
    name="alpha_cond",
    description="Alpha-shaped conductance (peak w*w_scale at t = tau_r) with reversal potential E_r.",
    neuron_equations="""
    dg_{r}/dt = (y_{r} - g_{r})/tau_{r} : siemens
    dy_{r}/dt = -y_{r}/tau_{r} : siemens
    I_{r} = g_{r}*(E_{r} - v) : amp
    """,
    target="y_{r}",
    jump="exp(1)",
    params={"tau_{r}": 2 * ms, "E_{r}": 0 * mV},
    w_scale=1 * nS,
    reference="Rall 1967; Kuhn, Aertsen & Rotter 2004.",
)
