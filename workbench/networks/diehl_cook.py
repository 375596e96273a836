"""The Diehl & Cook (2015) network with its in-simulation presentation controller, built from
:mod:`workbench.models.diehl_cook`.

Diehl PU & Cook M (2015) Front. Comput. Neurosci. 9:99; the authors' code
github.com/peter-u-diehl/stdp-mnist ("DC": ``Diehl&Cook_spiking_MNIST.py``; "RC":
``Diehl&Cook_MNIST_random_conn_generator.py``).

Network
-------
``n_input`` Poisson inputs (one per pixel) -> ``n_exc`` excitatory neurons (all-to-all, plastic
(:data:`~workbench.models.diehl_cook.DIEHL_COOK_STDP`), random delays 0-10 ms) -> ``n_exc`` inhibitory
neurons (one-to-one) -> every *other* excitatory neuron (lateral inhibition).  Synapse k of the input
projection is (input k // n_exc, excitatory neuron k % n_exc) in every state vector and archive.

Controller
----------
Time is cut into *slots* of ``t_present + t_rest`` (350 + 150 ms, DC).  A controller group (one neuron,
``run_regularly`` every step) keeps the image index, the input intensity and the presentation flag:

* at the start of a slot, if images remain, the presentation starts: input rates are read from a
  lookup table (a 2-d ``TimedArray`` indexed by the image number, not by time) as
  ``pixel/8 * intensity`` Hz (DC: ``rates = x/8*input_intensity``, intensity starts at 2, i.e. pixel/4,
  at most 63.75 Hz);
* at the same moment, during training, the input weights onto each excitatory neuron are normalised to
  sum ``w_total`` = 78 (DC ``normalize_weights()`` is called before every presentation, repeats
  included);
* at ``t_present`` the input stops; if the excitatory population fired fewer than ``min_spikes`` = 5
  spikes during the presentation the same image is shown again in the next slot with
  ``intensity += 1`` (DC), otherwise the controller moves to the next image and resets the intensity
  to 2.

The excitatory spikes are counted in the simulation by a projection onto the controller, and every
presentation's outcome is recorded by an ``EventMonitor``.  One build serves every phase: the image
table, the weights and the state are values of a run (``run_args`` on the standalone backends).

Fused projections (cpp_standalone, the default there)
-----------------------------------------------------
The presynaptic side of the input projection and the lateral inhibition run as two C++ steps written
out in :mod:`workbench.models.diehl_cook` (``INPUT_FUSED_CPP``, ``INH_FUSED_CPP``), called once per
time step in the ``synapses`` slot where Brian2's pathways run.  The input synapses are then stored
sorted by (input, delay step, target) -- ``syn_order`` maps them to the synapse order above, which
every value, state vector and archive keeps -- and the lateral inhibition has no synapse objects.
Same arithmetic in the same order: the learned weights are bit-identical to Brian2's pathways
(``fused=False``, the path of every other backend; tests/test_stdp_digits.py).  Measured at 6,400
neurons (``benchmarks/stdp_digits_speed.py``): Brian2's heterogeneous-delay queue pushes each of ~30 M
synaptic events per Fashion-MNIST image into a per-step list and the on_pre loop then reads w and
lastpre scattered over 5 M synapses (two cache misses per event); the lateral inhibition's 41 M
synapses held most of the 1.3 GB and were re-created by every run.

Measured and dropped: one ``Synapses`` object per delay step (block pushes in the spike queue) ran
slower -- 21 objects' fixed costs per step -- and its 150 code objects took minutes to compile.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import (Clock, EventMonitor, Hz, Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, TimedArray,
                    defaultclock, linked_var, ms, second)
from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
from brian2.devices.device import get_device

from ..models import diehl_cook as dc

__all__ = ["DC_PARAMS", "NETWORK_PARAMS", "DiehlCookNetwork", "build_network"]

#: The network's own constants, each with its source.
NETWORK_PARAMS = dict(
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

#: Every constant of the network, each with its source: the neurons' and the STDP rule's (defined with
#: their equations in :mod:`workbench.models.diehl_cook`) and the network's own (:data:`NETWORK_PARAMS`).
DC_PARAMS = {**dc.EXC_PARAMS, **dc.INH_PARAMS, **dc.CONDUCTANCE_PARAMS, **dc.STDP_PARAMS, **NETWORK_PARAMS}

# The controller's state: step counter, image (index into the run's table), number of images, input
# intensity, presentation on/off, spikes of this presentation, the outcome record and the run's seed.
CONTROLLER_EQS = """
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
input_events : 1
inh_spikes : 1
"""

# Every step, first thing.  'presented' marks the last step of a presentation's window
# (phase == steps_present): the outcome is recorded, then the controller either advances (enough
# spikes) or raises the intensity for a repeat.  The record copies run in their own code block: in one
# numpy block, 'rec_img = img' followed by 'img = img + ...' aliased the stored array and recorded the
# *new* index (Brian2 2.9 numpy target).
CONTROLLER_RECORD = """
rec_img = img
rec_intensity = intensity
rec_nspk = nspk
"""

CONTROLLER_STEP = """
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

