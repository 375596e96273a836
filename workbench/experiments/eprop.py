"""Protocol logic of ``protocols/eprop.py``: LSNNs trained with e-prop on the tasks of Bellec et al. 2020.

Tasks: ``pattern`` (one frozen Poisson input pattern, ``n_out`` sum-of-sines targets, mean squared
error) and ``evidence`` (evidence accumulation: left/right cues, a delay, a recall cue; cross-entropy
in the recall window; accuracy on fresh trials).  Everything runs through the Brian2 network of
:mod:`workbench.networks.lsnn` (eligibility traces, learning signals and gradient accumulators are
Brian2 variables); on ``cpp_standalone`` one build serves every iteration (``run_args``).

The steps: :func:`resolve_task` (the task's values for parameters left at their sentinel),
:func:`lsnn_config`, :class:`TaskData`, :func:`use_lsnn_backend`, :func:`train` (learning curve,
validation, checkpoints), :func:`test` (fresh trials and example trials), :func:`archive`.  The
archive holds the learning curve (``loss``, ``nmse`` or ``accuracy`` per iteration), ``final_loss``
(pattern) or ``test_accuracy`` (evidence), the weights before and after training, spike rasters
(inputs and recurrent neurons) of a few example trials with their readouts and targets, and the
membrane potential and adaptation of some neurons in the first one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from brian2 import Hz, ms

from ..archive import open_archive
from ..backends import model_key, use_backend
from ..eprop.tasks import evidence_task, pattern_task
from ..eprop.optim import Plateau
from ..eprop.train import Trainer
from ..networks.lsnn import LSNNConfig
from ..recording import scalar, variable

__all__ = ["TASKS", "resolve_task", "lsnn_config", "TaskData", "use_lsnn_backend", "load_weights", "Curve",
           "train", "test", "archive", "how_chosen"]

TASKS = ("pattern", "evidence")
_INT = ("n_in", "n_lif", "n_alif", "n_out", "batch", "n_iter")
_FLOAT = ("lr", "v_th", "beta", "c_reg", "lr_decay", "stop_accuracy")
_TIME = ("tau_m", "tau_out", "tau_a", "duration")


def resolve_task(params, task_values: dict) -> dict:
    """The settings of one run: ``params`` (the protocol's :class:`~workbench.params.Params`) where set,
    else the task's value from ``task_values`` (parameters left at -1, 0 ms or 0 Hz).

    Returns plain numbers (times in ms, rates in Hz): the network sizes, ``batch``, ``n_iter``, ``lr``,
    ``v_th``, ``beta`` (a negative value becomes the reference code's heuristic 1.7 (1 - rho)/(1 - alpha)),
    ``c_reg``, ``lr_decay``, ``stop_accuracy``, ``tau_*``, ``t_ref``, ``input_rate``, ``steps`` (trial length) and, for the evidence task,
    ``n_cues``, ``cue_interval``, ``t_cue`` (2/3 of the interval), ``recall``.
    """
    if params.task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {params.task!r}")
    d = {}
    for k in _INT:
        d[k] = int(params[k] if params[k] >= 0 else task_values[k])
    for k in _FLOAT:
        d[k] = float(params[k] if params[k] >= 0 else task_values[k])
    for k in _TIME:
        value = params[k] if params[k] > 0 * ms else task_values[k]
        d[k] = None if value is None else float(value / ms)
    d["t_ref"] = float((params.t_ref if params.t_ref >= 0 * ms else task_values["t_ref"]) / ms)
    d["input_rate"] = float((params.input_rate if params.input_rate > 0 * Hz else task_values["input_rate"]) / Hz)
    if d["beta"] < 0:  # the reference code's heuristic
        d["beta"] = 1.7 * (1 - np.exp(-1 / d["tau_a"])) / (1 - np.exp(-1 / d["tau_m"]))
    if params.task == "evidence":
        interval = int(round(params.cue_interval / ms))
        d["t_cue"] = max(1, int(round(interval * 2 / 3)))
        d["recall"] = int(round(params.recall / ms))
        d["n_cues"] = int(params.n_cues)
        d["duration"] = float(params.n_cues * interval + int(round(params.delay / ms)) + d["recall"])
        d["cue_interval"] = interval
        if min(interval, d["recall"]) < 1 or params.delay < 0 * ms:
            raise ValueError("cue_interval and recall must be >= 1 ms and delay >= 0 ms")
        if d["n_out"] != 2:
            raise ValueError(f"n_out: the evidence task has 2 outputs (left, right), got {d['n_out']}")
    d["steps"] = int(round(d["duration"]))
    return d


def how_chosen(params, s: dict) -> str:
    """What the run chose (learning rate, kept weights, early stop) and on which trials, for the archive."""
    if params.task == "pattern":
        return "nothing chosen: fixed schedule on the one frozen pattern (no held-out data)"
    v, w = params.validate_every, params.val_window
    sm = f"mean over the last {w} validations of the " if w > 1 else ""
    text = (f"validation: one fixed set of {params.n_val} trials drawn before training from the 'validation' "
            f"random stream (never training or test trials), scored every {v} iterations; ")
    if v <= 0:
        text = "no validation; "
    if s["lr_decay"] < 1 and v > 0:
        text += (f"learning rate {s['lr']} x {s['lr_decay']} whenever the {sm}validation loss has not "
                 f"improved for {params.patience} validations (floor {min(params.lr_min, s['lr'])}); ")
    if params.keep_best and v > 0:
        text += f"kept weights: the best {sm}validation accuracy; "
    if s["stop_accuracy"] > 0 and v > 0:
        text += f"early stop at {sm}validation accuracy >= {s['stop_accuracy']}; "
    return text + f"test: {params.n_test} fresh trials from the 'test' stream, scored once after training"


def lsnn_config(settings: dict, task: str, gamma: float) -> LSNNConfig:
    """The network's constants for these settings (cross-entropy for ``evidence``, MSE for ``pattern``)."""
    s = settings
    return LSNNConfig(n_in=s["n_in"], n_lif=s["n_lif"], n_alif=s["n_alif"], n_out=s["n_out"], tau_m=s["tau_m"],
                      tau_a=s["tau_a"], tau_out=s["tau_out"], v_th=s["v_th"], beta=s["beta"], gamma=gamma,
                      n_ref=int(round(s["t_ref"])), loss="mse" if task == "pattern" else "ce")


class TaskData:
    """Trials of one task.  ``pattern``: one frozen input pattern and its targets, drawn here from
    ``rng``; ``evidence``: fresh cue trials on every :meth:`draw`."""

    def __init__(self, task: str, settings: dict, rng: np.random.Generator):
        self.task, self.s = task, settings
        self.frozen = None
        if task == "pattern":
            self.frozen = pattern_task(settings["n_in"], settings["n_out"], settings["steps"],
                                       settings["input_rate"], rng)

    def draw(self, n: int, rng: np.random.Generator):
        """``n`` trials: input spikes ``x``, targets ``y``, loss weights ``m`` and (evidence) ``labels``."""
        if self.frozen is not None:
            x, y, m = self.frozen
            return np.repeat(x, n, 0), np.repeat(y, n, 0), np.repeat(m, n, 0), None
        s = self.s
        return evidence_task(n, rng, n_in=s["n_in"], rate_hz=s["input_rate"], n_cues=s["n_cues"], t_cue=s["t_cue"],
                             t_interval=s["cue_interval"], steps=s["steps"], recall=s["recall"])


def use_lsnn_backend(ctx, cfg: LSNNConfig, batch: int, steps: int, record_states: int):
    """:func:`~workbench.backends.use_backend` for the run's backend, with a build cache key of this network."""
    key = model_key("eprop", cfg.to_dict(), batch, steps, record_states, "lif+alif states")
    return use_backend(ctx.backend, key=key, seed=ctx.seed, threads=ctx.threads)


def load_weights(trainer: Trainer, path) -> None:
    """Start from the final weights of an earlier eprop archive or checkpoint (sizes must match)."""
    old = open_archive(path)
    for k in ("w_in", "w_rec", "w_out"):
        name = f"{k}_final"
        if name not in old:
            raise ValueError(f"init_from={path!r}: no {name} in the archive (not an eprop run?)")
        w = np.asarray(old[name].values, dtype=float)
        if w.shape != trainer.W[k].shape:
            raise ValueError(f"init_from={path!r}: {name} has shape {w.shape}, this network needs "
                             f"{trainer.W[k].shape}")
        trainer.W[k] = w.copy()
        trainer.W0[k] = w.copy()


@dataclass
class Curve:
    """The learning curve: per iteration the training loss, metric (NMSE or batch accuracy), mean rate
    (Hz), wall and CPU seconds and learning rate; the iterations, accuracies, losses and smoothed
    accuracies of the validation batches; the iteration whose weights were kept and the early stop."""

    task: str
    loss: list = field(default_factory=list)
    metric: list = field(default_factory=list)
    rate: list = field(default_factory=list)
    wall: list = field(default_factory=list)
    cpu: list = field(default_factory=list)
    val_iter: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_smooth: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    chosen: int = 0        # iteration whose weights were kept (0: the last)
    stopped: int = 0       # iteration at which the early stop ended training (0: ran to n_iter)


def train(trainer: Trainer, data: TaskData, n_iter: int, *, rng, validation=None, validate_every: int = 0,
          schedule: Plateau | None = None, window: int = 1, keep_best: bool = False, stop_accuracy: float = 0.0,
          checkpoint_every: int = 0, checkpoint=None, progress=None) -> Curve:
    """Up to ``n_iter`` e-prop iterations on batches drawn from ``rng``.

    Every ``validate_every`` iterations (evidence; 0: never) the fixed validation set ``validation``
    (``x, y, mask, labels`` drawn once, before training, from trials never used for training or
    testing) is evaluated without learning; its loss goes to ``schedule`` (a
    :class:`~workbench.eprop.optim.Plateau`, which sets the learning rate; None: constant), its accuracy
    is smoothed over the last ``window`` validations.  The same trials every time: two validations
    differ only by the weights, not by the draw of trials.  ``keep_best``: at the end the weights revert to those of the validation with the best
    smoothed accuracy (the latest of equals).  ``stop_accuracy`` > 0: training stops once the smoothed
    validation accuracy over ``window`` full validations reaches it (as the reference code's ``stop_crit``).
    Nothing here sees test trials.  Every ``checkpoint_every`` iterations ``checkpoint(ds, iterations_done)``
    gets the curve so far and the current weights (``init_from`` continues from them).  ``progress``: a
    tqdm-like bar or None.
    """
    curve, B = Curve(data.task), trainer.batch
    if data.task == "evidence" and validate_every > 0 and validation is None:
        raise ValueError("validate_every > 0 needs a validation set (x, y, mask, labels); none was given")
    best_acc, best_w = -1.0, None
    for it in range(n_iter):
        if schedule is not None:
            trainer.opt.lr = schedule.lr
        curve.lr.append(float(trainer.opt.lr))
        x, y, m, labels = data.draw(B, rng)
        res = trainer.step(x, y, m)
        curve.loss.append(float(res["loss"][:B].mean()))
        if data.task == "pattern":
            curve.metric.append(float(np.mean((res["y"][:B] - y) ** 2) / np.var(y)))
        else:
            curve.metric.append(float(np.mean(res["ysum"][:B].argmax(1) == labels)))
        curve.rate.append(float(trainer.firing_rates_hz(res).mean()))
        curve.wall.append(trainer.sim_times[-1])
        curve.cpu.append(trainer.cpu_times[-1])
        stop = False
        if data.task == "evidence" and validate_every > 0 and (it + 1) % validate_every == 0:
            xv, yv, mv, lv = validation
            ev = trainer.evaluate(xv, yv, mv)
            curve.val_iter.append(it + 1)
            curve.val_acc.append(float(np.mean(ev["ysum"].argmax(1) == lv)))
            curve.val_loss.append(float(ev["loss"].mean()))
            curve.val_smooth.append(float(np.mean(curve.val_acc[-window:])))
            if schedule is not None:
                schedule.observe(curve.val_loss[-1])
            if keep_best and curve.val_smooth[-1] >= best_acc:
                best_acc, curve.chosen = curve.val_smooth[-1], it + 1
                best_w = {k: w.copy() for k, w in trainer.W.items()}
            stop = stop_accuracy > 0 and len(curve.val_acc) >= window and curve.val_smooth[-1] >= stop_accuracy
        if checkpoint is not None and checkpoint_every > 0 and (it + 1) % checkpoint_every == 0:
            ds = xr.Dataset(_curve_vars(curve, _weight_vars({"final": trainer.W}, f"after {it + 1} iterations")))
            ds.attrs["task"] = data.task
            checkpoint(ds, it + 1)
        if progress is not None:
            progress.update(1)
            progress.set_postfix(loss=f"{curve.loss[-1]:.3g}", metric=f"{curve.metric[-1]:.3g}",
                                 lr=f"{curve.lr[-1]:.2g}")
        if stop:
            curve.stopped = it + 1
            break
    if progress is not None:
        progress.close()
    if best_w is not None:
        trainer.W = best_w
    return curve


def test(trainer: Trainer, data: TaskData, n_test: int, n_examples: int, rng) -> dict:
    """Evaluate the trained network on ``n_test`` fresh trials from ``rng`` (pattern: the frozen one) and
    simulate the first ``n_examples`` of them again for their spikes, readouts and states."""
    n_eval = 1 if data.task == "pattern" else max(n_test, 1)
    x, y, m, labels = data.draw(n_eval, rng)
    ev = trainer.evaluate(x, y, m)
    k = min(n_examples, trainer.batch, n_eval)
    show = trainer.simulate(x[:k], y[:k], m[:k])
    return {"eval": ev, "labels": labels, "show": show, "x": x[:k], "y": y[:k], "mask": m[:k]}


def _curve_vars(curve: Curve, extra: dict | None = None) -> dict:
    n = len(curve.loss)
    it = variable(np.arange(1, n + 1), "iteration", "1", "training iteration")
    loss_name = "loss (1/2 sum over steps of squared error)" if curve.task == "pattern" else "cross-entropy loss"
    metric = ("nmse", "normalised mean squared error") if curve.task == "pattern" else \
        ("accuracy", "training batch accuracy")
    v = {
        "loss": variable(curve.loss, "iteration", "1", f"training {loss_name}", coords={"iteration": it}),
        metric[0]: variable(curve.metric, "iteration", "1", metric[1], coords={"iteration": it}),
        "firing_rate": variable(curve.rate, "iteration", "Hz", "mean firing rate", coords={"iteration": it}),
        "wall_time": variable(curve.wall, "iteration", "s", "wall time per iteration", coords={"iteration": it}),
        "cpu_time": variable(curve.cpu, "iteration", "s", "CPU time per iteration", coords={"iteration": it}),
    }
    if curve.lr:
        v["learning_rate"] = variable(curve.lr, "iteration", "1", "learning rate", coords={"iteration": it})
    if curve.val_iter:
        val = variable(curve.val_iter, "validation", "1", "iteration of validation")
        v["validation_accuracy"] = variable(curve.val_acc, "validation", "1", "validation accuracy",
                                            coords={"validation": val})
        v["validation_loss"] = variable(curve.val_loss, "validation", "1", f"validation {loss_name}",
                                        coords={"validation": val})
        v["validation_accuracy_smoothed"] = variable(curve.val_smooth, "validation", "1",
                                                     "validation accuracy, mean of the last validations",
                                                     coords={"validation": val})
    v.update(extra or {})
    return v


def _weight_vars(weights: dict, when: str = "") -> dict:
    v = {}
    for name, W in weights.items():
        label = f"{name} " if not when else ""
        suffix = f" {when}" if when else ""
        v[f"w_in_{name}"] = variable(W["w_in"], ("input", "neuron"), "1", f"{label}input weights{suffix}")
        v[f"w_rec_{name}"] = variable(W["w_rec"], ("neuron_pre", "neuron"), "1", f"{label}recurrent weights{suffix}")
        v[f"w_out_{name}"] = variable(W["w_out"], ("neuron", "output"), "1", f"{label}readout weights{suffix}")
    return v


def archive(cfg: LSNNConfig, trainer: Trainer, curve: Curve, result: dict, how_chosen: str = "") -> xr.Dataset:
    """The run's archive: learning curve, final metric, weights, example rasters, readouts and states;
    ``how_chosen`` (an attribute) says how the schedule and the kept weights were chosen."""
    task, ev, show, steps = curve.task, result["eval"], result["show"], trainer.steps
    xshow, yshow, labels = result["x"], result["y"], result["labels"]
    n_show = xshow.shape[0]
    cell_type = np.array(["LIF"] * cfg.n_lif + ["ALIF"] * cfg.n_alif)
    v = _curve_vars(curve, _weight_vars({"initial": trainer.W0, "final": trainer.W}))
    loss_name = "loss (1/2 sum over steps of squared error)" if task == "pattern" else "cross-entropy loss"
    if task == "pattern":
        v["final_loss"] = scalar(float(ev["loss"].mean()), "1", f"final {loss_name}")
        v["final_nmse"] = scalar(float(np.mean((ev["y"][0] - yshow[0]) ** 2) / np.var(yshow[0])), "1",
                                 "final normalised mean squared error")
        v["target"] = variable(yshow, ("trial", "time", "output"), "1", "target")
    else:
        acc = float(np.mean(ev["ysum"].argmax(1) == labels))
        v["test_accuracy"] = scalar(acc, "1", f"test accuracy ({len(labels)} trials, scored once, at the end)")
        if curve.val_iter:
            k = curve.val_iter.index(curve.chosen) if curve.chosen else -1
            v["validation_accuracy_chosen"] = scalar(curve.val_smooth[k], "1",
                                                     "smoothed validation accuracy of the kept weights")
        v["target"] = variable(yshow, ("trial", "time", "output"), "1", "target class (one-hot)")
        v["loss_mask"] = variable(result["mask"], ("trial", "time", "output"), "1", "loss weight")
        v["label"] = variable(labels[:n_show].astype(np.int32), "trial", "1", "majority side (0 left, 1 right)")
    keep = show["spike_trial"] < n_show
    v["spike_trial"] = variable(show["spike_trial"][keep].astype(np.int32), "spike", "1", "trial of the spike")
    v["spike_neuron"] = variable(show["spike_neuron"][keep].astype(np.int32), "spike", "1",
                                 "index of the spiking neuron (recurrent)")
    v["spike_time"] = variable(show["spike_step"][keep] * cfg.dt, "spike", "ms", "spike time")
    tr_i, t_i, n_i = np.nonzero(xshow)
    v["input_spike_trial"] = variable(tr_i.astype(np.int32), "input_spike", "1", "trial")
    v["input_spike_neuron"] = variable(n_i.astype(np.int32), "input_spike", "1", "index of the spiking input neuron")
    v["input_spike_time"] = variable(t_i * cfg.dt, "input_spike", "ms", "input spike time")
    v["readout"] = variable(show["y"][:n_show], ("trial", "time", "output"), "1", "readout y")
    coords = {
        "neuron": variable(np.arange(cfg.n_rec), "neuron", "1", "recurrent neuron"),
        "cell_type": variable(cell_type, "neuron", "1", "neuron model"),
        "input": variable(np.arange(cfg.n_in), "input", "1", "input neuron"),
        "output": variable(np.arange(cfg.n_out), "output", "1", "readout neuron"),
        "time": variable(np.arange(steps) * cfg.dt, "time", "ms", "time in trial"),
        "neuron_pre": variable(np.arange(cfg.n_rec), "neuron_pre", "1", "pre-synaptic neuron"),
        "trial": variable(np.arange(n_show), "trial", "1", "example trial"),
    }
    if "v" in show:
        idx = trainer.sim.recorded
        coords["state_neuron"] = variable(idx, "state_neuron", "1", "recorded neuron")
        coords["state_cell_type"] = variable(cell_type[idx], "state_neuron", "1", "neuron model")
        v["v"] = variable(show["v"], ("state_neuron", "time"), "1", "membrane potential (trial 0)")
        v["a"] = variable(show["a"], ("state_neuron", "time"), "1", "adaptation a (trial 0)")
        v["threshold"] = variable(cfg.v_th + cfg.betas[idx, None] * show["a"], ("state_neuron", "time"), "1",
                                  "adaptive threshold v_th + beta a (trial 0)")
    v["sim_wall_time_per_iteration"] = scalar(float(np.median(curve.wall)), "s", "median wall time per iteration")
    v["sim_cpu_time_per_iteration"] = scalar(float(np.median(curve.cpu)), "s", "median CPU time per iteration")
    v["build_time"] = scalar(float(trainer.sim.build_time), "s", "standalone build time")
    v["sim_cpu_time_total"] = scalar(float(np.sum(trainer.cpu_times)), "s",
                                     "CPU time of all simulations (training, validation, test)")
    v["iterations_trained"] = scalar(len(curve.loss), "1", "training iterations run")
    v["chosen_iteration"] = scalar(curve.chosen or len(curve.loss), "1", "iteration whose weights were kept")
    ds = xr.Dataset(v, coords=coords)
    ds.attrs["task"] = task
    ds.attrs["how_chosen"] = how_chosen
    ds.attrs["early_stop_iteration"] = int(curve.stopped)
    ds.attrs["model_json"] = json.dumps(cfg.to_dict())
    return ds
