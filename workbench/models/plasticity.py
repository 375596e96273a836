"""Plasticity rules acting on the dimensionless synaptic weight ``w`` (or on efficacy, for STP).

Sign conventions: ``A_plus`` and ``A_minus`` are positive magnitudes; for
``dt = t_post - t_pre`` the pair window is ``A_plus*exp(-dt/tau_plus)`` for
``dt > 0`` and ``-A_minus*exp(dt/tau_minus)`` for ``dt < 0``.
"""
from __future__ import annotations

from brian2 import ms

from .base import PlasticityRule

__all__ = [
    "STDP_ADDITIVE",
    "STDP_MULTIPLICATIVE",
    "STDP_NEAREST",
    "STDP_NEAREST_MULTIPLICATIVE",
    "TRIPLET_STDP",
    "STOCHASTIC_BINARY_STDP",
    "TSODYKS_MARKRAM",
    "pair_stdp",
]

_PAIR_PARAMS = dict(A_plus=0.01, A_minus=0.0105, tau_plus=20 * ms, tau_minus=20 * ms, w_max=1.0)
_TRACES = """
dapre/dt = -apre/tau_plus : 1 (event-driven)
dapost/dt = -apost/tau_minus : 1 (event-driven)
"""


def pair_stdp(bounds: str = "additive", spikes: str = "all") -> PlasticityRule:
    """Pair-based STDP with a chosen weight dependence and spike interaction.

    Parameters
    ----------
    bounds : {'additive', 'multiplicative'}
        Additive updates clipped to [0, w_max] (hard bounds), or multiplicative
        (soft bounds): potentiation scaled by (w_max - w), depression by w.
    spikes : {'all', 'nearest'}
        All-to-all interaction (traces add up) or nearest-spike (traces reset to 1).
    """
    if bounds not in ("additive", "multiplicative"):
        raise ValueError(f"pair_stdp(bounds={bounds!r}): use 'additive' or 'multiplicative'")
    if spikes not in ("all", "nearest"):
        raise ValueError(f"pair_stdp(spikes={spikes!r}): use 'all' or 'nearest'")
    bump_pre = "apre += 1" if spikes == "all" else "apre = 1"
    bump_post = "apost += 1" if spikes == "all" else "apost = 1"
    if bounds == "additive":
        dep = "w = clip(w - A_minus*apost, 0, w_max)"
        pot = "w = clip(w + A_plus*apre, 0, w_max)"
    else:
        dep = "w = clip(w - A_minus*apost*w/w_max, 0, w_max)"
        pot = "w = clip(w + A_plus*apre*(w_max - w)/w_max, 0, w_max)"
    name = "stdp_" + ("add" if bounds == "additive" else "mult") + ("" if spikes == "all" else "_nearest")
    return PlasticityRule(
        name=name,
        description=f"Pair-based STDP, {bounds} weight dependence, {spikes}-spike interaction.",
        equations=_TRACES,
        params=dict(_PAIR_PARAMS),
        on_pre=f"{bump_pre}\n{dep}",
        on_post=f"{bump_post}\n{pot}",
        reference="Song, Miller & Abbott 2000 (additive; A_minus/A_plus = 1.05, tau 20 ms, as in brian2 "
        "examples/synapses/STDP.py with Apre = 0.01); van Rossum, Bi & Turrigiano 2000 (multiplicative); "
        "Morrison, Diesmann & Gerstner 2008, Biol. Cybern. 98:459 (spike interactions; 'nearest' here is "
        "their symmetric nearest-spike scheme: traces reset to 1).",
    )


STDP_ADDITIVE = pair_stdp("additive", "all")
STDP_MULTIPLICATIVE = pair_stdp("multiplicative", "all")
STDP_NEAREST = pair_stdp("additive", "nearest")
STDP_NEAREST_MULTIPLICATIVE = pair_stdp("multiplicative", "nearest")

