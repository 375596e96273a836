"""The neuron model library.

Every model uses ``I`` (external current, amp) and ``I_syn`` (synaptic current,
amp) as inputs; :func:`workbench.models.base.neuron_group` declares both.
Defaults follow the cited sources; change them with ``model.with_params(...)``
or as keyword arguments of ``neuron_group``.
"""
from __future__ import annotations

from brian2 import Hz, mV, ms, nA, nF, nS, pA, pF, second, siemens, ufarad, cm, umetre, msiemens, Mohm

from .base import NeuronModel

__all__ = [
    "IF",
    "LIF",
    "LIF_COND",
    "ALIF",
    "ADEX",
    "IZHIKEVICH",
    "HH_TRAUB",
    "ESCAPE_LIF",
    "ADEX_NAUD2008",
    "ADEX_BRETTE_GERSTNER_2005",
    "IZHIKEVICH_2003",
]

IF = NeuronModel(
    name="if",
    description="Perfect (non-leaky) integrate-and-fire neuron.",
    equations="dv/dt = (I + I_syn)/C_m : volt (unless refractory)",
    params=dict(C_m=250 * pF, v_th=-50 * mV, v_reset=-65 * mV, t_ref=2 * ms),
    threshold="v > v_th",
    reset="v = v_reset",
    refractory="t_ref",
    # exact for current inputs; with conductance inputs the leak-free membrane makes exponential Euler
    # divide 0/0 whenever g = 0, so fall back to Heun's method there.
    method=("exact", "heun"),
    init=dict(v="v_reset"),
    reference="Lapicque 1907; Gerstner, Kistler, Naud & Paninski 2014, Neuronal Dynamics, ch. 1.",
)

LIF = NeuronModel(
    name="lif",
    description="Current-based leaky integrate-and-fire neuron.",
    equations="dv/dt = (E_L - v + R_m*(I + I_syn))/tau_m : volt (unless refractory)",
    params=dict(tau_m=10 * ms, R_m=100 * Mohm, E_L=-65 * mV, v_th=-50 * mV, v_reset=-65 * mV, t_ref=2 * ms),
    threshold="v > v_th",
    reset="v = v_reset",
    refractory="t_ref",
    init=dict(v="E_L"),
    reference="Gerstner et al. 2014, Neuronal Dynamics, ch. 1.3; rate 1/(t_ref + tau ln(RI/(RI - theta))).",
)

LIF_COND = NeuronModel(
    name="lif_cond",
    description="Conductance-based leaky integrate-and-fire neuron (use with exp_cond / alpha_cond receptors).",
    equations="dv/dt = (g_L*(E_L - v) + I + I_syn)/C_m : volt (unless refractory)",
    params=dict(C_m=200 * pF, g_L=10 * nS, E_L=-60 * mV, v_th=-50 * mV, v_reset=-60 * mV, t_ref=5 * ms),
    threshold="v > v_th",
    reset="v = v_reset",
    refractory="t_ref",
    init=dict(v="E_L"),
    reference="Brette et al. 2007, J. Comput. Neurosci. 23:349 (COBA benchmark: 200 pF, 10 nS, -60 mV, 5 ms).",
)

ALIF = NeuronModel(
    name="alif",
    description="Adaptive LIF with threshold adaptation (LSNN / e-prop): threshold A = v_th + beta*a; "
    "a jumps by 1 per spike and decays with tau_a; the reset subtracts the baseline threshold "
    "(v -= v_th - v_reset), so after a spike at the adapted threshold v stays beta*a above v_reset.",
    equations="""
    dv/dt = (E_L - v + R_m*(I + I_syn))/tau_m : volt (unless refractory)
    da/dt = -a/tau_a : 1
    """,
    params=dict(tau_m=20 * ms, R_m=100 * Mohm, E_L=0 * mV, v_th=10 * mV, v_reset=0 * mV, beta=1.7 * mV,
                tau_a=700 * ms, t_ref=2 * ms),
    threshold="v > v_th + beta*a",
    reset="v = v - (v_th - v_reset); a += 1",
    refractory="t_ref",
    init=dict(v="E_L"),
    reference="Bellec et al. 2020, Nat. Commun. 11:3625, Methods: A_j = v_th + beta*a_j, "
    "a_j <- rho*a_j + z_j (jump 1 per spike, rho = exp(-dt/tau_a)), reset by subtracting v_th "
    "(v_reset = E_L = 0 there); tau_m 20 ms, t_ref 2 ms, tau_a 200-2000 ms (task dependent). "
    "beta is task dependent in the paper (our 1.7 mV = 0.17 v_th is illustrative).",
)

