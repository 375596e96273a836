"""The Diehl & Cook (2015) neurons, input coding, STDP rule and weight normalisation: every equation of
the network, written once (the ``stdp-digits`` protocol runs these, and the library registers the two
neurons as ``diehl_cook_exc`` and ``diehl_cook_inh``).

Diehl PU & Cook M (2015) Unsupervised learning of digit recognition using spike-timing-dependent
plasticity. Front. Comput. Neurosci. 9:99.  Every constant is checked against the paper and the
authors' released code, github.com/peter-u-diehl/stdp-mnist (``Diehl&Cook_spiking_MNIST.py``, "DC"
below; ``Diehl&Cook_MNIST_random_conn_generator.py``, "RC").  The network's own constants (weights,
normalisation, input rates, repeat rule) are in :mod:`workbench.networks.diehl_cook`.

Neurons
-------
Conductance-based leaky integrate-and-fire neurons; the conductances ``ge``, ``gi`` are dimensionless,
in units of the leak conductance, as in DC (``I_synE = ge*nS*(-v)``, ``dv/dt = ((v_rest - v) +
I_syn/nS)/tau``).  An external current ``I`` (and a receptor's ``I_syn``, the library's composition
rules) enters the same way, divided by nS; the network drives its neurons through ``ge`` and ``gi``
only.  The excitatory neurons have an adaptive threshold ``theta - theta_offset + v_thresh_e``
(``theta += theta_plus`` per spike, decaying with ``tau_theta``; paper Sec. 2.4) and carry the two
postsynaptic STDP traces; ``learn`` (0 or 1, shared) switches plasticity and the threshold adaptation
off for the frozen phases.  DC's threshold also requires ``timer > 5 ms`` with ``dtimer/dt = 100``
(run without units: 100 s/s), i.e. 0.05 ms after a spike -- inside the 5 ms refractory period, during
which v is clamped anyway.  The timer is therefore a no-op and is left out.

Integration
-----------
The authors integrate with forward Euler at dt = 0.5 ms.  With these membrane equations that is
unstable once ``dt (1 + ge + gi)/tau > 2``: about two dozen simultaneous inhibitory spikes (gi ~ 24 x
17) are enough, after which the network fires without input.  Exponential Euler integrates the
conditionally linear equations exactly for the conductances of each step and is stable for any dt.
:func:`v_step_code` writes that step out so that its exponential is ``exp_fast``
(:mod:`workbench.models.functions`), an inlined polynomial (glibc's ``exp``, called per neuron and
step, was a third of the run); :func:`neuron_group` builds a group integrated either way.

STDP (:data:`DIEHL_COOK_STDP`)
------------------------------
Traces are computed exactly: the presynaptic trace as ``exp(-(t - lastpre)/tau_pre)`` (DC sets it to 1
on every spike, so only the last arrival matters), the postsynaptic traces as variables of the
excitatory neurons (identical for all synapses of a neuron).  The presynaptic effects (conductance,
trace, depression) happen when the delayed spike arrives.  Depression ``nu_pre * post1`` on a
presynaptic arrival, potentiation ``nu_post * pre * post2`` on a postsynaptic spike (DC uses post2
before its own update), weights clipped to [0, w_max].
"""
from __future__ import annotations

import dataclasses
import string

import numpy as np
from brian2 import Function, NeuronGroup, mV, ms, second
from brian2.codegen.generators import CPPCodeGenerator

from .base import NeuronModel, PlasticityRule, neuron_group as _neuron_group
from .functions import exp_fast

__all__ = ["DIEHL_COOK_EXC", "DIEHL_COOK_INH", "DIEHL_COOK_STDP", "CONDUCTANCE_PARAMS", "EXC_PARAMS",
           "INH_PARAMS", "STDP_PARAMS", "INPUT_EQS", "INPUT_THRESHOLD", "INPUT_RESET", "INPUT_RATES",
           "INPUT_ON_PRE", "EXC_INH_ON_PRE", "INH_EXC_ON_PRE", "NORMALISATION_EQS", "NORMALISATION",
           "NORMALISATION_CHECK", "METHODS", "v_step_code", "neuron_group", "INPUT_FUSED_CPP",
           "input_fused_function", "delay_steps", "INH_FUSED_CPP", "inh_fused_function", "FUSED_ON_POST",
           "lastpre_function"]