TRIPLET_STDP = PlasticityRule(
    name="triplet_stdp",
    description="Triplet STDP (Pfister & Gerstner 2006), all-to-all, visual-cortex parameters.",
    equations="""
    dr1/dt = -r1/tau_plus : 1 (event-driven)
    dr2/dt = -r2/tau_x : 1 (event-driven)
    do1/dt = -o1/tau_minus : 1 (event-driven)
    do2/dt = -o2/tau_y : 1 (event-driven)
    """,
    params=dict(tau_plus=16.8 * ms, tau_minus=33.7 * ms, tau_x=101 * ms, tau_y=125 * ms,
                A2_plus=5e-10, A3_plus=6.2e-3, A2_minus=7e-3, A3_minus=2.3e-4, w_max=1.0),
    # depression uses r2 *before* the presynaptic spike's own increment (and likewise o2)
    on_pre="w = clip(w - o1*(A2_minus + A3_minus*r2), 0, w_max)\nr1 += 1\nr2 += 1",
    on_post="w = clip(w + r1*(A2_plus + A3_plus*o2), 0, w_max)\no1 += 1\no2 += 1",
    reference="Pfister & Gerstner 2006, J. Neurosci. 26:9673, Table 4 (visual cortex, all-to-all, full model: "
    "A2+ 5e-10, A3+ 6.2e-3, A2- 7e-3, A3- 2.3e-4, tau_x 101 ms, tau_y 125 ms; tau_+ 16.8 ms, "
    "tau_- 33.7 ms from Bi & Poo 1998).",
)

STOCHASTIC_BINARY_STDP = PlasticityRule(
    name="stochastic_binary_stdp",
    description="Binary weights (0 or w_max) that switch with a probability set by the spike-time "
    "difference: potentiation p_plus*exp(-dt/tau_plus), depression p_minus*exp(dt/tau_minus) "
    "(nearest spikes).",
    equations="""
    dapre/dt = -apre/tau_plus : 1 (event-driven)
    dapost/dt = -apost/tau_minus : 1 (event-driven)
    """,
    params=dict(p_plus=0.1, p_minus=0.1, tau_plus=20 * ms, tau_minus=20 * ms, w_max=1.0),
    on_pre="apre = 1\nw = w*int(rand() >= p_minus*apost)",
    on_post="apost = 1\nw = w + (w_max - w)*int(rand() < p_plus*apre)",
    reference="Senn & Fusi 2005; Suri et al. 2013 (binary stochastic STDP for memristive synapses); "
    "Yousefzadeh et al. 2018, Front. Neurosci. 12:665. The switching probabilities p_plus = p_minus = 0.1 "
    "and tau 20 ms are illustrative defaults (no single canonical source); switching needs the nearest "
    "spike of the other side within a few tau.",
)

TSODYKS_MARKRAM = PlasticityRule(
    name="tsodyks_markram",
    description="Tsodyks-Markram short-term plasticity: utilisation u (facilitation, tau_f) and "
    "resources x (depression, tau_d); transmission scaled by r = u*x.",
    equations="""
    du/dt = -u/tau_f : 1 (event-driven)
    dx/dt = (1 - x)/tau_d : 1 (event-driven)
    r : 1
    """,
    params=dict(U=0.5, tau_d=1100 * ms, tau_f=50 * ms),
    pre_before="u = u + U*(1 - u)\nr = u*x",
    on_pre="x = x - r",
    efficacy="r",
    init=dict(u=0.0, x=1.0),
    reference="Tsodyks & Markram 1997; Markram, Wang & Tsodyks 1998, PNAS 95:5323 "
    "(u_{n+1} = U + u_n(1-U)exp(-dt/F), R_{n+1} = 1 + (R_n - u_n R_n - 1)exp(-dt/D)); defaults: "
    "Maass, Natschlaeger & Markram 2002, E->E synapses (U 0.5, D 1.1 s, F 0.05 s).",
)
