"""The phases of stdp-digits -- train (plastic), assign and test (frozen) -- as batches of presentation
slots run on one build of the Diehl & Cook network (:class:`Session`).

Each batch of ``batch`` slots is one run of the simulation (:class:`workbench.backends.Simulation`): the
image table, the weights and the state are the run's values (``run_args`` on the standalone backends:
no rebuild, no Python per image), and the random numbers are re-seeded per batch from
sha256(seed, phase, batch).  ge, gi, v, traces and the intensity carry over between batches.  After
every batch the book and the state are checkpointed (``ctx.checkpoint``), so ``--resume`` continues a
killed run and gives the uninterrupted run's numbers.

Runaway detection: excitatory spikes in the input-free part of each rest period (from ``runaway_guard``
after input offset) are counted; a slot with more than ``runaway_spikes`` of them is a runaway slot.
The archive stores the counts, and a warning is issued -- never silent.

Classification (paper Sec. 2.6, :mod:`workbench.readout.voting`): the frozen assignment pass sums each
neuron's responses per class; during training the paper's running estimate classifies each batch
with assignments from the responses to the previous ``update_interval`` training images.
"""
from __future__ import annotations

import hashlib
import time
import warnings
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np
from brian2 import mV, ms

from ...backends import Simulation, model_key, use_backend
from ...datasets import ImageSet, load_images
from ...networks.diehl_cook import DC_PARAMS, DiehlCookNetwork, build_network
from ...params import ParameterError
from ...readout.voting import assign_from_counts, class_sums, classify
from . import archive

__all__ = ["StdpDigitsError", "Phase", "Session", "load_data", "phases", "constants", "initial_state",
           "run_batch", "slot_counts", "seed_for"]


#: most repeats of one image: Diehl & Cook's rule raises the intensity without a cap, so an image that
#: cannot evoke ``min_spikes`` spikes (a blank one) was shown forever (issue 16).  After this many
#: repeats the image is skipped (test images: zero counts), with a warning and ``skipped_images``.
MAX_REPEATS = 40


class StdpDigitsError(RuntimeError):
    """The in-simulation counters or schedule are inconsistent."""


@dataclass(frozen=True)
class Phase:
    """One phase: its name (``archive.PHASE_NAMES``), the images and labels it draws from, the order in
    which they are shown (indices) and whether the network learns (1.0) or is frozen (0.0)."""

    name: str
    images: np.ndarray
    labels: np.ndarray
    order: np.ndarray
    learn: float


def load_data(params) -> ImageSet:
    """The data set ``params.dataset``, with the run's sizes checked against it."""
    if params.n_exc < 1:
        raise ParameterError(f"n_exc must be >= 1, got {params.n_exc}")
    data = load_images(params.dataset)
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
    if params.batch < 1:
        raise ParameterError(f"batch must be >= 1, got {params.batch}")
    return data


def phases(params, data: ImageSet) -> list[Phase]:
    """Train on the first ``n_train`` training images, ``epochs`` times (plastic); assign classes on the
    first ``n_assign`` (-1: ``n_train``) and test on the first ``n_test`` test images (frozen)."""
    n_assign = params.n_train if params.n_assign < 0 else params.n_assign
    return [Phase("train", data.train_images, data.train_labels, np.tile(np.arange(params.n_train), params.epochs), 1.0),
            Phase("assign", data.train_images, data.train_labels, np.arange(n_assign), 0.0),
            Phase("test", data.test_images, data.test_labels, np.arange(params.n_test), 0.0)]


def constants(params) -> dict:
    """:data:`DC_PARAMS` with the protocol's values of the constants it exposes."""
    p = dict(DC_PARAMS)
    p.update(nu_pre=params.nu_pre, nu_post=params.nu_post, w_total=params.w_total, w_ie=params.w_ie,
             w_ei=params.w_ei, theta_plus=params.theta_plus, tau_theta=params.tau_theta)
    return p


def seed_for(seed: int, phase: str, batch: int) -> int:
    """The random seed of one batch: the first 31 bits of sha256(seed:phase:batch)."""
    h = hashlib.sha256(f"{seed}:{phase}:{batch}".encode()).digest()
    return int.from_bytes(h[:4], "little") & 0x7FFFFFFF