# ----------------------------------------------------------------------------- constants

#: Synaptic conductances, both populations.
CONDUCTANCE_PARAMS = dict(
    E_exc=0 * mV,           # DC I_synE = ge*nS*(-v)
    tau_ge=1 * ms,          # DC dge/dt = -ge/(1.0*ms)
    tau_gi=2 * ms,          # DC dgi/dt = -gi/(2.0*ms)
)

#: Excitatory neurons.
EXC_PARAMS = dict(
    v_rest_e=-65 * mV,      # DC v_rest_e
    v_reset_e=-65 * mV,     # DC v_reset_e
    v_thresh_e=-52 * mV,    # DC v_thresh_e (threshold = theta - offset + v_thresh_e)
    t_ref_e=5 * ms,         # DC refrac_e
    tau_e=100 * ms,         # DC neuron_eqs_e: /(100*ms)
    E_inh_e=-100 * mV,      # DC I_synI = gi*nS*(-100*mV - v) (excitatory neurons)
    theta_plus=0.05 * mV,   # DC theta_plus_e; paper Sec. 2.4
    tau_theta=1e7 * ms,     # DC tc_theta; paper Sec. 2.4
    theta_init=20 * mV,     # DC theta = 20 mV initially ...
    theta_offset=20 * mV,   # ... and offset 20 mV: threshold starts at v_thresh_e
    tau_post1=20 * ms,      # DC tc_post_1_ee
    tau_post2=40 * ms,      # DC tc_post_2_ee
)

#: Inhibitory neurons.
INH_PARAMS = dict(
    v_rest_i=-60 * mV,      # DC v_rest_i
    v_reset_i=-45 * mV,     # DC v_reset_i
    v_thresh_i=-40 * mV,    # DC v_thresh_i
    t_ref_i=2 * ms,         # DC refrac_i
    tau_i=10 * ms,          # DC neuron_eqs_i: /(10*ms)
    E_inh_i=-85 * mV,       # DC I_synI = gi*nS*(-85*mV - v) (inhibitory neurons)
)

#: The plastic input synapses.
STDP_PARAMS = dict(
    tau_pre=20 * ms,        # DC tc_pre_ee
    nu_pre=1e-4,            # DC nu_ee_pre; paper Sec. 2.3
    nu_post=1e-2,           # DC nu_ee_post
    w_max=1.0,              # DC wmax_ee
)

# ----------------------------------------------------------------------------- neurons

_EXC_MEMBRANE = ("dv/dt = ((v_rest_e - v) + ge*(E_exc - v) + gi*(E_inh_e - v) + (I + I_syn)/nS)/tau_e "
                 ": volt (unless refractory)")
_EXC_STATE = """
dge/dt = -ge/tau_ge : 1
dgi/dt = -gi/tau_gi : 1
dtheta/dt = -learn*theta/tau_theta : volt
dpost1/dt = -post1/tau_post1 : 1
dpost2/dt = -post2/tau_post2 : 1
learn : 1 (shared)
"""
_INH_MEMBRANE = ("dv/dt = ((v_rest_i - v) + ge*(E_exc - v) + gi*(E_inh_i - v) + (I + I_syn)/nS)/tau_i "
                 ": volt (unless refractory)")
_INH_STATE = """
dge/dt = -ge/tau_ge : 1
dgi/dt = -gi/tau_gi : 1
"""
_REFERENCE = ("Diehl & Cook 2015, Front. Comput. Neurosci. 9:99; constants from the authors' released code "
              "(github.com/peter-u-diehl/stdp-mnist, Diehl&Cook_spiking_MNIST.py; see workbench.models.diehl_cook).")

