"""The record of a stdp-digits run: its book (where the run stands, counts, times), the dynamic state,
checkpoints for ``--resume`` and the final, self-contained archive.

Results: ``test_accuracy`` (0-d, fraction), ``prediction``/``label`` (test_image), ``confusion``
(true_class, predicted_class; ``class_name`` coordinate), ``assignment`` (neuron),
``test_spike_count`` (test_image, neuron), ``running_accuracy``/``images_seen`` (checkpoint), times
(``training_time``, ``training_cpu_time``, ``time_per_train_image``, ``assignment_time``,
``test_time``, ``build_time``), ``train_presentations``, ``book_n_presentations``/``book_n_repeats``
(phase), runaway counters (``runaway``, ``runaway_slots``, ``rest_spikes``, ``max_rest_spikes``).

Network (enough to rebuild and deploy the trained network): ``receptive_field`` (neuron, row, col) --
the input->exc weight w of input pixel (row, col) onto excitatory neuron ``neuron``, a jump
``ge += w`` of the dimensionless conductance (units of the leak conductance); ``input_delay``
(neuron, row, col, ms); ``theta`` (neuron, mV; threshold = theta - param_theta_offset +
param_v_thresh_e); exc->inh: one-to-one, ``ge_inh += param_w_ei``; inh->exc: every inhibitory neuron
i to every excitatory j != i, ``gi_exc += param_w_ie``; every constant of
:data:`workbench.networks.diehl_cook.DC_PARAMS` as a 0-d ``param_*`` variable with its unit; the
equations are :mod:`workbench.models.diehl_cook` (dt ``config['dt']``).  ``state_*`` variables hold
the full dynamic state for ``--resume`` (the archive attrs ``ckpt_*`` say where the run stands).
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from brian2 import Hz, mV, ms

from ...readout.voting import assign_classes, classify
from ...recording import scalar, variable

__all__ = ["PHASE_NAMES", "STATE_VARS", "new_book", "checkpoint_dataset", "checkpoint_attrs", "from_checkpoint",
           "final_dataset"]

PHASE_NAMES = ("train", "assign", "test")

#: The state carried from batch to batch (and saved in checkpoints); input synapse order for w and lastpre.
STATE_VARS = ("w", "lastpre", "theta", "v_e", "ge_e", "gi_e", "post1", "post2", "v_i", "ge_i", "gi_i")

#: Book entries saved as checkpoint attributes (``ckpt_<name>``).
BOOK_ATTRS = ("phase", "pos", "batch", "train_time", "assign_time", "test_time", "train_cpu", "assign_cpu",
              "test_cpu", "rest_spikes", "runaway_slots", "max_rest_spikes", "skipped")


def new_book(n_exc: int) -> dict:
    """An empty book: position (phase, image, batch), times, counts, the running-estimate window, the
    assignment sums and the test responses, for ``n_exc`` excitatory neurons."""
    return {
        "phase": 0, "pos": 0, "batch": 0,
        "train_time": 0.0, "assign_time": 0.0, "test_time": 0.0,
        "train_cpu": 0.0, "assign_cpu": 0.0, "test_cpu": 0.0,
        "n_presentations": np.zeros(3, dtype=np.int64), "n_repeats": np.zeros(3, dtype=np.int64),
        "rest_spikes": 0, "runaway_slots": 0, "max_rest_spikes": 0, "skipped": 0,
        "window_counts": np.zeros((0, n_exc), dtype=np.int32), "window_labels": np.zeros(0, dtype=np.int64),
        "run_seen": [], "run_acc": [],
        "assign_sums": np.zeros((10, n_exc)), "assign_n": np.zeros(10),
        "test_counts": np.zeros((0, n_exc), dtype=np.int32),
    }


def _by_pixel(a: np.ndarray, rows: int, cols: int, n: int) -> np.ndarray:
    """A vector in input-synapse order (input-major) as (neuron, row, col)."""
    return a.reshape(rows * cols, n).T.reshape(n, rows, cols)


def _state_dataset(state: dict, book: dict, rows: int, cols: int, n: int) -> xr.Dataset:
    """The resumable state and book as archive variables (float64, exact)."""
    d = {
        "state_w": variable(_by_pixel(state["w"], rows, cols, n), ("neuron", "row", "col"), "1",
                            "input weights (resumable state)"),
        "state_lastpre": variable(_by_pixel(state["lastpre"], rows, cols, n), ("neuron", "row", "col"), "ms",
                                  "time of last presynaptic arrival relative to the end of the last batch"),
        "state_theta": variable(state["theta"], ("neuron",), "mV", "adaptive threshold theta (state)"),
        "state_v_e": variable(state["v_e"], ("neuron",), "mV", "excitatory membrane potential (state)"),
        "state_ge_e": variable(state["ge_e"], ("neuron",), "1", "excitatory conductance of exc neurons (state)"),
        "state_gi_e": variable(state["gi_e"], ("neuron",), "1", "inhibitory conductance of exc neurons (state)"),
        "state_post1": variable(state["post1"], ("neuron",), "1", "postsynaptic trace 1 (state)"),
        "state_post2": variable(state["post2"], ("neuron",), "1", "postsynaptic trace 2 (state)"),
        "state_v_i": variable(state["v_i"], ("neuron",), "mV", "inhibitory membrane potential (state)"),
        "state_ge_i": variable(state["ge_i"], ("neuron",), "1", "excitatory conductance of inh neurons (state)"),
        "state_gi_i": variable(state["gi_i"], ("neuron",), "1", "inhibitory conductance of inh neurons (state)"),
        "state_intensity": scalar(state["intensity"], "1", "input intensity of the next presentation (state)"),
        "book_window_counts": variable(book["window_counts"], ("window_image", "neuron"), "1",
                                       "spike counts of the last training images (running estimate window)"),
        "book_window_labels": variable(book["window_labels"], ("window_image",), "1", "labels of the window images"),
        "book_assign_sums": variable(book["assign_sums"], ("class", "neuron"), "1",
                                     "summed spike counts per class (assignment pass so far)"),
        "book_assign_n": variable(book["assign_n"], ("class",), "1", "images per class (assignment pass so far)"),
        "book_test_counts": variable(book["test_counts"], ("test_done", "neuron"), "1", "test spike counts so far"),
        "book_n_presentations": variable(book["n_presentations"], ("phase",), "1", "presentations per phase"),
        "book_n_repeats": variable(book["n_repeats"], ("phase",), "1", "repeated presentations per phase"),
        "running_accuracy": variable(np.asarray(book["run_acc"], dtype=float), "checkpoint", "1",
                                     "running accuracy estimate"),
        "images_seen": variable(np.asarray(book["run_seen"], dtype=np.int64), "checkpoint", "1",
                                "training images presented"),
    }
    ds = xr.Dataset(d).assign_coords(phase=("phase", list(PHASE_NAMES)))
    ds["phase"].attrs.update(units="1", long_name="protocol phase")
    return ds


def checkpoint_dataset(state: dict, book: dict, rows: int, cols: int, n: int) -> xr.Dataset:
    """The partial archive written after every batch (for ``--resume``)."""
    return _state_dataset(state, book, rows, cols, n)


def checkpoint_attrs(book: dict) -> dict:
    """Where the run stands, as ``ckpt_*`` archive attributes."""
    return {f"ckpt_{k}": (float(book[k]) if isinstance(book[k], float) else int(book[k])) for k in BOOK_ATTRS}


def from_checkpoint(ds: xr.Dataset, n: int) -> tuple[dict, dict]:
    """The state and the book saved in checkpoint ``ds`` (of a run with ``n`` excitatory neurons)."""
    def flat(name):   # (neuron, row, col) -> input-synapse order
        a = np.asarray(ds[name].values, dtype=float)
        return a.reshape(n, -1).T.reshape(-1)

    state = {"w": flat("state_w"), "lastpre": flat("state_lastpre")}
    for k in STATE_VARS[2:]:
        state[k] = np.asarray(ds[f"state_{k}"].values, dtype=float)
    state["intensity"] = float(ds["state_intensity"].values)
    book = new_book(n)
    for k in BOOK_ATTRS:
        v = ds.attrs.get(f"ckpt_{k}", 0)  # 'skipped' is newer than some checkpoints
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


_UNITS = {"mV": mV, "ms": ms, "Hz": Hz}


def _param_variable(name: str, value) -> xr.DataArray:
    unit, val = "1", value
    if hasattr(value, "dim"):
        for uname, uq in _UNITS.items():
            if value.dim == uq.dim:
                unit, val = uname, float(value / uq)
                break
    return scalar(float(val), unit, f"model parameter {name} (Diehl & Cook 2015; see workbench.networks.diehl_cook)")


def final_dataset(*, book: dict, state: dict, test_labels: np.ndarray, class_names, rows: int, cols: int,
                  delay_ms: np.ndarray | None, constants: dict, n_train_images: int, dataset: str,
                  dataset_source: str, method: str, runaway_spikes: int, build_time: float,
                  setup_time: float) -> xr.Dataset:
    """The final archive of a finished run.

    Classes are assigned from the frozen assignment pass and the test images voted
    (:mod:`workbench.readout.voting`, paper Sec. 2.6); ``test_labels`` are the labels of the test images
    shown, ``delay_ms`` the input delays (synapse order), ``constants`` the network's constants as run
    (:data:`~workbench.networks.diehl_cook.DC_PARAMS` with the protocol's values), ``n_train_images``
    the training images over all epochs.
    """
    n = len(state["theta"])
    assignment = assign_classes(book["assign_sums"], book["assign_n"])
    counts = book["test_counts"]
    labels = np.asarray(test_labels)
    pred = classify(counts, assignment)
    acc = float(np.mean(pred == labels))
    conf = np.zeros((10, 10), dtype=np.int64)
    np.add.at(conf, (labels, pred), 1)
    ds = _state_dataset(state, book, rows, cols, n)
    ds["receptive_field"] = variable(
        ds["state_w"].values, ("neuron", "row", "col"), "1",
        "learned input weight (input pixel row, col -> excitatory neuron)",
        description="synapse input(row*cols+col) -> exc(neuron); conductance jump ge += w (units of the leak "
                    "conductance)")
    ds["assignment"] = variable(assignment, "neuron", "1", "assigned class")
    ds["theta"] = variable(state["theta"], "neuron", "mV", "adaptive threshold theta",
                           description="threshold = theta - theta_offset + v_thresh_e (theta starts at theta_offset)")
    ds["prediction"] = variable(pred, "test_image", "1", "predicted class")
    ds["label"] = variable(labels, "test_image", "1", "true class")
    ds["test_spike_count"] = variable(counts, ("test_image", "neuron"), "1",
                                      "excitatory spikes per test image (accepted presentation)")
    ds["confusion"] = variable(conf, ("true_class", "predicted_class"), "1",
                               "test images (true class x predicted class)")
    ds = ds.assign_coords(true_class=("true_class", np.arange(10)), predicted_class=("predicted_class", np.arange(10)),
                          class_name=("true_class", list(class_names)))
    for c in ("true_class", "predicted_class", "class_name"):
        ds[c].attrs.update(units="1", long_name=c.replace("_", " "))
    ds["test_accuracy"] = scalar(acc, "1", "test accuracy (fraction correct)")
    ds["training_time"] = scalar(book["train_time"], "s", "wall time of the training runs")
    ds["assignment_time"] = scalar(book["assign_time"], "s", "wall time of the frozen assignment pass")
    ds["test_time"] = scalar(book["test_time"], "s", "wall time of the test runs")
    ds["training_cpu_time"] = scalar(book["train_cpu"], "s", "CPU time (user+sys) of the training runs")
    ds["build_time"] = scalar(build_time, "s", "compile time of the standalone program (0: cached/runtime)")
    ds["train_presentations"] = scalar(int(book["n_presentations"][0]), "1",
                                       "training presentations (repeats included)")
    ds["time_per_train_image"] = scalar(1e3 * book["train_time"] / n_train_images, "ms",
                                        "wall time per training image (repeats included)")
    ds["cpu_time_per_train_image"] = scalar(1e3 * book["train_cpu"] / n_train_images, "ms",
                                            "CPU time per training image (repeats included)")
    ds["rest_spikes"] = scalar(int(book["rest_spikes"]), "1", "excitatory spikes in input-free rest windows")
    ds["max_rest_spikes"] = scalar(int(book["max_rest_spikes"]), "1", "most rest spikes in one slot")
    ds["runaway_slots"] = scalar(int(book["runaway_slots"]), "1", "slots with more than runaway_spikes rest spikes")
    ds["runaway"] = scalar(int(book["runaway_slots"] > 0), "1", "runaway activity detected (1) or not (0)")
    if delay_ms is not None:
        ds["input_delay"] = variable(_by_pixel(delay_ms, rows, cols, n), ("neuron", "row", "col"), "ms",
                                     "input synapse delay")
    for k, v in constants.items():
        ds[f"param_{k}"] = _param_variable(k, v)
    ds["param_w_ei"].attrs["connectivity"] = "one-to-one exc(i) -> inh(i), ge_post += w_ei"
    ds["param_w_ie"].attrs["connectivity"] = "inh(i) -> exc(j) for all j != i, gi_post += w_ie"
    ds = ds.assign_coords(neuron=("neuron", np.arange(n)), row=("row", np.arange(rows)), col=("col", np.arange(cols)))
    for c, ln in (("neuron", "excitatory neuron"), ("row", "input row"), ("col", "input column")):
        ds[c].attrs.update(units="1", long_name=ln)
    ds.attrs.update(dataset=dataset, dataset_source=dataset_source, integration=method,
                    n_assign=int(book["assign_n"].sum()), setup_time_s=float(setup_time),
                    skipped_images=int(book.get("skipped", 0)),
                    reference="Diehl & Cook 2015, Front. Comput. Neurosci. 9:99; github.com/peter-u-diehl/stdp-mnist")
    if norm := book.get("norm_checks"):
        ds["norm_wsum_before"] = variable(np.concatenate([a for a, _, _ in norm], axis=1), ("neuron", "norm_slot"),
                                          "1", "input weight sum before normalisation")
        ds["norm_wsum_after"] = variable(np.concatenate([b for _, b, _ in norm], axis=1), ("neuron", "norm_slot"),
                                         "1", "input weight sum after normalisation")
        ds["norm_learn"] = variable(np.concatenate([np.full(a.shape[1], l) for a, _, l in norm]), "norm_slot", "1",
                                    "plasticity on during the slot")
    if book["runaway_slots"]:
        ds.attrs["warning"] = (f"runaway activity: {book['runaway_slots']} slot(s) with more than "
                               f"{runaway_spikes} excitatory spikes without input")
    return ds