def initial_state(net: DiehlCookNetwork, p: dict) -> dict:
    """The state before the first batch (DC: v = v_rest - 40 mV, theta = theta_init; w as drawn)."""
    n = len(net.exc)
    return {
        "w": np.array(net.w0, dtype=float),
        "lastpre": np.full(net.n_input * n, -1e6),
        "theta": np.full(n, float(p["theta_init"] / mV)),
        "v_e": np.full(n, float((p["v_rest_e"] - 40 * mV) / mV)),
        "ge_e": np.zeros(n), "gi_e": np.zeros(n), "post1": np.zeros(n), "post2": np.zeros(n),
        "v_i": np.full(n, float((p["v_rest_i"] - 40 * mV) / mV)), "ge_i": np.zeros(n), "gi_i": np.zeros(n),
        "intensity": float(p["intensity0"]),
    }


def _values(net: DiehlCookNetwork, table, state: dict, learn: float, n_img: int) -> dict:
    lastpre, lastpre_value = net.lastpre_value(state["lastpre"])
    return {
        net.input_exc.w: net.to_stored(state["w"]), lastpre: lastpre_value,
        net.exc.theta: state["theta"] * mV, net.exc.v: state["v_e"] * mV, net.exc.ge: state["ge_e"],
        net.exc.gi: state["gi_e"], net.exc.post1: state["post1"], net.exc.post2: state["post2"],
        net.inh.v: state["v_i"] * mV, net.inh.ge: state["ge_i"], net.inh.gi: state["gi_i"],
        net.exc.learn: float(learn), net.controller.n_img: float(n_img),
        net.controller.intensity: float(state["intensity"]),
        net.pixel_table: np.asarray(table, dtype=float),
    }


def run_batch(sim: Simulation, net: DiehlCookNetwork, table: np.ndarray, n_img: int, learn: float, state: dict,
              seed: int) -> dict:
    """One run of ``net.slots`` slots showing the first ``n_img`` images of ``table`` (slot, input), from
    ``state``, with ``learn`` (1.0 or 0.0) and random seed ``seed``.

    Returns the excitatory spikes (``spike_step_e``, ``spike_i_e``), the presentation records
    (``ev_step``, ``ev_img``, ``ev_intensity``, ``ev_nspk``), the new ``state`` (with ``img``: the
    images completed), ``wall`` and ``cpu`` (s), and the normalisation sums if recorded.
    """
    sim.run(_values(net, table, state, learn, n_img), seed=seed)
    dt_ms = float(net.dt / ms)
    out = {"wall": sim.run_times[-1], "cpu": sim.cpu_times[-1]}   # the run only: a first build is not counted
    out["spike_step_e"] = np.round(np.asarray(net.spikes_exc.t / ms) / dt_ms).astype(np.int64)
    out["spike_i_e"] = np.array(net.spikes_exc.i[:], dtype=np.int64)
    ev = net.presentations
    out["ev_step"] = np.round(np.asarray(ev.t / ms) / dt_ms).astype(np.int64)
    out["ev_img"] = np.round(np.asarray(ev.rec_img[:])).astype(np.int64)
    out["ev_intensity"] = np.array(ev.rec_intensity[:], dtype=float)
    out["ev_nspk"] = np.round(np.asarray(ev.rec_nspk[:])).astype(np.int64)
    T = float(net.duration / ms)
    # np.array copies: on the runtime targets 'var[:]' can be a view of the live array, which the next
    # restore() overwrote (the state then silently reverted to the initial values).
    S, exc, inh = net.input_exc, net.exc, net.inh
    out["state"] = {
        "w": net.from_stored(np.array(S.w[:], dtype=float)),
        "lastpre": net.lastpre_ms() - T,
        "theta": np.array(exc.theta[:] / mV, dtype=float),
        "v_e": np.array(exc.v[:] / mV, dtype=float),
        "ge_e": np.array(exc.ge[:], dtype=float), "gi_e": np.array(exc.gi[:], dtype=float),
        "post1": np.array(exc.post1[:], dtype=float), "post2": np.array(exc.post2[:], dtype=float),
        "v_i": np.array(inh.v[:] / mV, dtype=float),
        "ge_i": np.array(inh.ge[:], dtype=float), "gi_i": np.array(inh.gi[:], dtype=float),
        "intensity": float(net.controller.intensity[0]),
        "img": int(round(float(net.controller.img[0]))),
    }
    if net.norm_monitor is not None:
        out["wsum"] = np.array(net.norm_monitor.wsum[:], dtype=float)          # (neuron, slot)
        out["wsum_after"] = np.array(net.norm_monitor.wsum_after[:], dtype=float)
    return out