COUNT_ON_PRE = "nspk_post += on_post"   # excitatory spikes during a presentation, counted by the controller


@dataclass
class DiehlCookNetwork:
    """The Brian2 objects of one build, by name, and the schedule's sizes."""

    network: Network
    inputs: NeuronGroup
    exc: NeuronGroup
    inh: NeuronGroup
    controller: NeuronGroup
    input_exc: Synapses          # synapse k = (input k // n_exc, exc k % n_exc)
    exc_inh: Synapses
    inh_exc: Synapses | None     # None when fused (lateral inhibition in the fused C++ step)
    spike_counter: Synapses
    spikes_exc: SpikeMonitor
    presentations: EventMonitor  # one event per presentation: rec_img, rec_intensity, rec_nspk
    pixel_table: TimedArray      # (slot, input) image table of a run
    norm_monitor: StateMonitor | None
    slots: int
    steps_slot: int
    steps_present: int
    n_input: int
    dt: object                   # the time step (every group and per-step operation runs on it)
    w0: np.ndarray               # initial input weights (synapse order)
    delay_ms: np.ndarray         # input delays, ms (synapse order)
    fused: bool = False          # input projection: fused C++ step (True) or Brian2's pathway
    syn_order: np.ndarray | None = None   # stored synapse m is synapse syn_order[m] of the synapse order
    arrivals: NeuronGroup | None = None   # fused: lastpre per (input, delay step) range
    range_of: np.ndarray | None = None    # fused: the range of each synapse (synapse order)

    def lastpre_value(self, lastpre_ms: np.ndarray) -> tuple:
        """(variable, value) that sets the input synapses' lastpre (ms, synapse order) for a run."""
        if self.arrivals is None:
            return self.input_exc.lastpre, self.to_stored(lastpre_ms) * ms
        table = np.full(len(self.arrivals), -1e9)
        table[self.range_of] = lastpre_ms        # one value per range: its synapses share their arrivals
        return self.arrivals.lastpre, table * ms

    def lastpre_ms(self) -> np.ndarray:
        """The input synapses' lastpre after a run (ms, synapse order)."""
        if self.arrivals is None:
            return self.from_stored(np.array(self.input_exc.lastpre[:] / ms, dtype=float))
        return np.array(self.arrivals.lastpre[:] / ms, dtype=float)[self.range_of]

    def to_stored(self, x: np.ndarray) -> np.ndarray:
        """Values of the input synapses in synapse order -> in the order the build stores them."""
        return x if self.syn_order is None else np.asarray(x)[self.syn_order]

    def from_stored(self, x: np.ndarray) -> np.ndarray:
        """Values of the input synapses as stored -> in synapse order."""
        if self.syn_order is None:
            return np.asarray(x)
        out = np.empty_like(np.asarray(x))
        out[self.syn_order] = x
        return out

    @property
    def duration(self):
        """Simulated time of one run: ``slots`` presentation slots."""
        return self.slots * self.steps_slot * self.dt