DIEHL_COOK_EXC = NeuronModel(
    name="diehl_cook_exc",
    description="Diehl & Cook 2015 excitatory neuron: conductance LIF (ge, gi in units of the leak "
    "conductance) with adaptive threshold theta (+theta_plus per spike, decay tau_theta), the two "
    "postsynaptic STDP traces, and the shared 'learn' flag (0 freezes theta and plasticity).",
    equations=_EXC_MEMBRANE + _EXC_STATE,
    params={**CONDUCTANCE_PARAMS, **EXC_PARAMS},
    threshold="v > theta - theta_offset + v_thresh_e",
    reset="v = v_reset_e; theta += learn*theta_plus; post1 = 1; post2 = 1",
    refractory="t_ref_e",
    method="exponential_euler",
    init=dict(v="v_rest_e - 40*mV", theta="theta_init", learn=1),      # DC: v = v_rest - 40 mV
    reference=_REFERENCE + " The authors' threshold timer (timer > 5 ms, dtimer/dt = 100 s/s) holds "
    "0.05 ms after a spike, inside the 5 ms refractory period, and is left out.",
)

DIEHL_COOK_INH = NeuronModel(
    name="diehl_cook_inh",
    description="Diehl & Cook 2015 inhibitory neuron: conductance LIF (ge, gi in units of the leak "
    "conductance).",
    equations=_INH_MEMBRANE + _INH_STATE,
    params={**CONDUCTANCE_PARAMS, **INH_PARAMS},
    threshold="v > v_thresh_i",
    reset="v = v_reset_i",
    refractory="t_ref_i",
    method="exponential_euler",
    init=dict(v="v_rest_i - 40*mV"),
    reference=_REFERENCE,
)

#: Integration of the neurons: the hand-written exponential-Euler step (default), a backward-Euler step
#: (stable and cheaper, but it slows the fast inhibitory neurons: 30 % more excitatory spikes, measured),
#: or Brian2's forward Euler (the authors' scheme, can run away).
METHODS = ("exponential_euler", "implicit_euler", "euler")

_STATE = {DIEHL_COOK_EXC.name: ("e", _EXC_STATE), DIEHL_COOK_INH.name: ("i", _INH_STATE)}


def v_step_code(sfx: str, method: str = "exponential_euler") -> str:
    """The membrane step of the excitatory (``sfx='e'``) or inhibitory (``'i'``) neurons.

    ``tau dv/dt = (v_rest - v) + ge (E_exc - v) + gi (E_inh - v)`` with the conductances of the step
    start is linear in v.  ``exponential_euler``: ``v -> v_inf + (v - v_inf) exp(-dt (1 + ge + gi)/tau)``,
    Brian2's own exponential-Euler formula (``exp_fast`` inlines in C++); ``implicit_euler``: a
    backward-Euler division (also unconditionally stable, but it slows the fast inhibitory neurons).
    The refractoriness test is Brian2's (``timestep(t - lastspike) >= timestep(t_ref)``), so v is
    clamped on exactly the steps Brian2 clamps it.  The step has no current input (I = I_syn = 0: the
    network drives its neurons through ge and gi).  Needs ``dt_tau_{sfx}`` = dt/tau and ``exp_fast`` in
    the namespace (:func:`neuron_group` puts them there).
    """
    nr = f"nr = int(timestep(t - lastspike, dt) >= timestep(t_ref_{sfx}, dt))\n"
    if method == "implicit_euler":
        return nr + (f"v = (v + nr*dt_tau_{sfx}*(v_rest_{sfx} + ge*E_exc + gi*E_inh_{sfx}))"
                     f"/(1 + nr*dt_tau_{sfx}*(1 + ge + gi))")
    if method == "exponential_euler":
        return nr + (f"g_tot = 1 + ge + gi\n"
                     f"v_inf = (v_rest_{sfx} + ge*E_exc + gi*E_inh_{sfx})/g_tot\n"
                     f"v = v + nr*(v_inf - v)*(1 - exp_fast(-dt_tau_{sfx}*g_tot))")
    raise ValueError(f"method {method!r}: no hand-written membrane step (use exponential_euler or implicit_euler)")