def slot_counts(res: dict, n_exc: int, slots: int, steps_slot: int, steps_present: int, guard_steps: int) -> dict:
    """Per accepted presentation: image index (in the batch table) and per-neuron spike counts.

    Also returns per-slot rest-spike counts (excitatory spikes from ``guard_steps`` after input offset
    to the end of the slot) and checks the in-simulation spike counter against the monitor.
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


class Session:
    """One build of the network on the run's backend, with the book and the state of the run.

    ``with Session(params, ctx, data, phases) as s: s.run(phase) ...``: entering builds the network
    (:func:`workbench.networks.diehl_cook.build_network`; weights and delays drawn from ``ctx.rng``) and
    its :class:`~workbench.backends.Simulation`, and starts from the ``--resume`` checkpoint if there is
    one (``ctx.load_checkpoint``); leaving releases the backend.
    """

    def __init__(self, params, ctx, data: ImageSet, phase_list: list[Phase]):
        self.params, self.ctx, self.data, self.phases = params, ctx, data, phase_list
        self.constants = constants(params)
        self.rows, self.cols = data.shape
        self.guard_steps = int(round(float(params.runaway_guard / params.dt)))
        self._stack = ExitStack()

    def __enter__(self) -> "Session":
        params, ctx = self.params, self.ctx
        n_input = self.rows * self.cols
        ckpt = ctx.load_checkpoint(params)
        key = model_key("stdp_digits-2", params.n_exc, n_input, params.batch, float(params.dt / ms),
                        float(params.t_present / ms), float(params.t_rest / ms), params.method,
                        params.verify_normalisation, ctx.threads, sorted((k, str(v)) for k, v in self.constants.items()))
        with ExitStack() as stack:
            be = stack.enter_context(use_backend(ctx.backend, key=key, seed=ctx.seed, threads=ctx.threads))
            t0 = time.perf_counter()
            self.net = build_network(params.n_exc, n_input, params.batch, dt=params.dt, t_present=params.t_present,
                                     t_rest=params.t_rest, method=params.method, params=self.constants, rng=ctx.rng,
                                     verify_normalisation=params.verify_normalisation)
            self.sim = Simulation(self.net.network, self.net.duration, be, namespace={},
                                  seed_variable=self.net.controller.rngseed)
            if ckpt is None:
                self.state, self.book = initial_state(self.net, self.constants), archive.new_book(params.n_exc)
            else:
                self.state, self.book = archive.from_checkpoint(ckpt, params.n_exc)
            self.setup_time = time.perf_counter() - t0
            self.bar = stack.enter_context(ctx.progress_bar(total=sum(len(ph.order) for ph in self.phases),
                                                            desc="stdp-digits", unit="img"))
            done = sum(len(ph.order) for ph in self.phases[:self.book["phase"]]) + self.book["pos"]
            self.bar.update(done)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc):
        return self._stack.__exit__(*exc)

    def run(self, phase: Phase) -> None:
        """Run ``phase`` batch by batch (from where the book stands), a checkpoint after each batch."""
        index = archive.PHASE_NAMES.index(phase.name)
        if self.book["phase"] > index:
            return
        while self.book["pos"] < len(phase.order):
            self._batch(phase, index)
        self.book["phase"], self.book["pos"] = index + 1, 0

    def _batch(self, phase: Phase, index: int) -> None:
        params, book, net = self.params, self.book, self.net
        n, slots = params.n_exc, params.batch
        sel = phase.order[book["pos"]: book["pos"] + slots]
        table = np.zeros((slots, self.rows * self.cols))
        table[:len(sel)] = phase.images[sel].reshape(len(sel), -1)
        res = run_batch(self.sim, net, table, len(sel), phase.learn, self.state,
                        seed_for(self.ctx.seed, phase.name, book["batch"]))
        sc = slot_counts(res, n, slots, net.steps_slot, net.steps_present, self.guard_steps)
        new_state = res["state"]
        n_done = new_state.pop("img")
        if n_done != len(sc["img"]) or not np.array_equal(sc["img"], np.arange(n_done)):
            raise StdpDigitsError(f"controller advanced to image {n_done} but the accepted presentations were of "
                                  f"images {sc['img'].tolist()}; the in-simulation schedule is inconsistent")
        cap = self.constants["intensity0"] + MAX_REPEATS * self.constants["d_intensity"]
        skip = n_done < len(sel) and new_state["intensity"] >= cap
        if skip:  # the image after the completed ones never evoked min_spikes spikes
            warnings.warn(f"stdp-digits: {phase.name} image {int(sel[n_done])} evoked fewer than "
                          f"{DC_PARAMS['min_spikes']} spikes in {MAX_REPEATS} repeats (a blank image?); skipped",
                          RuntimeWarning, stacklevel=2)
            new_state["intensity"] = float(self.constants["intensity0"])
        self.state = new_state
        book[f"{phase.name}_time"] += res["wall"]
        book[f"{phase.name}_cpu"] += res["cpu"]
        book["n_presentations"][index] += sc["n_presentations"]
        book["n_repeats"][index] += sc["n_repeats"]
        rc = sc["rest_counts"]
        book["rest_spikes"] += int(rc.sum())
        book["max_rest_spikes"] = max(book["max_rest_spikes"], int(rc.max(initial=0)))
        n_run = int((rc > params.runaway_spikes).sum())
        if n_run:
            warnings.warn(f"stdp-digits: runaway activity in {n_run} slot(s) of {phase.name} batch {book['batch']} "
                          f"(up to {int(rc.max())} excitatory spikes without input); see 'runaway' in the archive",
                          RuntimeWarning, stacklevel=2)
        book["runaway_slots"] += n_run
        labels = phase.labels[sel[:n_done]]
        counts = sc["counts"].astype(np.int32)
        if phase.name == "train":
            _running_estimate(book, counts, labels, params.update_interval)
        elif phase.name == "assign" and len(labels):
            sums, n_per_class = class_sums(counts, labels)
            book["assign_sums"] += sums
            book["assign_n"] += n_per_class
        elif phase.name == "test":
            book["test_counts"] = np.concatenate([book["test_counts"], counts] + [np.zeros((1, n), np.int32)] * skip)
        if "wsum" in res:
            book.setdefault("norm_checks", []).append((res["wsum"], res["wsum_after"], int(phase.learn)))
        book["pos"] += n_done + skip
        book["skipped"] += int(skip)
        book["batch"] += 1
        self.bar.update(n_done + skip)
        if self.ctx.out is not None:
            ds = archive.checkpoint_dataset(self.state, book, self.rows, self.cols, n)
            self.ctx.checkpoint(ds, params, **archive.checkpoint_attrs(book))


def _running_estimate(book: dict, counts: np.ndarray, labels: np.ndarray, window: int) -> None:
    """The paper's running estimate: classify this batch with assignments from the previous ``window``
    training images' responses."""
    wc, wl = book["window_counts"], book["window_labels"]
    if len(wl):
        pred = classify(counts, assign_from_counts(wc, wl))
        acc = float(np.mean(pred == labels)) if len(labels) else float("nan")
    else:
        acc = float("nan")
    seen = (book["run_seen"][-1] if book["run_seen"] else 0) + len(labels)
    book["run_seen"].append(seen)
    book["run_acc"].append(acc)
    book["window_counts"] = np.concatenate([wc, counts])[-window:]
    book["window_labels"] = np.concatenate([wl, labels])[-window:]