ADEX = NeuronModel(
    name="adex",
    description="Adaptive exponential integrate-and-fire neuron.",
    equations="""
    dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w_ad + I + I_syn)/C_m : volt (unless refractory)
    dw_ad/dt = (a*(v - E_L) - w_ad)/tau_w : amp
    """,
    params=dict(C_m=200 * pF, g_L=10 * nS, E_L=-70 * mV, V_T=-50 * mV, Delta_T=2 * mV, a=2 * nS,
                tau_w=30 * ms, b=0 * pA, V_r=-58 * mV, V_peak=0 * mV, t_ref=0 * ms),
    threshold="v > V_peak",
    reset="v = V_r; w_ad += b",
    refractory="t_ref",
    method="exponential_euler",
    init=dict(v="E_L"),
    reference="Equations: Brette & Gerstner 2005, J. Neurophysiol. 94:3637. Defaults: the 'tonic' set of "
    "Naud et al. 2008, Biol. Cybern. 99:335, Table 1 (V_peak 0 mV as there); Brette & Gerstner's own "
    "values are ADEX_BRETTE_GERSTNER_2005.",
)

#: Naud, Marcille, Clopath & Gerstner 2008, Table 1 (with the step current used there).
ADEX_NAUD2008 = {
    "tonic": dict(C_m=200 * pF, g_L=10 * nS, E_L=-70 * mV, V_T=-50 * mV, Delta_T=2 * mV, a=2 * nS,
                  tau_w=30 * ms, b=0 * pA, V_r=-58 * mV, I=500 * pA),
    "adapting": dict(C_m=200 * pF, g_L=12 * nS, E_L=-70 * mV, V_T=-50 * mV, Delta_T=2 * mV, a=2 * nS,
                     tau_w=300 * ms, b=60 * pA, V_r=-58 * mV, I=500 * pA),
    "initial_burst": dict(C_m=130 * pF, g_L=18 * nS, E_L=-58 * mV, V_T=-50 * mV, Delta_T=2 * mV, a=4 * nS,
                          tau_w=150 * ms, b=120 * pA, V_r=-50 * mV, I=400 * pA),
    "regular_bursting": dict(C_m=200 * pF, g_L=10 * nS, E_L=-58 * mV, V_T=-50 * mV, Delta_T=2 * mV, a=2 * nS,
                             tau_w=120 * ms, b=100 * pA, V_r=-46 * mV, I=210 * pA),
}

#: Brette & Gerstner 2005 (regular spiking, as in brian2 examples/frompapers/Brette_Gerstner_2005.py;
#: spike cut at V_T + 5*Delta_T).
ADEX_BRETTE_GERSTNER_2005 = dict(C_m=281 * pF, g_L=30 * nS, E_L=-70.6 * mV, V_T=-50.4 * mV, Delta_T=2 * mV,
                                 a=4 * nS, tau_w=144 * ms, b=80.5 * pA, V_r=-70.6 * mV, V_peak=-40.4 * mV)

IZHIKEVICH = NeuronModel(
    name="izhikevich",
    description="Izhikevich 2003 simple model (v in mV, time in ms); input currents scaled by C_m "
    "(I = 10 nA with C_m = 1 nF is the paper's I = 10).",
    equations="""
    dv/dt = (0.04/ms/mV)*v**2 + (5/ms)*v + 140*mV/ms - u + (I + I_syn)/C_m : volt
    du/dt = a*(b*v - u) : volt/second
    """,
    params=dict(a=0.02 / ms, b=0.2 / ms, c=-65 * mV, d=8 * mV / ms, v_peak=30 * mV, C_m=1 * nF),
    threshold="v >= v_peak",
    reset="v = c; u += d",
    method="euler",
    init=dict(v="c", u="b*c"),
    reference="Izhikevich 2003, IEEE Trans. Neural Netw. 14:1569 (RS: a=0.02, b=0.2, c=-65, d=8; "
    "FS: a=0.1, b=0.2, c=-65, d=2). The paper's I is in mV/ms: I/C_m with C_m = 1 nF makes 1 nA == 1. "
    "Forward Euler at the Brian2 dt (the paper's code uses 1 ms steps with two 0.5 ms half steps for v, "
    "too coarse for fast spiking: 63 instead of ~136 spikes/s at I = 10).",
)