def neuron_group(model: NeuronModel, n: int, *, method: str, dt, name: str, extra_equations: str = "",
                 **params) -> NeuronGroup:
    """A group of Diehl & Cook neurons (:data:`DIEHL_COOK_EXC` or :data:`DIEHL_COOK_INH`) integrated with
    ``method`` (one of :data:`METHODS`) at time step ``dt``.

    ``euler``: Brian2's forward Euler on every equation (the authors' scheme).  Otherwise the membrane
    potential is advanced by :func:`v_step_code`, run just before Brian2's state updater integrates the
    linear decays (ge, gi, theta, traces) exactly: the step sees the conductances of the step start, as
    Brian2's own exponential Euler does.  ``params`` override the model's constants (units checked).
    """
    if method not in METHODS:
        raise ValueError(f"method {method!r}: use {', '.join(METHODS)}")
    if model.name not in _STATE:
        raise ValueError(f"neuron_group: {model.name!r} is not a Diehl & Cook neuron model")
    sfx, state = _STATE[model.name]
    if method == "euler":
        return _neuron_group(dataclasses.replace(model, method="euler"), n, name=name,
                             extra_equations=extra_equations, **params)
    stepped = dataclasses.replace(model, equations="v : volt" + state, method="exact")
    group = _neuron_group(stepped, n, name=name, extra_equations=extra_equations, **params)
    tau = group.namespace[f"tau_{sfx}"]
    group.namespace.update({f"dt_tau_{sfx}": float(dt / tau), "exp_fast": exp_fast})
    group.run_regularly(v_step_code(sfx, method), when="groups", order=-1, name=f"{name}_v_step")
    return group


# ----------------------------------------------------------------------------- STDP and projections

DIEHL_COOK_STDP = PlasticityRule(
    name="diehl_cook_stdp",
    description="Diehl & Cook 2015 STDP on the input synapses: depression nu_pre*post1 on a presynaptic "
    "arrival, potentiation nu_post*pre*post2 on a postsynaptic spike, clipped to [0, w_max]; the "
    "postsynaptic traces post1, post2 and the 'learn' flag are variables of the excitatory neurons "
    "(diehl_cook_exc), the presynaptic trace is exp((lastpre - t)/tau_pre).",
    equations="lastpre : second",
    params=dict(STDP_PARAMS),
    on_pre="lastpre = t\nw = clip(w - learn_post*nu_pre*post1_post, 0, w_max)",
    on_post="w = clip(w + learn_post*nu_post*exp((lastpre - t)/tau_pre)*post2_post, 0, w_max)",
    init=dict(lastpre=-1e6 * second),
    reference=_REFERENCE + " Traces exact (DC sets the presynaptic trace to 1 on every spike).",
)

#: Transmission: input -> excitatory (plastic weight w; then DIEHL_COOK_STDP.on_pre), excitatory ->
#: inhibitory (one-to-one, RC weight ei) and inhibitory -> excitatory (lateral, RC weight ie).
INPUT_ON_PRE = "ge_post += w\n" + DIEHL_COOK_STDP.on_pre
EXC_INH_ON_PRE = "ge_post += w_ei"
INH_EXC_ON_PRE = "gi_post += w_ie"

# ----------------------------------------------------------------------------- input coding

