"""Neurons of ANN-to-SNN conversion: integrate-and-fire with reset by subtraction.

``IF_SUBTRACT`` integrates its input without leak; on crossing ``v_th`` it spikes and
*subtracts* the threshold (Rueckauer, Lungu, Hu, Pfeiffer & Liu 2017, Front. Neurosci.
11:682, Eq. 2-3, "reset by subtraction"), so the charge above threshold is kept and the
firing rate over ``T`` steps approximates ``min(max(a, 0), 1)/dt`` for a per-step input ``a``
(in units of ``v_th``), the ReLU of the analogue network.  Diehl et al. 2015 (IJCNN) reset to
zero instead, which loses that residue.  A bias of the analogue network enters as the constant
current ``I`` (``b * v_th * C_m / dt`` moves ``v`` by ``b * v_th`` per step); synapses are
delta synapses (:data:`workbench.models.synapses.DELTA`) of ``w_scale = v_th``.
"""
from __future__ import annotations

from brian2 import mV, pF, second

from .base import NeuronModel

__all__ = ["IF_SUBTRACT", "BERNOULLI_INPUT", "TTFS_INPUT"]

IF_SUBTRACT = NeuronModel(
    name="if_subtract",
    description="Non-leaky integrate-and-fire neuron with reset by subtraction (ANN-to-SNN conversion); "
                "counts its spikes since the last clear (n_sample) and in all (n_total).",
    equations="dv/dt = (I + I_syn)/C_m : volt\nn_sample : 1\nn_total : 1",
    params=dict(C_m=250 * pF, v_th=1 * mV),
    threshold="v > v_th",
    reset="v -= v_th\nn_sample += 1\nn_total += 1",
    refractory=None,
    method="euler",  # dv/dt does not depend on v: Euler is exact (Brian2's "exact" refuses it)
    init=dict(v="0*mV"),
    reference="Rueckauer, Lungu, Hu, Pfeiffer & Liu 2017, Front. Neurosci. 11:682, Eq. 2-3 (reset by "
              "subtraction); C_m as the library's IF (the value cancels: inputs are given per step in v_th).",
)

BERNOULLI_INPUT = NeuronModel(
    name="bernoulli_input",
    description="Rate-coded input: neuron i spikes in a time step with probability p_spike(t, i) (a TimedArray "
                "of per-step probabilities, e.g. pixel intensities in [0, 1]); counts its spikes (n_total).",
    equations="n_total : 1",
    params=dict(p_spike=None),
    threshold="rand() < p_spike(t, i)",
    reset="n_total += 1",
    method="exact",
    reference="Rueckauer et al. 2017, Front. Neurosci. 11:682, section 2.4 (Poisson input: spike probability "
              "per step proportional to the pixel intensity).",
)

TTFS_INPUT = NeuronModel(
    name="ttfs_input",
    description="Time-to-first-spike input: neuron i spikes once per slot of slot_period, at step s_first(t, i) "
                "of the slot (a TimedArray of steps per slot; negative: no spike); counts its spikes (n_total).",
    equations="n_total : 1",
    params=dict(s_first=None, slot_period=1 * second),  # slot_period: give the slot length
    threshold="abs((t - slot_period*floor(t/slot_period + 1e-9))/dt - s_first(t, i)) < 0.5",
    reset="n_total += 1",
    method="exact",
    reference="Rueckauer & Liu 2018, ISCAS (time-to-first-spike coding: larger values spike earlier); here the "
              "spike opens a constant current w per step until the end of the slot, so the charge a unit receives "
              "is w times the input value times the slot length.",
)
