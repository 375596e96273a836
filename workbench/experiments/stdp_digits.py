"""Unsupervised STDP digit learning (Diehl & Cook 2015), the whole protocol as generated code.

Diehl PU & Cook M (2015) Unsupervised learning of digit recognition using
spike-timing-dependent plasticity. Front. Comput. Neurosci. 9:99.
Every constant below is checked against the paper and the authors' released
code, github.com/peter-u-diehl/stdp-mnist (``Diehl&Cook_spiking_MNIST.py``,
"DC" below; ``Diehl&Cook_MNIST_random_conn_generator.py``, "RC" below).

Network
-------
784 Poisson inputs -> ``n_exc`` excitatory conductance LIF neurons with an
adaptive threshold (all-to-all, plastic, random delays 0-10 ms) -> ``n_exc``
inhibitory neurons (one-to-one) -> every *other* excitatory neuron (lateral
inhibition).  The equations are written here (not the library's
``diehl_cook_exc``) so that the conductances, the traces and the learning
flag live in one place; units are checked and constants go through
``namespace=``.

Protocol (all inside the simulation)
------------------------------------
Time is cut into *slots* of ``t_present + t_rest`` (350 + 150 ms, DC).  A
controller group (one neuron, ``run_regularly`` every step) keeps the image
index, the input intensity and the presentation flag:

* at the start of a slot, if images remain, the presentation starts: input
  rates are read from a lookup table (a 2-d ``TimedArray`` indexed by the
  image number, not by time) as ``pixel/8 * intensity`` Hz (DC:
  ``rates = x/8*input_intensity``, intensity starts at 2, i.e. pixel/4,
  at most 63.75 Hz);
* at the same moment, during training, the input weights onto each
  excitatory neuron are normalised to sum ``w_total`` = 78 (DC
  ``normalize_weights()`` is called before every presentation, repeats
  included);
* at ``t_present`` the input stops; if the excitatory population fired fewer
  than ``min_spikes`` = 5 spikes during the presentation the same image is
  shown again in the next slot with ``intensity += 1`` (DC), otherwise the
  controller moves to the next image and resets the intensity to 2.

The excitatory spikes are counted in the simulation by a 400-synapse
projection onto the controller.  One standalone build serves training
(``learn=1``), the frozen pass that assigns classes (``learn=0``) and
testing: each batch of ``batch_slots`` slots is one run of the compiled
program with the image table, the weights and the state passed through
``run_args`` (no rebuild, no Python per image).  After every batch the
state is checkpointed to the output archive.

Integration and runaway detection
---------------------------------
The authors integrate with forward Euler at dt = 0.5 ms.  With the membrane
equation ``tau dv/dt = (v_rest - v) + ge (E_exc - v) + gi (E_inh - v)`` that
is unstable once ``dt (1 + ge + gi)/tau > 2``: about two dozen simultaneous
inhibitory spikes (gi ~ 24 x 17) are enough, after which the network fires
without input.  The default ``method='exponential_euler'`` integrates the
conditionally linear equations exactly for the conductances of each step and
is stable for any dt; ``method='euler'`` reproduces the authors' scheme.
Either way, excitatory spikes in the input-free part of each rest period
(from ``runaway_guard`` after input offset) are counted; a slot with more
than ``runaway_spikes`` of them is a runaway slot.  The archive stores the
counts (``rest_spikes``, ``runaway_slots``, ``runaway``), and a warning is
issued -- never silent.

Deviations from DC, all deliberate and small
---------------------------------------------
* DC's threshold also requires ``timer > 5 ms`` with ``dtimer/dt = 100``
  (units switched off: 100 s/s), i.e. 0.05 ms after a spike -- inside the
  5 ms refractory period, during which v is clamped anyway.  The timer is
  therefore a no-op and is left out.  (The library's ``diehl_cook_exc`` keeps
  the timer with the authors' rate of 100 s/s, so it is equally a no-op there.)
* DC counts a presentation's spikes from the end of the previous presentation,
  so spikes during the preceding rest are included; here only spikes during
  the presentation count (rest spikes are reported separately).
* STDP traces are computed exactly: per-synapse ``pre`` trace as
  ``exp(-(t - t_last_arrival)/tau_pre)`` (DC sets it to 1 on every spike, so
  only the last arrival matters), and the post traces as variables of the
  excitatory neurons (they are identical for all synapses of a neuron).  The
  presynaptic effects (conductance, trace, depression) happen when the
  delayed spike arrives.
* ge, gi, v, traces and the intensity carry over between batches; the
  random number generator is re-seeded per batch from (seed, phase, batch).
* Initial weights are drawn as in RC (``(U[0,1) + 0.01) * 0.3``) with the
  run's seed instead of the shipped ``random/XeAe.npy``.
* The Poisson inputs are drawn by exponential inter-spike intervals (one
  random number per spike) instead of a Bernoulli draw per input and step
  (Brian's PoissonGroup); both are Poisson processes of the same rate, and
  they differ in O((rate dt)^2) = 0.1 % at the highest rate.

Speed (what the generated code spends its time on)
--------------------------------------------------
At 400 excitatory neurons about half of the time is the plastic input
projection (~1.1 M synaptic events per digits image: the heterogeneous-delay
queue push and the on_pre code).  The membrane step is written out
(:func:`v_step_code`) so that its exponential is ``exp_fast``, an inlined
polynomial (glibc's ``exp``, called per neuron and step, was a third of the
run); the normalisation computes one factor per neuron.  Measured and
dropped: one Synapses object per delay step (block pushes) ran slower and
took minutes to compile; backward Euler (``method=implicit_euler``) is
cheaper still but slows the fast inhibitory neurons (30 % more excitatory
spikes).  ``benchmarks/stdp_digits_speed.py`` has the numbers.

Classification (paper Sec. 2.6, DC ``get_new_assignments``,
``get_recognized_number_ranking``): after training, plasticity and theta are
frozen, the network is shown ``n_assign`` training images; each neuron is
assigned the class with its highest mean response; a test image is labelled
with the class whose assigned neurons have the highest mean spike count.
During training the paper's running estimate is recorded: each batch is
classified with assignments from the responses to the previous
``update_interval`` training images.

Archive (self-contained: enough to rebuild and deploy the trained network)
---------------------------------------------------------------------------
Results: ``test_accuracy`` (0-d, fraction), ``prediction``/``label``
(test_image), ``confusion`` (true_class, predicted_class; ``class_name``
coordinate), ``assignment`` (neuron), ``test_spike_count`` (test_image,
neuron), ``running_accuracy``/``images_seen`` (checkpoint), times
(``training_time``, ``training_cpu_time``, ``time_per_train_image``,
``assignment_time``, ``test_time``, ``build_time``), ``train_presentations``,
``book_n_presentations``/``book_n_repeats`` (phase), runaway counters
(``runaway``, ``runaway_slots``, ``rest_spikes``, ``max_rest_spikes``).

Network: ``receptive_field`` (neuron, row, col) -- the input->exc weight w of
input pixel (row, col) onto excitatory neuron ``neuron``, a jump
``ge += w`` of the dimensionless conductance (units of the leak conductance);
``input_delay`` (neuron, row, col, ms); ``theta`` (neuron, mV; threshold =
theta - param_theta_offset + param_v_thresh_e); exc->inh: one-to-one,
``ge_inh += param_w_ei``; inh->exc: every inhibitory neuron i to every
excitatory j != i, ``gi_exc += param_w_ie``; every constant of
:data:`DC_PARAMS` as a 0-d ``param_*`` variable with its unit; the equations
are :data:`EXC_EQS` and :data:`INH_EQS` (dt ``config['dt']``).  ``state_*``
variables hold the full dynamic state for ``--resume`` (the archive attrs
``ckpt_*`` say where the run stands).
"""
from __future__ import annotations