IZHIKEVICH_2003 = {
    "regular_spiking": dict(a=0.02 / ms, b=0.2 / ms, c=-65 * mV, d=8 * mV / ms),
    "intrinsically_bursting": dict(a=0.02 / ms, b=0.2 / ms, c=-55 * mV, d=4 * mV / ms),
    "chattering": dict(a=0.02 / ms, b=0.2 / ms, c=-50 * mV, d=2 * mV / ms),
    "fast_spiking": dict(a=0.1 / ms, b=0.2 / ms, c=-65 * mV, d=2 * mV / ms),
    "low_threshold_spiking": dict(a=0.02 / ms, b=0.25 / ms, c=-65 * mV, d=2 * mV / ms),
}

_area = 20000 * umetre**2
HH_TRAUB = NeuronModel(
    name="hh_traub",
    description="Hodgkin-Huxley neuron with Traub & Miles 1991 kinetics, as in the COBAHH benchmark. "
    "With these parameters (g_L = 0.05 mS/cm^2, V_T = -63 mV) the cell has no stable resting state: its "
    "only fixed point (-33.4 mV) is unstable and it fires periodically at ~14 Hz without input "
    "(checked against scipy integration in tests/test_models_neurons.py); in COBAHH, network inhibition "
    "holds it down. A spike is counted when v crosses v_spike; the neuron stays refractory while "
    "v > v_spike (so a depolarisation block is not counted as many spikes; t_ref is unused and kept "
    "for compatibility; COBAHH used refractory=3*ms for the same purpose).",
    equations="""
    dv/dt = (g_L*(E_L - v) - g_Na*(m*m*m)*h*(v - E_Na) - g_K*(n*n*n*n)*(v - E_K) + I + I_syn)/C_m : volt
    dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV - v + V_T)/(4*mV))/ms*(1 - m) - 0.28*(mV**-1)*5*mV/exprel((v - V_T - 40.*mV)/(5*mV))/ms*m : 1
    dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV - v + V_T)/(5*mV))/ms*(1. - n) - .5*exp((10.*mV - v + V_T)/(40.*mV))/ms*n : 1
    dh/dt = 0.128*exp((17.*mV - v + V_T)/(18.*mV))/ms*(1. - h) - 4./(1 + exp((40.*mV - v + V_T)/(5.*mV)))/ms*h : 1
    """,
    params=dict(C_m=1 * ufarad * cm**-2 * _area, g_L=5e-5 * siemens * cm**-2 * _area, E_L=-60 * mV,
                E_K=-90 * mV, E_Na=50 * mV, g_Na=100 * msiemens * cm**-2 * _area,
                g_K=30 * msiemens * cm**-2 * _area, V_T=-63 * mV, v_spike=-20 * mV, t_ref=3 * ms),
    threshold="v > v_spike",
    refractory="v > v_spike",
    method="exponential_euler",
    init=dict(v="E_L", m=0.0, n=0.0, h=1.0),
    reference="Traub & Miles 1991; Brette et al. 2007, J. Comput. Neurosci. 23:349 (COBAHH); "
    "brian2 examples/COBAHH.py.",
)

ESCAPE_LIF = NeuronModel(
    name="escape_lif",
    description="Stochastic LIF with escape noise: spike with hazard rho_0*exp((v - v_th)/Delta_u); the "
    "probability per step is 1 - exp(-hazard*dt) (exact for a hazard constant over the step, and never > 1).",
    equations="dv/dt = (E_L - v + R_m*(I + I_syn))/tau_m : volt (unless refractory)",
    params=dict(tau_m=10 * ms, R_m=100 * Mohm, E_L=-65 * mV, v_th=-50 * mV, v_reset=-65 * mV,
                rho_0=100 * Hz, Delta_u=2 * mV, t_ref=2 * ms),
    threshold="rand() < 1 - exp(-rho_0*exp((v - v_th)/Delta_u)*dt)",
    reset="v = v_reset",
    refractory="t_ref",
    init=dict(v="E_L"),
    reference="Gerstner et al. 2014, Neuronal Dynamics, ch. 9 (escape noise); Jolivet et al. 2006.",
)