#: Poisson inputs drawn by their exponential inter-spike intervals: next_t is the next event of a
#: rate-``rate`` Poisson process, emitted on the first step at or after it; the next interval is
#: counted from the event (not the step), so the spike count stays Poisson and an interval shorter
#: than dt delays the spike by a step instead of losing it.  A random number per spike instead of one
#: per input per step (DC/Brian2 PoissonGroup: rand() < rate*dt each step; the same process up to
#: O((rate*dt)^2) = 0.1 % at 63.75 Hz).  ``on``, ``img`` and ``intensity`` are linked to the
#: controller that schedules the presentations.
INPUT_EQS = """rate : Hz
next_t : second
on : 1 (linked)
img : 1 (linked)
intensity : 1 (linked)"""
INPUT_THRESHOLD = "on > 0.5 and t >= next_t"
INPUT_RESET = "next_t = next_t - log(1 - rand())/rate"
#: At a presentation's start: rate = pixel/8 * intensity Hz (DC ``rates = x/8*input_intensity``) read
#: from the image table (a 2-d TimedArray indexed by image number), and the first event drawn (a silent
#: input's next event is put beyond any run: t_never).
INPUT_RATES = """rate = pixel_table(img*second, i)*intensity*rate_per_level
silent = int(rate <= 0*Hz)
next_t = t + (1 - silent)*(-log(1 - rand())/(rate + silent*Hz)) + silent*t_never"""

# ----------------------------------------------------------------------------- normalisation

#: DC ``normalize_weights()``, before every presentation while learning: the input weights onto each
#: excitatory neuron are scaled to sum ``w_total``.  An exact single-threaded sum per neuron, one factor
#: per neuron, then the scaling; ``wsum_after`` is the check (tests).
NORMALISATION_EQS = """wsum : 1
wscale : 1
wsum_after : 1"""
#: (name, where, code), in order: reset the sums (on the excitatory neurons), sum (on the input
#: synapses), factor (neurons), scale (synapses).
NORMALISATION = (("norm_reset", "exc", "wsum = 0"),
                 ("norm_sum", "synapses", "wsum_post += w"),
                 ("norm_factor", "exc", "wscale = learn*w_total/wsum + (1 - learn)"),
                 ("norm_scale", "synapses", "w = w*wscale_post"))
#: The check: the sums after the normalisation.
NORMALISATION_CHECK = (("norm_check_reset", "exc", "wsum_after = 0"),
                       ("norm_check_sum", "synapses", "wsum_after_post += w"))

# ----------------------------------------------------------------------------- fused input projection (C++)