def build_network(n_exc: int, n_input: int, slots: int, *, dt=0.5 * ms, t_present=350 * ms, t_rest=150 * ms,
                  method: str = "exponential_euler", params: dict | None = None, rng=None,
                  verify_normalisation: bool = False, fused: bool | None = None) -> DiehlCookNetwork:
    """Build the Diehl & Cook network with its in-simulation controller (see the module docs).

    ``slots`` is the number of presentation slots per run (the length of the image table); ``method``
    one of :data:`workbench.models.diehl_cook.METHODS`; ``params`` override :data:`DC_PARAMS`;
    ``rng`` (a numpy Generator) draws the initial weights, then the delays.  Sets
    ``defaultclock.dt = dt``: every group and per-step operation runs on the default clock.
    ``fused`` (default: on cpp_standalone) runs the input projection's presynaptic side as
    :data:`~workbench.models.diehl_cook.INPUT_FUSED_CPP` on synapses stored sorted by (input, delay
    step, target); values go in and out in synapse order through ``to_stored``/``from_stored``.
    """
    p = dict(DC_PARAMS)
    unknown = sorted(set(params or {}) - set(DC_PARAMS))
    if unknown:
        raise ValueError(f"build_network: unknown constants {unknown}; known: {sorted(DC_PARAMS)}")
    p.update(params or {})
    if method not in dc.METHODS:
        raise ValueError(f"method {method!r}: use {', '.join(dc.METHODS)}")
    rng = np.random.default_rng(0) if rng is None else rng
    defaultclock.dt = dt
    steps_present = int(round(float(t_present / dt)))
    steps_slot = steps_present + int(round(float(t_rest / dt)))
    # One named clock for everything done once per slot: auto-named clocks (run_regularly(dt=...))
    # change name with every network built in a process, which changed the code and forced recompiles.
    slot_clock = Clock(dt=steps_slot * dt, name="slot_clock")
    table = TimedArray(np.zeros((slots, n_input)), dt=1 * second, name="pixel_table")

    ctrl = NeuronGroup(1, CONTROLLER_EQS, events={"presented": "presented > 0.5"}, name="controller",
                       namespace=dict(steps_slot=steps_slot, steps_present=steps_present,
                                      min_spikes=float(p["min_spikes"]), intensity0=p["intensity0"],
                                      d_intensity=p["d_intensity"]))
    ctrl.run_regularly(CONTROLLER_RECORD, when="start", order=-11, name="controller_record")
    ctrl.run_regularly(CONTROLLER_STEP, when="start", order=-10, name="controller_step")
    ctrl.intensity = p["intensity0"]

    inp = NeuronGroup(n_input, dc.INPUT_EQS, threshold=dc.INPUT_THRESHOLD, reset=dc.INPUT_RESET, name="inputs",
                      namespace=dict(pixel_table=table, rate_per_level=p["rate_per_level"], t_never=1e9 * second))
    zero = np.zeros(n_input, dtype=int)
    inp.on = linked_var(ctrl, "on", index=zero)
    inp.img = linked_var(ctrl, "img", index=zero)
    inp.intensity = linked_var(ctrl, "intensity", index=zero)
    # Slot start, after the controller: new rates (a repeat gets its raised intensity).
    inp.run_regularly(dc.INPUT_RATES, clock=slot_clock, when="start", order=-9, name="input_rates")

    exc = dc.neuron_group(dc.DIEHL_COOK_EXC, n_exc, method=method, dt=dt, name="exc",
                          extra_equations=dc.NORMALISATION_EQS,
                          **{k: p[k] for k in dc.DIEHL_COOK_EXC.params})
    exc.namespace["w_total"] = p["w_total"]   # the normalisation target (a network constant)
    inh = dc.neuron_group(dc.DIEHL_COOK_INH, n_exc, method=method, dt=dt, name="inh",
                          **{k: p[k] for k in dc.DIEHL_COOK_INH.params})

    # Initial weights and delays (overwritten by every run's values).
    n_syn = n_input * n_exc
    w0 = (rng.random(n_syn) + 0.01) * p["w_init_scale"]      # RC create_weights()
    delay_ms = rng.random(n_syn) * float(p["delay_max"] / ms)  # DC delay=(0 ms, 10 ms)
    stdp = dc.DIEHL_COOK_STDP
    if fused is None:
        fused = type(get_device()) is CPPStandaloneDevice
    syn_order = None
    if fused:
        # stored sorted by (input, delay step, target): one contiguous range per input spike and delay
        dstep = dc.delay_steps(delay_ms * 1e-3, float(dt / second))
        n_ring = int(dc.delay_steps(np.array([float(p["delay_max"] / second)]), float(dt / second))[0]) + 1
        k = np.arange(n_syn)
        syn_order = np.lexsort((k % n_exc, dstep, k // n_exc))
        range_of = (k // n_exc) * n_ring + dstep
        # arrival time per (input, delay step): the lastpre of every synapse of that range
        arrivals = NeuronGroup(n_input * n_ring, "lastpre : second", name="input_arrivals")
        arrivals.lastpre = stdp.init["lastpre"]
        S = Synapses(inp, exc, model="w : 1\ndstep : integer (constant)", on_post=dc.FUSED_ON_POST,
                     namespace={**{k: p[k] for k in stdp.params},
                                "lastpre_of": dc.lastpre_function("input_arrivals", n_ring)}, name="input_exc")
        S.connect(i=syn_order // n_exc, j=syn_order % n_exc)
        S.dstep = dstep[syn_order]
        S.w = w0[syn_order]
        ctrl.namespace.update(input_exc_fused=dc.input_fused_function("inputs", "exc", "input_exc", "input_arrivals",
                                                                      n_ring),
                              nu_pre=p["nu_pre"], w_max=p["w_max"])
        ctrl.run_regularly("input_events = input_events + input_exc_fused(t, nu_pre, w_max)", when="synapses",
                           order=-1, name="input_exc_fused")
    else:
        S = Synapses(inp, exc, model="w : 1\n" + stdp.equations, on_pre=dc.INPUT_ON_PRE, on_post=stdp.on_post,
                     namespace={k: p[k] for k in stdp.params}, name="input_exc")
        S.connect()
        S.delay = delay_ms * ms
        S.w = w0
        S.lastpre = stdp.init["lastpre"]
        arrivals, range_of = None, None
    steps = dc.NORMALISATION + (dc.NORMALISATION_CHECK if verify_normalisation else ())
    for order, (name, where, code) in enumerate(steps, start=-8):
        (exc if where == "exc" else S).run_regularly(code, clock=slot_clock, when="start", order=order, name=name)
    norm_monitor = None
    if verify_normalisation:
        norm_monitor = StateMonitor(exc, ["wsum", "wsum_after"], record=True, clock=slot_clock, when="start",
                                    order=-2, name="norm_monitor")
    s_ei = Synapses(exc, inh, on_pre=dc.EXC_INH_ON_PRE, namespace={"w_ei": p["w_ei"]}, name="exc_inh")
    s_ei.connect(j="i")
    s_ie = None
    if fused:
        ctrl.namespace.update(inh_exc_fused=dc.inh_fused_function("inh", "exc", "inh_exc_fused"), w_ie=p["w_ie"])
        ctrl.run_regularly("inh_spikes = inh_spikes + inh_exc_fused(w_ie)", when="synapses", order=-1,
                           name="inh_exc_fused")
    else:
        s_ie = Synapses(inh, exc, on_pre=dc.INH_EXC_ON_PRE, namespace={"w_ie": p["w_ie"]}, name="inh_exc")
        s_ie.connect(condition="i != j")
    s_count = Synapses(exc, ctrl, on_pre=COUNT_ON_PRE, name="spike_counter")
    s_count.connect(j="0")

    spikes_e = SpikeMonitor(exc, name="spikes_exc")
    events = EventMonitor(ctrl, "presented", variables=["rec_img", "rec_intensity", "rec_nspk"],
                          name="presentations")
    objects = [ctrl, inp, exc, inh, S, *([arrivals] if arrivals is not None else []), s_ei, *([s_ie] if s_ie is not None else []), s_count, spikes_e, events]
    net = Network(*objects, *([norm_monitor] if norm_monitor is not None else []))
    return DiehlCookNetwork(network=net, inputs=inp, exc=exc, inh=inh, controller=ctrl, input_exc=S, exc_inh=s_ei,
                            inh_exc=s_ie, spike_counter=s_count, spikes_exc=spikes_e, presentations=events,
                            pixel_table=table, norm_monitor=norm_monitor, slots=slots, steps_slot=steps_slot,
                            steps_present=steps_present, n_input=n_input, dt=dt, w0=w0, delay_ms=delay_ms,
                            fused=bool(fused), syn_order=syn_order, arrivals=arrivals, range_of=range_of)
