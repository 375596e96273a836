"""Unsupervised STDP digit learning (Diehl & Cook 2015): the protocol's logic, run entirely as generated code.

Diehl PU & Cook M (2015) Unsupervised learning of digit recognition using spike-timing-dependent
plasticity. Front. Comput. Neurosci. 9:99.  The parameters and the steps are in
``protocols/stdp_digits.py``; the equations in :mod:`workbench.models.diehl_cook`; the network, its
in-simulation controller (presentation, repeat rule, normalisation) and its constants in
:mod:`workbench.networks.diehl_cook`.

Here: the phases (:mod:`.phases`: train, assign, test as batches of presentation slots on one build,
the running estimate, runaway detection, checkpoints) and the archive (:mod:`.archive`); with
``target=CHIP`` a chip-faithful variant trained on the chip's bit-accurate model (:mod:`.chip`).

Deviations from the authors' code (github.com/peter-u-diehl/stdp-mnist), all deliberate and small
-----------------------------------------------------------------------------------------------
* DC counts a presentation's spikes from the end of the previous presentation, so spikes during the
  preceding rest are included; here only spikes during the presentation count (rest spikes are
  reported separately).
* ge, gi, v, traces and the intensity carry over between batches; the random number generator is
  re-seeded per batch from (seed, phase, batch).
* Initial weights are drawn as in the authors' connection generator (``(U[0,1) + 0.01) * 0.3``) with
  the run's seed instead of the shipped ``random/XeAe.npy``.
* The Poisson inputs are drawn by exponential inter-spike intervals (one random number per spike)
  instead of a Bernoulli draw per input and step; both are Poisson processes of the same rate, and
  they differ in O((rate dt)^2) = 0.1 % at the highest rate.
* The threshold timer and the integration scheme: see :mod:`workbench.models.diehl_cook`.

Speed: on cpp_standalone the input projection and the lateral inhibition run as fused C++ steps
(:mod:`workbench.networks.diehl_cook`; bit-identical weights); the membrane step is written out with
an inlined exponential and the normalisation computes one factor per neuron.
``benchmarks/stdp_digits_speed.py`` has the numbers.
"""
from .archive import PHASE_NAMES, final_dataset
from .chip import train as train_for_chip
from .phases import (Phase, Session, StdpDigitsError, constants, initial_state, load_data, phases, run_batch, seed_for,
                     slot_counts)

__all__ = ["PHASE_NAMES", "Phase", "Session", "StdpDigitsError", "constants", "final_archive", "final_dataset",
           "initial_state", "load_data", "phases", "run_batch", "seed_for", "slot_counts", "train_for_chip"]


def final_archive(params, data, session: Session):
    """The archive of a finished run (:func:`.archive.final_dataset` with the session's record)."""
    return final_dataset(book=session.book, state=session.state, test_labels=data.test_labels[:params.n_test],
                         class_names=data.class_names, rows=session.rows, cols=session.cols,
                         delay_ms=session.net.delay_ms, constants=session.constants,
                         n_train_images=params.n_train * params.epochs, dataset=params.dataset,
                         dataset_source=data.source, method=params.method, runaway_spikes=params.runaway_spikes,
                         build_time=session.sim.build_time, setup_time=session.setup_time)