#: The presynaptic side of the plastic input projection (:data:`INPUT_ON_PRE`) written out for
#: cpp_standalone, replacing Brian2's heterogeneous-delay spike queue and its on_pre loop with the same
#: arithmetic in the same order.  The synapses are stored sorted by (input, delay step, target), so the
#: synapses that one input spike reaches after ``d`` steps are one contiguous range; a ring of the last
#: ``max delay + 1`` steps' input spikes replaces the queue of synapse indices (one entry per spike, not
#: per synaptic event), and every step the ranges that arrive are processed oldest spike first, inputs
#: ascending, targets ascending -- Brian2's own order, so ``ge`` sums identically and the weights are
#: bit-identical to the Brian2 pathway (tests/test_stdp_digits.py).  The conductance and the depression
#: are ``ge_post += w; w = clip(w - learn*nu_pre*post1_post, 0, w_max)`` as in :data:`INPUT_ON_PRE`; the
#: arrival time ``lastpre = t`` is the same for every synapse of a range, so it is stored once per
#: (input, delay step) in the array ``$arrivals`` (read by :data:`FUSED_ON_POST` through
#: ``lastpre_of(i, dstep)``) instead of once per synaptic event.  Returns the synaptic events of the
#: step.  Called once per step (from a one-neuron group); it reads the Brian2 arrays of the groups
#: named ``$src``, ``$tgt``, ``$syn`` directly (the synaptic variable ``dstep`` is the delay in steps,
#: Brian2's rounding) and keeps its ring between calls of one run: every run is a new process.
INPUT_FUSED_CPP = r"""
#include <vector>
#include <cstdio>
#include <cstdlib>
static double $name(const double t, const double nu_pre, const double w_max)
{
    using namespace brian;
    static bool ready = false;
    static int n_src = 0, n_ring = 0;
    static long step = 0;
    static std::vector<int> first;                  // range of (src, d): first[src*n_ring + d] .. next entry
    static std::vector< std::vector<int32_t> > ring; // spiking inputs of the last n_ring steps
    const int32_t* pre = $syn_pre.empty() ? 0 : &$syn_pre[0];
    const int32_t* dstep = $syn_dstep.empty() ? 0 : &$syn_dstep[0];
    const size_t n_syn = $syn_w.size();
    if (!ready)
    {
        n_src = _num_$src_spikespace - 1;
        n_ring = $n_ring;
        for (size_t s = 0; s < n_syn; s++) if (dstep[s] >= n_ring)
        {
            fprintf(stderr, "$name: a delay of more than %d steps; rebuild the network\n", n_ring - 1);
            std::exit(3);
        }
        first.assign((size_t)n_src*n_ring + 1, 0);
        for (size_t s = 0; s < n_syn; s++)
        {
            if (s && (pre[s] < pre[s-1] || (pre[s] == pre[s-1] && dstep[s] < dstep[s-1])))
            {
                fprintf(stderr, "$name: synapses not sorted by (source, delay step); rebuild the network\n");
                std::exit(3);
            }
            first[(size_t)pre[s]*n_ring + dstep[s] + 1]++;
        }
        for (size_t k = 1; k < first.size(); k++) first[k] += first[k-1];
        ring.assign(n_ring, std::vector<int32_t>());
        ready = true;
    }
    const int32_t* spikes = $src_spikespace;
    const int n_spk = spikes[n_src];
    std::vector<int32_t>& now = ring[step % n_ring];
    now.assign(spikes, spikes + n_spk);
    double* w = n_syn ? &$syn_w[0] : 0;
    double* arrival = $arrivals;
    const int32_t* post = n_syn ? &$syn_post[0] : 0;
    double* ge = $tgt_ge;
    const double* post1 = $tgt_post1;
    const double dep = $tgt_learn[0]*nu_pre;
    long events = 0;
    const long oldest = step - n_ring + 1 < 0 ? 0 : step - n_ring + 1;
    for (long e = oldest; e <= step; e++)
    {
        const std::vector<int32_t>& src = ring[e % n_ring];
        const int d = (int)(step - e);
        for (size_t k = 0; k < src.size(); k++)
        {
            const size_t base = (size_t)src[k]*n_ring + d;
            const int a = first[base], b = first[base + 1];
            events += b - a;
            arrival[base] = t;
            for (int s = a; s < b; s++)
            {
                const int32_t j = post[s];
                ge[j] += w[s];
                const double wn = w[s] - dep*post1[j];
                w[s] = wn < 0.0 ? 0.0 : (wn > w_max ? w_max : wn);
            }
        }
    }
    step++;
    return (double)events;
}
"""


def input_fused_function(source: str, target: str, synapses: str, arrivals: str, n_ring: int):
    """The Brian2 ``Function`` running :data:`INPUT_FUSED_CPP` for the projection ``synapses`` from the
    group ``source`` onto ``target``, arrival times in the variable ``lastpre`` of the group ``arrivals``
    (``n_input * n_ring``; group names; cpp_standalone only).  Called as ``input_exc_fused(t, nu_pre,
    w_max)``; returns the step's synaptic events."""
    def unavailable(*args):
        raise NotImplementedError("the fused input projection runs on cpp_standalone only")

    name = f"_wb_{synapses}_fused"
    code = string.Template(INPUT_FUSED_CPP).substitute(
        name=name, src_spikespace=f"_array_{source}__spikespace", syn_pre=f"_dynamic_array_{synapses}__synaptic_pre",
        syn_post=f"_dynamic_array_{synapses}__synaptic_post", syn_dstep=f"_dynamic_array_{synapses}_dstep",
        syn_w=f"_dynamic_array_{synapses}_w", arrivals=f"_array_{arrivals}_lastpre", n_ring=int(n_ring),
        tgt_ge=f"_array_{target}_ge", tgt_post1=f"_array_{target}_post1", tgt_learn=f"_array_{target}_learn")
    f = Function(unavailable, arg_units=[second, 1, 1], return_unit=1, arg_names=["t", "nu_pre", "w_max"],
                 stateless=False, auto_vectorise=False)
    f.implementations.add_implementation(CPPCodeGenerator, code=code, name=name)
    return f