import hashlib
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr
from brian2 import (EventMonitor, Hz, Network, NeuronGroup, SpikeMonitor, Synapses, TimedArray,
                    defaultclock, mV, ms, second)

from ..backends import canonical_clock_resets, model_key, use_backend
from ..models.functions import exp_fast
from ..params import Param, ParameterError
from ..protocol import Protocol

__all__ = ["PROTOCOL", "DC_PARAMS", "build_network", "assign_classes", "classify", "StdpDigitsError"]


class StdpDigitsError(RuntimeError):
    """A run cannot continue (bad resume archive, inconsistent in-simulation counters)."""


#: Model constants, each with its source.
DC_PARAMS = dict(
    v_rest_e=-65 * mV,      # DC v_rest_e
    v_reset_e=-65 * mV,     # DC v_reset_e
    v_thresh_e=-52 * mV,    # DC v_thresh_e (threshold = theta - offset + v_thresh_e)
    v_rest_i=-60 * mV,      # DC v_rest_i
    v_reset_i=-45 * mV,     # DC v_reset_i
    v_thresh_i=-40 * mV,    # DC v_thresh_i
    t_ref_e=5 * ms,         # DC refrac_e
    t_ref_i=2 * ms,         # DC refrac_i
    tau_e=100 * ms,         # DC neuron_eqs_e: /(100*ms)
    tau_i=10 * ms,          # DC neuron_eqs_i: /(10*ms)
    E_exc=0 * mV,           # DC I_synE = ge*nS*(-v)
    E_inh_e=-100 * mV,      # DC I_synI = gi*nS*(-100*mV - v) (excitatory neurons)
    E_inh_i=-85 * mV,       # DC I_synI = gi*nS*(-85*mV - v) (inhibitory neurons)
    tau_ge=1 * ms,          # DC dge/dt = -ge/(1.0*ms)
    tau_gi=2 * ms,          # DC dgi/dt = -gi/(2.0*ms)
    theta_plus=0.05 * mV,   # DC theta_plus_e; paper Sec. 2.4
    tau_theta=1e7 * ms,     # DC tc_theta; paper Sec. 2.4
    theta_init=20 * mV,     # DC theta = 20 mV initially ...
    theta_offset=20 * mV,   # ... and offset 20 mV: threshold starts at v_thresh_e
    tau_pre=20 * ms,        # DC tc_pre_ee
    tau_post1=20 * ms,      # DC tc_post_1_ee
    tau_post2=40 * ms,      # DC tc_post_2_ee
    nu_pre=1e-4,            # DC nu_ee_pre; paper Sec. 2.3
    nu_post=1e-2,           # DC nu_ee_post
    w_max=1.0,              # DC wmax_ee
    w_init_scale=0.3,       # RC weight['ee_input']: (rand + 0.01)*0.3
    w_ei=10.4,              # RC weight['ei'], one-to-one exc -> inh
    w_ie=17.0,              # RC weight['ie'], inh -> every other exc
    w_total=78.0,           # DC weight['ee_input'] (normalisation target)
    delay_max=10 * ms,      # DC delay['ee_input'] = (0 ms, 10 ms), uniform
    rate_per_level=0.125 * Hz,  # DC rates = pixel/8*input_intensity
    intensity0=2.0,         # DC input_intensity (start)
    d_intensity=1.0,        # DC input_intensity += 1 on a repeat
    min_spikes=5,           # DC: np.sum(current_spike_count) < 5 -> repeat
)

#: The state carried from batch to batch (and saved in checkpoints).
STATE_VARS = ("w", "lastpre", "theta", "v_e", "ge_e", "gi_e", "post1", "post2", "v_i", "ge_i", "gi_i")


# ----------------------------------------------------------------------------- network

EXC_EQS = """
dv/dt = ((v_rest_e - v) + ge*(E_exc - v) + gi*(E_inh_e - v))/tau_e : volt (unless refractory)
dge/dt = -ge/tau_ge : 1
dgi/dt = -gi/tau_gi : 1
dtheta/dt = -learn*theta/tau_theta : volt
dpost1/dt = -post1/tau_post1 : 1
dpost2/dt = -post2/tau_post2 : 1
wsum : 1
wscale : 1
wsum_after : 1
learn : 1 (shared)
"""

INH_EQS = """
dv/dt = ((v_rest_i - v) + ge*(E_exc - v) + gi*(E_inh_i - v))/tau_i : volt (unless refractory)
dge/dt = -ge/tau_ge : 1
dgi/dt = -gi/tau_gi : 1
"""

CTRL_EQS = """
k : integer
img : 1
n_img : 1
intensity : 1
on : 1
nspk : 1
presented : 1
rec_img : 1
rec_intensity : 1
rec_nspk : 1
rngseed : 1
"""

# Every step, first thing.  'presented' marks the last step of a presentation's
# window (phase == steps_present): the outcome is recorded, then the controller
# either advances (enough spikes) or raises the intensity for a repeat.
# The record copies run in their own code block: in one numpy block, 'rec_img = img' followed by
# 'img = img + ...' aliased the stored array and recorded the *new* index (Brian2 2.9 numpy target).
CTRL_RECORD = """
rec_img = img
rec_intensity = intensity
rec_nspk = nspk
"""

CTRL_CODE = """
presented = int(k % steps_slot == steps_present) * on
ok = int(nspk >= min_spikes)
img = img + presented*ok
intensity = intensity + presented*(ok*(intensity0 - intensity) + (1 - ok)*d_intensity)
on = on*(1 - presented)
slot_start = int(k % steps_slot == 0)
on = on + slot_start*(int(img < n_img - 0.5) - on)
nspk = nspk*(1 - slot_start)
k = k + 1
"""


@dataclass
class Net:
    """The Brian2 objects of one build and what the runner needs to drive them."""

    net: Network
    inp: NeuronGroup
    exc: NeuronGroup
    inh: NeuronGroup
    ctrl: NeuronGroup
    s_in: Synapses   # input -> exc; synapse k = (input k // n_exc, exc k % n_exc)
    table: TimedArray
    namespace: dict
    spikes_e: SpikeMonitor
    events: EventMonitor
    norm_monitor: object = None
    slots: int = 0
    steps_slot: int = 0
    steps_present: int = 0
    n_input: int = 784
    extra: dict = field(default_factory=dict)