def delay_steps(delay_s: np.ndarray, dt_s: float) -> np.ndarray:
    """Delays in time steps with Brian2's rounding (``(int)(delay/dt + 0.5)``, its spike queue's)."""
    return (np.asarray(delay_s, dtype=np.float64) / np.float64(dt_s) + 0.5).astype(np.int32)


#: The lateral inhibition (:data:`INH_EXC_ON_PRE` from every inhibitory neuron onto every *other*
#: excitatory neuron) for cpp_standalone without its n*(n-1) synapses (41 M at 6,400 neurons: 0.8 GB of
#: index arrays and spike-queue lists, rebuilt by every run): each inhibitory spike adds ``w_ie`` to
#: ``gi`` of every excitatory neuron but its partner, spikes in ascending order -- the additions Brian2
#: makes, in its order.  Returns the step's inhibitory spikes.
INH_FUSED_CPP = r"""
static double $name(const double w_ie)
{
    using namespace brian;
    const int n_src = _num_$src_spikespace - 1;
    const int32_t* spikes = $src_spikespace;
    const int n_spk = spikes[n_src];
    double* gi = $tgt_gi;
    const int n_tgt = _num_$tgt_gi;
    for (int k = 0; k < n_spk; k++)
    {
        const int i = spikes[k];
        for (int j = 0; j < n_tgt; j++)
            if (j != i) gi[j] += w_ie;
    }
    return (double)n_spk;
}
"""


def inh_fused_function(source: str, target: str, name: str):
    """The Brian2 ``Function`` running :data:`INH_FUSED_CPP` from the group ``source`` onto ``target``
    (cpp_standalone only); called as ``NAME(w_ie)``, returns the step's spikes of ``source``."""
    def unavailable(*args):
        raise NotImplementedError("the fused lateral inhibition runs on cpp_standalone only")

    cname = f"_wb_{name}"
    code = string.Template(INH_FUSED_CPP).substitute(name=cname, src_spikespace=f"_array_{source}__spikespace",
                                                     tgt_gi=f"_array_{target}_gi")
    f = Function(unavailable, arg_units=[1], return_unit=1, arg_names=["w_ie"], stateless=False,
                 auto_vectorise=False)
    f.implementations.add_implementation(CPPCodeGenerator, code=code, name=cname)
    return f


#: :data:`DIEHL_COOK_STDP`'s on_post with the arrival time read from the fused step's table
#: (``lastpre_of(i, dstep)``: the time the last spike of input ``i`` arrived over delay step ``dstep``).
FUSED_ON_POST = DIEHL_COOK_STDP.on_post.replace("lastpre", "lastpre_of(i, dstep)")

LASTPRE_CPP = r"""
static inline double $name(const int32_t i, const int32_t d)
{
    return brian::$arrivals[(size_t)i*$n_ring + d];
}
"""


def lastpre_function(arrivals: str, n_ring: int):
    """``lastpre_of(i, dstep)``: the arrival time stored by :data:`INPUT_FUSED_CPP` in the variable
    ``lastpre`` of the group ``arrivals`` (cpp_standalone only)."""
    def unavailable(*args):
        raise NotImplementedError("lastpre_of runs on cpp_standalone only")

    cname = f"_wb_{arrivals}_lastpre_of"
    code = string.Template(LASTPRE_CPP).substitute(name=cname, arrivals=f"_array_{arrivals}_lastpre",
                                                   n_ring=int(n_ring))
    f = Function(unavailable, arg_units=[1, 1], return_unit=second, arg_names=["i", "d"], arg_types=["integer",
                 "integer"], stateless=True, auto_vectorise=False)
    f.implementations.add_implementation(CPPCodeGenerator, code=code, name=cname)
    return f