def v_step_code(sfx: str, method: str = "exponential_euler") -> str:
    """The membrane step of the excitatory (``sfx='e'``) or inhibitory (``'i'``) neurons.

    ``tau dv/dt = (v_rest - v) + ge (E_exc - v) + gi (E_inh - v)`` with the
    conductances of the step start is linear in v.  ``exponential_euler``:
    ``v -> v_inf + (v - v_inf) exp(-dt (1 + ge + gi)/tau)``, Brian2's own
    exponential-Euler formula (``exp_fast`` inlines in C++); ``implicit_euler``:
    a backward-Euler division (also unconditionally stable, but it slows the
    fast inhibitory neurons: more spikes, measured).  The refractoriness test is
    Brian2's (``timestep(t - lastspike) >= timestep(t_ref)``), so v is clamped on
    exactly the steps Brian2 clamps it.
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


def build_network(n_exc: int, n_input: int, slots: int, *, dt=0.5 * ms, t_present=350 * ms, t_rest=150 * ms,
                  method: str = "exponential_euler", params: dict | None = None, rng=None,
                  verify_normalisation: bool = False) -> Net:
    """Build the Diehl & Cook network with its in-simulation controller (see module docs).

    ``slots`` is the number of presentation slots per run (the length of the
    image table).  ``rng`` draws the initial weights and the delays.
    """
    p = dict(DC_PARAMS)
    p.update(params or {})
    rng = np.random.default_rng(0) if rng is None else rng
    defaultclock.dt = dt   # every group and per-step operation runs on the default clock
    steps_present = int(round(float(t_present / dt)))
    steps_slot = steps_present + int(round(float(t_rest / dt)))
    table = TimedArray(np.zeros((slots, n_input)), dt=1 * second, name="pixel_table")
    ns = dict(p)
    ns.update(pixel_table=table, steps_slot=steps_slot, steps_present=steps_present,
              t_slot=steps_slot * dt)
    ns["min_spikes"] = float(p["min_spikes"])

    ctrl = NeuronGroup(1, CTRL_EQS, events={"presented": "presented > 0.5"}, namespace=ns, name="controller")
    ctrl.run_regularly(CTRL_RECORD, when="start", order=-11, name="controller_record")
    ctrl.run_regularly(CTRL_CODE, when="start", order=-10, name="controller_step")

    # Poisson inputs drawn by their exponential inter-spike intervals: next_t is the next event
    # of a rate-``rate`` Poisson process, emitted on the first step at or after it; the next
    # interval is counted from the event (not the step), so the spike count stays Poisson and
    # an interval shorter than dt delays the spike by a step instead of losing it.  A random
    # number per spike instead of one per input per step (DC/Brian2 PoissonGroup:
    # rand() < rate*dt each step; the same process up to O((rate*dt)^2) = 0.1 % at 63.75 Hz).
    inp = NeuronGroup(n_input, """rate : Hz
                      next_t : second
                      on : 1 (linked)
                      img : 1 (linked)
                      intensity : 1 (linked)""",
                      threshold="on > 0.5 and t >= next_t", reset="next_t = next_t - log(1 - rand())/rate",
                      namespace=ns, name="inputs")
    if method not in ("exponential_euler", "euler", "implicit_euler"):
        raise ValueError(f"method {method!r}: use exponential_euler, implicit_euler or euler")
    exc_eqs, inh_eqs, ode_method = EXC_EQS, INH_EQS, method
    if method != "euler":
        # v is advanced by a hand-written step (below) before Brian2's state updater integrates the
        # linear decays (ge, gi, theta, traces) exactly: the step sees the conductances of the step
        # start, as Brian2's own exponential Euler does.
        exc_eqs = "v : volt\n" + EXC_EQS.split("\n", 2)[2]
        inh_eqs = "v : volt\n" + INH_EQS.split("\n", 2)[2]
        ode_method = "exact"
        ns.update(dt_tau_e=float(dt / p["tau_e"]), dt_tau_i=float(dt / p["tau_i"]), exp_fast=exp_fast)
    exc = NeuronGroup(n_exc, exc_eqs, threshold="v > theta - theta_offset + v_thresh_e",
                      reset="v = v_reset_e; theta += learn*theta_plus; post1 = 1; post2 = 1",
                      refractory="t_ref_e", method=ode_method, namespace=ns, name="exc")
    inh = NeuronGroup(n_exc, inh_eqs, threshold="v > v_thresh_i", reset="v = v_reset_i",
                      refractory="t_ref_i", method=ode_method, namespace=ns, name="inh")
    if method != "euler":   # the membrane step: see v_step_code
        for grp, sfx in ((exc, "e"), (inh, "i")):
            grp.run_regularly(v_step_code(sfx, method), when="groups", order=-1, name=f"{grp.name}_v_step")
    return _finish(locals())


def _finish(loc):  # split only to keep build_network readable
    from brian2 import linked_var

    ctrl, inp, exc, inh, ns, p, rng = (loc[k] for k in ("ctrl", "inp", "exc", "inh", "ns", "p", "rng"))
    n_exc, n_input, slots = loc["n_exc"], loc["n_input"], loc["slots"]
    zero = np.zeros(n_input, dtype=int)
    inp.on = linked_var(ctrl, "on", index=zero)
    inp.img = linked_var(ctrl, "img", index=zero)
    inp.intensity = linked_var(ctrl, "intensity", index=zero)
    t_slot = ns["t_slot"]
    # One named clock for everything done once per slot: auto-named clocks (run_regularly(dt=...))
    # change name with every network built in a process, which changed the code and forced recompiles.
    from brian2 import Clock

    slot_clock = Clock(dt=t_slot, name="slot_clock")
    # Slot start, after the controller: new rates (a repeat gets its raised intensity).
    # (a silent input's next event is put beyond any run: t_never)
    ns["t_never"] = 1e9 * second
    inp.run_regularly("rate = pixel_table(img*second, i)*intensity*rate_per_level\n"
                      "silent = int(rate <= 0*Hz)\n"
                      "next_t = t + (1 - silent)*(-log(1 - rand())/(rate + silent*Hz)) + silent*t_never",
                      clock=slot_clock, when="start", order=-9, name="input_rates")

    # Initial state (overwritten by run_args / state values on every run).
    # Synapse k of the all-to-all projection is (input k // n_exc, exc k % n_exc) in every state
    # vector and archive.
    n_syn = n_input * n_exc
    w0 = (rng.random(n_syn) + 0.01) * p["w_init_scale"]      # RC create_weights()
    delay_ms = rng.random(n_syn) * float(p["delay_max"] / ms)  # DC delay=(0 ms, 10 ms)
    # One Synapses object with Brian2's heterogeneous-delay spike queue.  (Measured and dropped:
    # one object per delay step, whose queues push whole blocks, ran *slower* -- 21 objects' fixed
    # costs per step -- and its 150 code objects took minutes to compile.)
    S = Synapses(inp, exc, model="""w : 1
                 lastpre : second""",
                 on_pre="""ge_post += w
                 lastpre = t
                 w = clip(w - learn_post*nu_pre*post1_post, 0, w_max)""",
                 on_post="w = clip(w + learn_post*nu_post*exp((lastpre - t)/tau_pre)*post2_post, 0, w_max)",
                 namespace=ns, name="input_exc")
    S.connect()
    S.delay = delay_ms * ms
    S.w = w0
    S.lastpre = -1e6 * second
    # Normalisation before every presentation (DC normalize_weights): an exact
    # single-threaded sum per excitatory neuron, then a scaling (training only).
    exc.run_regularly("wsum = 0", clock=slot_clock, when="start", order=-8, name="norm_reset")
    S.run_regularly("wsum_post += w", clock=slot_clock, when="start", order=-7, name="norm_sum")
    exc.run_regularly("wscale = learn*w_total/wsum + (1 - learn)", clock=slot_clock, when="start", order=-6,
                      name="norm_factor")
    S.run_regularly("w = w*wscale_post", clock=slot_clock, when="start", order=-5, name="norm_scale")
    objs = []
    norm_monitor = None
    if loc["verify_normalisation"]:
        from brian2 import StateMonitor

        exc.run_regularly("wsum_after = 0", clock=slot_clock, when="start", order=-4, name="norm_check_reset")
        S.run_regularly("wsum_after_post += w", clock=slot_clock, when="start", order=-3, name="norm_check_sum")
        norm_monitor = StateMonitor(exc, ["wsum", "wsum_after"], record=True, clock=slot_clock, when="start",
                                    order=-2, name="norm_monitor")
        objs.append(norm_monitor)
    s_ei = Synapses(exc, inh, on_pre="ge_post += w_ei", namespace=ns, name="exc_inh")
    s_ei.connect(j="i")
    s_ie = Synapses(inh, exc, on_pre="gi_post += w_ie", namespace=ns, name="inh_exc")
    s_ie.connect(condition="i != j")
    s_count = Synapses(exc, ctrl, on_pre="nspk_post += on_post", namespace=ns, name="spike_counter")
    s_count.connect(j="0")

    exc.v = p["v_rest_e"] - 40 * mV     # DC
    inh.v = p["v_rest_i"] - 40 * mV     # DC
    exc.theta = p["theta_init"]
    exc.learn = 1
    ctrl.intensity = p["intensity0"]

    spikes_e = SpikeMonitor(exc, name="spikes_exc")
    events = EventMonitor(ctrl, "presented", variables=["rec_img", "rec_intensity", "rec_nspk"],
                          name="presentations")
    net = Network(ctrl, inp, exc, inh, S, s_ei, s_ie, s_count, spikes_e, events, *objs)
    return Net(net=net, inp=inp, exc=exc, inh=inh, ctrl=ctrl, s_in=S, table=loc["table"], namespace=ns,
               spikes_e=spikes_e, events=events, norm_monitor=norm_monitor, slots=slots,
               steps_slot=ns["steps_slot"], steps_present=ns["steps_present"], n_input=n_input,
               extra={"w0": w0, "delay_ms": delay_ms})


# ----------------------------------------------------------------------------- runner

class Runner:
    """Runs batches of slots on one build: standalone via run_args, runtime via restore + assign."""

    def __init__(self, m: Net, backend, seed: int, profile: bool = False):
        self.m = m
        self.profile = profile
        self.cpu_times = []
        self.backend = backend
        self.seed = seed
        self.n_runs = 0
        self.build_time = 0.0
        self.run_times = []
        if backend.standalone:
            from brian2 import device

            device.apply_run_args()
            seed_array = device.get_array_name(m.ctrl.variables["rngseed"])
            n_threads = max(1, backend.threads)
            if backend.name == "cpp_standalone":
                device.insert_code(
                    "main",
                    f"for (int _i=0; _i<{n_threads}; _i++) "
                    f"brian::_random_generators[_i].seed((unsigned long)brian::{seed_array}[0] + _i);")
            else:
                # _random_generators exist only in cpp_standalone; GPU devices (brian2cuda, Brian2GeNN)
                # keep their own generator state, so batches are not re-seeded there.
                warnings.warn(f"stdp-digits on {backend.name}: random numbers are not re-seeded per batch "
                              "(cpp_standalone only); a resumed run will not repeat an uninterrupted one")
        else:
            m.net.store("stdp_initial")

    def run(self, table: np.ndarray, n_img: int, learn: float, state: dict, rngseed: int) -> dict:
        m = self.m
        duration = m.slots * m.steps_slot * defaultclock.dt
        if not self.backend.standalone and self.n_runs:
            # Restore *before* the views are made: views made earlier and assigned after restore() were
            # silently lost on the runtime targets (measured: the weights stayed at their stored values).
            m.net.restore("stdp_initial")
        values = self._values(state, learn, n_img, rngseed)
        t0 = time.perf_counter()
        if self.backend.standalone:
            from brian2 import device

            tab = {m.table: np.asarray(table, dtype=float)}
            if self.n_runs == 0:
                m.net.run(duration, namespace={}, profile=self.profile)
                tb = time.perf_counter()
                canonical_clock_resets(device)   # same model -> same main.cpp (no relink)
                device.build(directory=str(self.backend.build_dir), compile=True, run=False, with_output=False)
                self.build_time = time.perf_counter() - tb
            run_args = {**values, **tab}
            import resource

            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            tr = time.perf_counter()
            device.run(with_output=False, run_args=run_args)
            self.run_times.append(time.perf_counter() - tr)
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            self.cpu_times.append(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime)
            for name in device.run_args_arrays:   # the per-run value files would pile up
                f = Path(device.project_dir) / "static_arrays" / name
                if f.exists():
                    f.unlink()
        else:
            import brian2

            m.namespace["pixel_table"] = TimedArray(np.asarray(table, dtype=float), dt=1 * second,
                                                    name="pixel_table")
            for view, value in values.items():
                view[:] = value
            brian2.seed(int(rngseed))
            tr = time.perf_counter()
            c0 = time.process_time()
            m.net.run(duration, namespace={})
            self.run_times.append(time.perf_counter() - tr)
            self.cpu_times.append(time.process_time() - c0)
        self.n_runs += 1
        out = self._collect(duration, time.perf_counter() - t0)
        out["cpu"] = self.cpu_times[-1]
        return out

    def _values(self, state, learn, n_img, rngseed) -> dict:
        m = self.m
        return {
            m.s_in.w: state["w"], m.s_in.lastpre: state["lastpre"] * ms,
            m.exc.theta: state["theta"] * mV, m.exc.v: state["v_e"] * mV, m.exc.ge: state["ge_e"],
            m.exc.gi: state["gi_e"], m.exc.post1: state["post1"], m.exc.post2: state["post2"],
            m.inh.v: state["v_i"] * mV, m.inh.ge: state["ge_i"], m.inh.gi: state["gi_i"],
            m.exc.learn: float(learn), m.ctrl.n_img: float(n_img), m.ctrl.intensity: float(state["intensity"]),
            m.ctrl.rngseed: float(rngseed),
        }

    def _collect(self, duration, wall) -> dict:
        m = self.m
        dt_ms = float(defaultclock.dt / ms)
        out = {"wall": wall}
        out["spike_step_e"] = np.round(np.asarray(m.spikes_e.t / ms) / dt_ms).astype(np.int64)
        out["spike_i_e"] = np.array(m.spikes_e.i[:], dtype=np.int64)
        out["ev_step"] = np.round(np.asarray(m.events.t / ms) / dt_ms).astype(np.int64)
        out["ev_img"] = np.round(np.asarray(m.events.rec_img[:])).astype(np.int64)
        out["ev_intensity"] = np.array(m.events.rec_intensity[:], dtype=float)
        out["ev_nspk"] = np.round(np.asarray(m.events.rec_nspk[:])).astype(np.int64)
        T = float(duration / ms)
        st = {
            "w": np.array(m.s_in.w[:], dtype=float),
            "lastpre": np.array(m.s_in.lastpre[:] / ms, dtype=float) - T,
            "theta": np.array(m.exc.theta[:] / mV, dtype=float),
            "v_e": np.array(m.exc.v[:] / mV, dtype=float),
            "ge_e": np.array(m.exc.ge[:], dtype=float), "gi_e": np.array(m.exc.gi[:], dtype=float),
            "post1": np.array(m.exc.post1[:], dtype=float), "post2": np.array(m.exc.post2[:], dtype=float),
            "v_i": np.array(m.inh.v[:] / mV, dtype=float),
            "ge_i": np.array(m.inh.ge[:], dtype=float), "gi_i": np.array(m.inh.gi[:], dtype=float),
            "intensity": float(m.ctrl.intensity[0]),
            "img": int(round(float(m.ctrl.img[0]))),
        }
        # np.array copies: on the runtime targets 'var[:]' can be a view of the live array, which the
        # next restore() overwrote (the state then silently reverted to the initial values).
        out["state"] = st
        if m.norm_monitor is not None:
            out["wsum"] = np.array(m.norm_monitor.wsum[:], dtype=float)          # (neuron, slot)
            out["wsum_after"] = np.array(m.norm_monitor.wsum_after[:], dtype=float)
        return out


def slot_counts(res: dict, n_exc: int, slots: int, steps_slot: int, steps_present: int, guard_steps: int):
    """Per accepted presentation: image index (in the batch table) and per-neuron spike counts.

    Also returns per-slot rest-spike counts (excitatory spikes from ``guard_steps``
    after input offset to the end of the slot) and checks the in-simulation
    spike counter against the monitor.
    """
    step, idx = res["spike_step_e"], res["spike_i_e"]
    slot = step // steps_slot
    phase = step % steps_slot
    pres = phase < steps_present
    counts = np.zeros((slots, n_exc), dtype=np.int64)
    np.add.at(counts, (slot[pres], idx[pres]), 1)
    rest = (phase >= steps_present + guard_steps)
    rest_counts = np.bincount(slot[rest], minlength=slots)[:slots]
    ev_slot = res["ev_step"] // steps_slot
    got = counts[ev_slot].sum(axis=1)
    if not np.array_equal(got, res["ev_nspk"]):
        bad = np.flatnonzero(got != res["ev_nspk"])[:5]
        raise StdpDigitsError(
            f"in-simulation spike counter disagrees with the spike monitor in slots {ev_slot[bad].tolist()}: "
            f"counter {res['ev_nspk'][bad].tolist()} vs monitor {got[bad].tolist()}")
    accepted = res["ev_nspk"] >= DC_PARAMS["min_spikes"]
    return {
        "img": res["ev_img"][accepted], "counts": counts[ev_slot[accepted]],
        "n_presentations": len(ev_slot), "n_repeats": int((~accepted).sum()),
        "intensity": res["ev_intensity"][accepted], "rest_counts": rest_counts,
    }


# ----------------------------------------------------------------------------- classification

def assign_classes(class_sums: np.ndarray, class_n: np.ndarray) -> np.ndarray:
    """DC ``get_new_assignments``: each neuron gets the class with the highest mean count (ties and
    silent neurons -> the lowest class index, as DC's strict '>' from 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(class_n[:, None] > 0, class_sums / np.maximum(class_n[:, None], 1), 0.0)
    a = np.argmax(rate, axis=0)
    a[rate.max(axis=0) <= 0] = 0
    return a.astype(np.int64)


def classify(counts: np.ndarray, assignment: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """DC ``get_recognized_number_ranking``: the class whose assigned neurons fire most on average
    (ties -> the highest class index, as DC's ``argsort(...)[::-1][0]``)."""
    counts = np.atleast_2d(counts).astype(float)
    summed = np.zeros((len(counts), n_classes))
    for c in range(n_classes):
        sel = assignment == c
        if sel.any():
            summed[:, c] = counts[:, sel].sum(axis=1) / sel.sum()
    rev = summed[:, ::-1]
    return (n_classes - 1 - np.argmax(rev, axis=1)).astype(np.int64)


# ----------------------------------------------------------------------------- protocol

def _seed_for(seed: int, phase: str, batch: int) -> int:
    h = hashlib.sha256(f"{seed}:{phase}:{batch}".encode()).digest()
    return int.from_bytes(h[:4], "little") & 0x7FFFFFFF


def _initial_state(m: Net, p: dict) -> dict:
    n = len(m.exc)
    return {
        "w": np.array(m.extra["w0"], dtype=float),
        "lastpre": np.full(m.n_input * n, -1e6),
        "theta": np.full(n, float(p["theta_init"] / mV)),
        "v_e": np.full(n, float((p["v_rest_e"] - 40 * mV) / mV)),
        "ge_e": np.zeros(n), "gi_e": np.zeros(n), "post1": np.zeros(n), "post2": np.zeros(n),
        "v_i": np.full(n, float((p["v_rest_i"] - 40 * mV) / mV)), "ge_i": np.zeros(n), "gi_i": np.zeros(n),
        "intensity": float(p["intensity0"]),
    }


def _params_for(params) -> dict:
    p = dict(DC_PARAMS)
    p.update(nu_pre=params.nu_pre, nu_post=params.nu_post, w_total=params.w_total, w_ie=params.w_ie,
             w_ei=params.w_ei, theta_plus=params.theta_plus, tau_theta=params.tau_theta)
    return p


class _Progress:
    def __init__(self, ctx, total, desc):
        self.bar = ctx.progress_bar(total=total, desc=desc, unit="img")

    def update(self, n):
        self.bar.update(n)

    def close(self):
        self.bar.close()


def _run(params, ctx):
    from ..datasets import load_images

    if params.n_exc < 1:
        raise ParameterError(f"n_exc must be >= 1, got {params.n_exc}")
    data = load_images(params.dataset)
    rows, cols = data.shape
    n_input = rows * cols
    if params.n_train < 0 or params.n_train > len(data.train_images):
        raise ParameterError(f"n_train={params.n_train}: {params.dataset} has {len(data.train_images)} "
                             "training images")
    if params.n_test < 1 or params.n_test > len(data.test_images):
        raise ParameterError(f"n_test={params.n_test}: {params.dataset} has {len(data.test_images)} test images")
    n_assign = params.n_train if params.n_assign < 0 else params.n_assign
    if n_assign < 1 or n_assign > len(data.train_images):
        raise ParameterError(f"n_assign={params.n_assign}: need 1..{len(data.train_images)} (-1: n_train)")
    if params.epochs < 1:
        raise ParameterError(f"epochs must be >= 1, got {params.epochs}")
    if params.n_train < 1:
        raise ParameterError("n_train must be >= 1")
    slots = params.batch
    if slots < 1:
        raise ParameterError(f"batch must be >= 1, got {slots}")
    dt = params.dt
    p = _params_for(params)
    guard_steps = int(round(float(params.runaway_guard / dt)))
    train_order = np.tile(np.arange(params.n_train), params.epochs)
    phases = [("train", data.train_images, data.train_labels, train_order, 1.0),
              ("assign", data.train_images, data.train_labels, np.arange(n_assign), 0.0),
              ("test", data.test_images, data.test_labels, np.arange(params.n_test), 0.0)]

    key = model_key("stdp_digits-1", params.n_exc, n_input, slots, float(dt / ms),
                    float(params.t_present / ms), float(params.t_rest / ms), params.method,
                    params.verify_normalisation, ctx.threads, sorted((k, str(v)) for k, v in p.items()))
    rng = ctx.rng
    resume = _load_resume(ctx, params) if ctx.resume is not None else None

    with use_backend(ctx.backend, key=key, seed=ctx.seed, threads=ctx.threads) as be:
        defaultclock.dt = dt
        t_build0 = time.perf_counter()
        m = build_network(params.n_exc, n_input, slots, dt=dt, t_present=params.t_present, t_rest=params.t_rest,
                          method=params.method, params=p, rng=rng,
                          verify_normalisation=params.verify_normalisation)
        runner = Runner(m, be, ctx.seed)
        # Synapse order of the all-to-all connect: k = i*n_exc + j.
        if resume is None:
            state = _initial_state(m, p)
            book = _new_book(params, n_input, len(phases))
        else:
            state, book = resume
        setup_time = time.perf_counter() - t_build0
        state = _run_phases(params, ctx, m, runner, phases, state, book, slots, guard_steps, rows, cols, p)
        build_time = runner.build_time
    return _final_dataset(params, ctx, m, book, state, data, rows, cols, p, build_time, setup_time)


def _new_book(params, n_input, n_phases) -> dict:
    n = params.n_exc
    return {
        "phase": 0, "pos": 0, "batch": 0,
        "train_time": 0.0, "assign_time": 0.0, "test_time": 0.0,
        "train_cpu": 0.0, "assign_cpu": 0.0, "test_cpu": 0.0,
        "n_presentations": np.zeros(3, dtype=np.int64), "n_repeats": np.zeros(3, dtype=np.int64),
        "rest_spikes": 0, "runaway_slots": 0, "max_rest_spikes": 0,
        "window_counts": np.zeros((0, n), dtype=np.int32), "window_labels": np.zeros(0, dtype=np.int64),
        "run_seen": [], "run_acc": [], "run_theta": [],
        "assign_sums": np.zeros((10, n)), "assign_n": np.zeros(10),
        "test_counts": np.zeros((0, n), dtype=np.int32), "test_pred_dummy": None,
    }


PHASE_NAMES = ("train", "assign", "test")


def _run_phases(params, ctx, m, runner, phases, state, book, slots, guard_steps, rows, cols, p):
    n = params.n_exc
    total = sum(len(ph[3]) for ph in phases)
    done_before = sum(len(phases[i][3]) for i in range(book["phase"])) + book["pos"]
    bar = _Progress(ctx, total, "stdp-digits")
    bar.update(done_before)
    try:
        while book["phase"] < len(phases):
            name, images, labels, order, learn = phases[book["phase"]]
            if book["pos"] >= len(order):
                book["phase"] += 1
                book["pos"] = 0
                continue
            sel = order[book["pos"]: book["pos"] + slots]
            table = np.zeros((slots, rows * cols))
            table[:len(sel)] = images[sel].reshape(len(sel), -1)
            seed_b = _seed_for(ctx.seed, name, book["batch"])
            res = runner.run(table, len(sel), learn, state, seed_b)
            sc = slot_counts(res, n, slots, m.steps_slot, m.steps_present, guard_steps)
            new_state = res["state"]
            n_done = new_state.pop("img")
            if n_done != len(sc["img"]) or not np.array_equal(sc["img"], np.arange(n_done)):
                raise StdpDigitsError(f"controller advanced to image {n_done} but the accepted presentations were of "
                                      f"images {sc['img'].tolist()}; the in-simulation schedule is inconsistent")
            state = new_state
            ph = book["phase"]
            book[f"{name}_time"] += res["wall"]
            book[f"{name}_cpu"] += res["cpu"]
            book["n_presentations"][ph] += sc["n_presentations"]
            book["n_repeats"][ph] += sc["n_repeats"]
            rc = sc["rest_counts"]
            book["rest_spikes"] += int(rc.sum())
            book["max_rest_spikes"] = max(book["max_rest_spikes"], int(rc.max(initial=0)))
            n_run = int((rc > params.runaway_spikes).sum())
            if n_run:
                warnings.warn(f"stdp-digits: runaway activity in {n_run} slot(s) of {name} batch {book['batch']} "
                              f"(up to {int(rc.max())} excitatory spikes without input); see 'runaway' in the "
                              "archive", RuntimeWarning, stacklevel=2)
            book["runaway_slots"] += n_run
            lab = labels[sel[:n_done]]
            counts = sc["counts"].astype(np.int32)
            if name == "train":
                _running_estimate(book, counts, lab, params, n)
            elif name == "assign":
                for c in range(10):
                    book["assign_sums"][c] += counts[lab == c].sum(axis=0)
                    book["assign_n"][c] += int((lab == c).sum())
            else:
                book["test_counts"] = np.concatenate([book["test_counts"], counts])
            if "wsum" in res:
                book.setdefault("norm_checks", []).append((res["wsum"], res["wsum_after"], int(learn)))
            book["pos"] += n_done
            book["batch"] += 1
            bar.update(n_done)
            _checkpoint(params, ctx, book, state, rows, cols, m)
    finally:
        bar.close()
    return state


def _running_estimate(book, counts, lab, params, n):
    """The paper's running estimate: classify this batch with assignments from the previous window."""
    wc, wl = book["window_counts"], book["window_labels"]
    if len(wl):
        sums = np.stack([wc[wl == c].sum(axis=0) for c in range(10)]).astype(float)
        nn = np.array([(wl == c).sum() for c in range(10)], dtype=float)
        pred = classify(counts, assign_classes(sums, nn))
        acc = float(np.mean(pred == lab)) if len(lab) else float("nan")
    else:
        acc = float("nan")
    seen = (book["run_seen"][-1] if book["run_seen"] else 0) + len(lab)
    book["run_seen"].append(seen)
    book["run_acc"].append(acc)
    wc = np.concatenate([wc, counts])[-params.update_interval:]
    wl = np.concatenate([wl, lab])[-params.update_interval:]
    book["window_counts"], book["window_labels"] = wc, wl


# ----------------------------------------------------------------------------- archive

def _state_dataset(state, book, rows, cols, n):
    """The resumable state as archive variables (float64, exact)."""
    nrc = (n, rows, cols)
    w = state["w"].reshape(rows * cols, n).T.reshape(nrc)
    lp = state["lastpre"].reshape(rows * cols, n).T.reshape(nrc)
    d = {
        "state_w": (("neuron", "row", "col"), w, "1", "input weights (resumable state)"),
        "state_lastpre": (("neuron", "row", "col"), lp, "ms", "time of last presynaptic arrival relative to the "
                          "end of the last batch"),
        "state_theta": (("neuron",), state["theta"], "mV", "adaptive threshold theta (state)"),
        "state_v_e": (("neuron",), state["v_e"], "mV", "excitatory membrane potential (state)"),
        "state_ge_e": (("neuron",), state["ge_e"], "1", "excitatory conductance of exc neurons (state)"),
        "state_gi_e": (("neuron",), state["gi_e"], "1", "inhibitory conductance of exc neurons (state)"),
        "state_post1": (("neuron",), state["post1"], "1", "postsynaptic trace 1 (state)"),
        "state_post2": (("neuron",), state["post2"], "1", "postsynaptic trace 2 (state)"),
        "state_v_i": (("neuron",), state["v_i"], "mV", "inhibitory membrane potential (state)"),
        "state_ge_i": (("neuron",), state["ge_i"], "1", "excitatory conductance of inh neurons (state)"),
        "state_gi_i": (("neuron",), state["gi_i"], "1", "inhibitory conductance of inh neurons (state)"),
        "state_intensity": ((), state["intensity"], "1", "input intensity of the next presentation (state)"),
        "book_window_counts": (("window_image", "neuron"), book["window_counts"], "1",
                               "spike counts of the last training images (running estimate window)"),
        "book_window_labels": (("window_image",), book["window_labels"], "1", "labels of the window images"),
        "book_assign_sums": (("class", "neuron"), book["assign_sums"], "1", "summed spike counts per class "
                             "(assignment pass so far)"),
        "book_assign_n": (("class",), book["assign_n"], "1", "images per class (assignment pass so far)"),
        "book_test_counts": (("test_done", "neuron"), book["test_counts"], "1", "test spike counts so far"),
        "book_n_presentations": (("phase",), book["n_presentations"], "1", "presentations per phase"),
        "book_n_repeats": (("phase",), book["n_repeats"], "1", "repeated presentations per phase"),
    }
    ds = xr.Dataset({k: xr.DataArray(np.asarray(v), dims=dims, attrs={"units": u, "long_name": ln})
                     for k, (dims, v, u, ln) in d.items()})
    ds = ds.assign_coords(phase=("phase", list(PHASE_NAMES)))
    ds["phase"].attrs.update(units="1", long_name="protocol phase")
    return ds


_BOOK_ATTRS = ("phase", "pos", "batch", "train_time", "assign_time", "test_time", "train_cpu", "assign_cpu",
               "test_cpu", "rest_spikes", "runaway_slots", "max_rest_spikes")


def _checkpoint(params, ctx, book, state, rows, cols, m):
    if ctx.out is None:
        return
    ds = _state_dataset(state, book, rows, cols, params.n_exc)
    ds = ds.merge(_running_vars(book))
    attrs = {f"ckpt_{k}": (float(book[k]) if isinstance(book[k], float) else int(book[k])) for k in _BOOK_ATTRS}
    ctx.checkpoint(ds, params, **attrs)


def _running_vars(book) -> xr.Dataset:
    return xr.Dataset({
        "running_accuracy": xr.DataArray(np.asarray(book["run_acc"], dtype=float), dims="checkpoint",
                                         attrs={"units": "1", "long_name": "running accuracy estimate"}),
        "images_seen": xr.DataArray(np.asarray(book["run_seen"], dtype=np.int64), dims="checkpoint",
                                    attrs={"units": "1", "long_name": "training images presented"}),
    })


def _load_resume(ctx, params):
    from ..archive import config_of, open_archive

    ds = open_archive(ctx.resume)
    if ds.attrs.get("protocol") != ctx.protocol:
        raise StdpDigitsError(f"--resume {ctx.resume}: archive of protocol {ds.attrs.get('protocol')!r}, "
                              f"not {ctx.protocol!r}")
    cfg = config_of(ds)
    if cfg != params.to_dict():
        diff = sorted(k for k in set(cfg) | set(params.to_dict()) if cfg.get(k) != params.to_dict().get(k))
        raise StdpDigitsError(f"--resume {ctx.resume}: the configuration differs in {diff}; resume with the same "
                              "--set values")
    if int(ds.attrs.get("seed", -1)) != ctx.seed or ds.attrs.get("backend") != ctx.backend:
        raise StdpDigitsError(f"--resume {ctx.resume}: made with seed {ds.attrs.get('seed')} on "
                              f"{ds.attrs.get('backend')}; resume with the same --seed and --backend")
    if ds.attrs.get("status") != "checkpoint":
        raise StdpDigitsError(f"--resume {ctx.resume}: the archive is {ds.attrs.get('status')!r}, not a checkpoint "
                              "(nothing to resume)")
    n = params.n_exc

    def flat(name):
        a = np.asarray(ds[name].values, dtype=float)
        return a.reshape(n, -1).T.reshape(-1)

    state = {"w": flat("state_w"), "lastpre": flat("state_lastpre")}
    for k in ("theta", "v_e", "ge_e", "gi_e", "post1", "post2", "v_i", "ge_i", "gi_i"):
        state[k] = np.asarray(ds[f"state_{k}"].values, dtype=float)
    state["intensity"] = float(ds["state_intensity"].values)
    book = _new_book(params, 0, 3)
    for k in _BOOK_ATTRS:
        v = ds.attrs[f"ckpt_{k}"]
        book[k] = float(v) if k.endswith(("_time", "_cpu")) else int(v)
    book["window_counts"] = np.asarray(ds["book_window_counts"].values, dtype=np.int32).reshape(-1, n)
    book["window_labels"] = np.asarray(ds["book_window_labels"].values, dtype=np.int64)
    book["assign_sums"] = np.asarray(ds["book_assign_sums"].values, dtype=float)
    book["assign_n"] = np.asarray(ds["book_assign_n"].values, dtype=float)
    book["test_counts"] = np.asarray(ds["book_test_counts"].values, dtype=np.int32).reshape(-1, n)
    book["n_presentations"] = np.asarray(ds["book_n_presentations"].values, dtype=np.int64)
    book["n_repeats"] = np.asarray(ds["book_n_repeats"].values, dtype=np.int64)
    book["run_acc"] = [float(x) for x in ds["running_accuracy"].values]
    book["run_seen"] = [int(x) for x in ds["images_seen"].values]
    return state, book


def _scalar(value, units, long_name, **attrs):
    return xr.DataArray(value, attrs={"units": units, "long_name": long_name, **attrs})


def _final_dataset(params, ctx, m, book, state, data, rows, cols, p, build_time, setup_time):
    n = params.n_exc
    assignment = assign_classes(book["assign_sums"], book["assign_n"])
    counts = book["test_counts"]
    labels = data.test_labels[:params.n_test]
    pred = classify(counts, assignment)
    acc = float(np.mean(pred == labels))
    conf = np.zeros((10, 10), dtype=np.int64)
    np.add.at(conf, (labels, pred), 1)
    ds = _state_dataset(state, book, rows, cols, n)
    ds = ds.merge(_running_vars(book))
    w = ds["state_w"].values
    ds["receptive_field"] = xr.DataArray(w, dims=("neuron", "row", "col"), attrs={
        "units": "1", "long_name": "learned input weight (input pixel row, col -> excitatory neuron)",
        "description": "synapse input(row*cols+col) -> exc(neuron); conductance jump ge += w (units of the "
                       "leak conductance)"})
    ds["assignment"] = xr.DataArray(assignment, dims="neuron", attrs={"units": "1", "long_name": "assigned class"})
    ds["theta"] = xr.DataArray(state["theta"], dims="neuron", attrs={
        "units": "mV", "long_name": "adaptive threshold theta",
        "description": "threshold = theta - theta_offset + v_thresh_e (theta starts at theta_offset)"})
    ds["prediction"] = xr.DataArray(pred, dims="test_image", attrs={"units": "1", "long_name": "predicted class"})
    ds["label"] = xr.DataArray(labels, dims="test_image", attrs={"units": "1", "long_name": "true class"})
    ds["test_spike_count"] = xr.DataArray(counts, dims=("test_image", "neuron"), attrs={
        "units": "1", "long_name": "excitatory spikes per test image (accepted presentation)"})
    ds["confusion"] = xr.DataArray(conf, dims=("true_class", "predicted_class"), attrs={
        "units": "1", "long_name": "test images (true class x predicted class)"})
    ds = ds.assign_coords(true_class=("true_class", np.arange(10)), predicted_class=("predicted_class", np.arange(10)),
                          class_name=("true_class", list(data.class_names)))
    for c in ("true_class", "predicted_class", "class_name"):
        ds[c].attrs.update(units="1", long_name=c.replace("_", " "))
    ds["test_accuracy"] = _scalar(acc, "1", "test accuracy (fraction correct)")
    ds["training_time"] = _scalar(book["train_time"], "s", "wall time of the training runs")
    ds["assignment_time"] = _scalar(book["assign_time"], "s", "wall time of the frozen assignment pass")
    ds["test_time"] = _scalar(book["test_time"], "s", "wall time of the test runs")
    ds["training_cpu_time"] = _scalar(book["train_cpu"], "s", "CPU time (user+sys) of the training runs")
    ds["build_time"] = _scalar(build_time, "s", "compile time of the standalone program (0: cached/runtime)")
    n_train_pres = int(book["n_presentations"][0])
    ds["train_presentations"] = _scalar(n_train_pres, "1", "training presentations (repeats included)")
    ds["time_per_train_image"] = _scalar(1e3 * book["train_time"] / (params.n_train * params.epochs), "ms",
                                         "wall time per training image (repeats included)")
    ds["cpu_time_per_train_image"] = _scalar(1e3 * book["train_cpu"] / (params.n_train * params.epochs), "ms",
                                             "CPU time per training image (repeats included)")
    ds["rest_spikes"] = _scalar(int(book["rest_spikes"]), "1", "excitatory spikes in input-free rest windows")
    ds["max_rest_spikes"] = _scalar(int(book["max_rest_spikes"]), "1", "most rest spikes in one slot")
    ds["runaway_slots"] = _scalar(int(book["runaway_slots"]), "1",
                                  "slots with more than runaway_spikes rest spikes")
    ds["runaway"] = _scalar(int(book["runaway_slots"] > 0), "1", "runaway activity detected (1) or not (0)")
    d = m.extra.get("delay_ms")
    if d is not None:
        ds["input_delay"] = xr.DataArray(d.reshape(rows * cols, n).T.reshape(n, rows, cols),
                                         dims=("neuron", "row", "col"),
                                         attrs={"units": "ms", "long_name": "input synapse delay"})
    for k, v in p.items():
        unit = "1"
        val = v
        if hasattr(v, "dim"):
            u = {"mV": mV, "ms": ms, "Hz": Hz}
            for uname, uq in u.items():
                if v.dim == uq.dim:
                    unit, val = uname, float(v / uq)
                    break
        ds[f"param_{k}"] = _scalar(float(val), unit, f"model parameter {k} (Diehl & Cook 2015; see module docs)")
    ds["param_w_ei"].attrs["connectivity"] = "one-to-one exc(i) -> inh(i), ge_post += w_ei"
    ds["param_w_ie"].attrs["connectivity"] = "inh(i) -> exc(j) for all j != i, gi_post += w_ie"
    ds = ds.assign_coords(neuron=("neuron", np.arange(n)), row=("row", np.arange(rows)),
                          col=("col", np.arange(cols)))
    for c, ln in (("neuron", "excitatory neuron"), ("row", "input row"), ("col", "input column")):
        ds[c].attrs.update(units="1", long_name=ln)
    ds.attrs.update(dataset=params.dataset, dataset_source=data.source, integration=params.method,
                    n_assign=int(book["assign_n"].sum()), setup_time_s=float(setup_time),
                    reference="Diehl & Cook 2015, Front. Comput. Neurosci. 9:99; github.com/peter-u-diehl/stdp-mnist")
    if norm := book.get("norm_checks"):
        ds["norm_wsum_before"] = xr.DataArray(np.concatenate([a for a, _, _ in norm], axis=1), dims=("neuron", "norm_slot"),
                                              attrs={"units": "1", "long_name": "input weight sum before normalisation"})
        ds["norm_wsum_after"] = xr.DataArray(np.concatenate([b for _, b, _ in norm], axis=1), dims=("neuron", "norm_slot"),
                                             attrs={"units": "1", "long_name": "input weight sum after normalisation"})
        ds["norm_learn"] = xr.DataArray(np.concatenate([np.full(a.shape[1], l) for a, _, l in norm]), dims="norm_slot",
                                        attrs={"units": "1", "long_name": "plasticity on during the slot"})
    if book["runaway_slots"]:
        ds.attrs["warning"] = (f"runaway activity: {book['runaway_slots']} slot(s) with more than "
                               f"{params.runaway_spikes} excitatory spikes without input")
    return ds


PROTOCOL = Protocol(
    name="stdp-digits",
    description="Unsupervised STDP digit learning (Diehl & Cook 2015): train, assign, test; whole protocol "
                "as generated code.",
    params={
        "dataset": Param("digits", "digits | fashion-mnist | mnist | idx:DIR"),
        "n_exc": Param(100, "excitatory (and inhibitory) neurons"),
        "n_train": Param(1347, "training images per epoch (the first n_train of the training set)"),
        "epochs": Param(1, "passes over the n_train training images"),
        "n_assign": Param(-1, "training images shown to the frozen network to assign classes (-1: n_train, "
                              "as in the paper)"),
        "n_test": Param(450, "test images (the first n_test of the test set)"),
        "batch": Param(250, "presentation slots per compiled run; a checkpoint is written after each"),
        "update_interval": Param(10000, "training images whose responses give the running estimate's "
                                        "assignments (DC update_interval)"),
        "dt": Param(0.5 * ms, "integration time step (DC)"),
        "t_present": Param(350 * ms, "presentation time per image (DC single_example_time)"),
        "t_rest": Param(150 * ms, "rest between images (DC resting_time)"),
        "method": Param("exponential_euler", "integration of the neuron equations (euler: the authors' forward "
                        "Euler, can run away; implicit_euler: backward Euler for v, stable and cheaper)",
                        choices=("exponential_euler", "implicit_euler", "euler")),
        "nu_pre": Param(1e-4, "learning rate on presynaptic arrival (DC nu_ee_pre)"),
        "nu_post": Param(1e-2, "learning rate on postsynaptic spike (DC nu_ee_post)"),
        "w_total": Param(78.0, "sum of input weights per excitatory neuron after normalisation (DC)"),
        "w_ei": Param(10.4, "exc -> inh weight (RC)"),
        "w_ie": Param(17.0, "inh -> exc weight (RC)"),
        "theta_plus": Param(0.05 * mV, "threshold increase per spike (DC)"),
        "tau_theta": Param(1e7 * ms, "threshold decay time constant (DC)"),
        "runaway_spikes": Param(5, "rest-window excitatory spikes in one slot above which the slot is a runaway"),
        "runaway_guard": Param(20 * ms, "rest spikes are counted from this long after input offset"),
        "verify_normalisation": Param(False, "record weight sums before/after every normalisation (tests)"),
    },
    func=_run,
    default_backend="cpp_standalone",
    resumable=True,
)
