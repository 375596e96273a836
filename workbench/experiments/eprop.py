"""Recurrent spiking networks (LIF / ALIF) trained with e-prop (Bellec et al. 2020, Nat. Commun. 11:3625).

Tasks (``task=``):

``pattern``   pattern generation (Fig. 3 tutorials / NEST's sine-wave example): one frozen Poisson
              input pattern (``n_in`` neurons at ``input_rate``) drives LIF neurons whose leaky
              readouts learn ``n_out`` sum-of-sines targets of ``duration``; mean squared error.
``evidence``  evidence accumulation (Fig. 3): 7 left/right cues, a delay, a recall cue; the
              network (LIF + ALIF) reports the majority side (cross-entropy in the recall
              window); accuracy on fresh trials.

Everything runs through the Brian2 network of :mod:`workbench.eprop.network` (eligibility
traces, learning signals and gradient accumulators are Brian2 variables); on
``cpp_standalone`` one build serves every iteration (new weights and inputs via ``run_args``).
Parameters left at their sentinel (``-1``, ``0 ms``) take the task's default from
:data:`TASK_DEFAULTS`.

The archive holds the learning curve (``loss``, ``nmse`` or ``accuracy`` per iteration), the
final ``final_loss`` (pattern) or ``test_accuracy`` (evidence), the weights before and after
training, spike rasters (inputs and recurrent neurons) of a few evaluation trials with their
readouts, targets, and the membrane potential and adaptation of some neurons of the first one.
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from brian2 import Hz, ms, second

from ..backends import model_key, use_backend
from ..eprop.model import LSNNConfig
from ..eprop.tasks import EVIDENCE_STEPS, evidence_task, pattern_task
from ..eprop.train import Trainer
from ..params import Param
from ..protocol import Protocol

__all__ = ["PROTOCOL", "TASK_DEFAULTS"]

#: Task defaults for parameters left at their sentinel (times in ms, rates in Hz).
TASK_DEFAULTS = {
    "pattern": dict(n_in=100, n_lif=100, n_alif=0, n_out=3, batch=1, n_iter=200, lr=0.003, tau_m=30.0,
                    tau_out=30.0, tau_a=2000.0, t_ref=0.0, v_th=0.03 / (1 - np.exp(-1 / 30.0)), beta=0.0,
                    c_reg=300.0, input_rate=50.0, duration=1000.0),
    "evidence": dict(n_in=40, n_lif=50, n_alif=50, n_out=2, batch=32, n_iter=50, lr=0.005, tau_m=20.0,
                     tau_out=20.0, tau_a=2000.0, t_ref=5.0, v_th=0.6, beta=-1.0, c_reg=2.0, input_rate=40.0,
                     duration=float(EVIDENCE_STEPS)),
}


def _resolve(params) -> dict:
    d = dict(TASK_DEFAULTS[params.task])
    for k in ("n_in", "n_lif", "n_alif", "n_out", "batch", "n_iter"):
        if params[k] >= 0:
            d[k] = int(params[k])
    for k in ("lr", "v_th", "beta", "c_reg"):
        if params[k] >= 0:
            d[k] = float(params[k])
    for k in ("tau_m", "tau_out", "tau_a", "duration"):
        if params[k] > 0 * ms:
            d[k] = float(params[k] / ms)
    if params.t_ref >= 0 * ms:
        d["t_ref"] = float(params.t_ref / ms)
    if params.input_rate > 0 * Hz:
        d["input_rate"] = float(params.input_rate / Hz)
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
    if params.task == "evidence" and d["n_out"] != 2:
        raise ValueError(f"n_out: the evidence task has 2 outputs (left, right), got {d['n_out']}")
    return d


def _batch(task, d, rng, n, frozen):
    if task == "pattern":
        x, y, m = frozen
        return np.repeat(x, n, 0), np.repeat(y, n, 0), np.repeat(m, n, 0), None
    x, y, m, labels = evidence_task(n, rng, n_in=d["n_in"], rate_hz=d["input_rate"], n_cues=d["n_cues"],
                                    t_cue=d["t_cue"], t_interval=d["cue_interval"], steps=int(d["duration"]),
                                    recall=d["recall"])
    return x, y, m, labels


def _run(params, ctx):
    d = _resolve(params)
    task = params.task
    steps = int(round(d["duration"]))
    cfg = LSNNConfig(n_in=d["n_in"], n_lif=d["n_lif"], n_alif=d["n_alif"], n_out=d["n_out"], tau_m=d["tau_m"],
                     tau_a=d["tau_a"], tau_out=d["tau_out"], v_th=d["v_th"], beta=d["beta"], gamma=params.gamma,
                     n_ref=int(round(d["t_ref"])), loss="mse" if task == "pattern" else "ce")
    rng = ctx.rng
    frozen = pattern_task(cfg.n_in, cfg.n_out, steps, d["input_rate"], rng) if task == "pattern" else None
    B = d["batch"]
    n_rec_states = min(params.record_neurons, cfg.n_rec)
    key = model_key("eprop", cfg.to_dict(), B, steps, n_rec_states, "lif+alif states")
    curve = {k: [] for k in ("loss", "metric", "rate", "wall", "cpu")}
    val_iter, val_acc = [], []
    with use_backend(ctx.backend, key=key, seed=ctx.seed, threads=ctx.threads) as be:
        tr = Trainer(cfg, B, steps, be, rng, lr=d["lr"], feedback=params.feedback, c_reg=d["c_reg"],
                     f_target_hz=float(params.f_target / Hz), record_states=n_rec_states,
                     optimizer=params.optimizer)
        if params.init_from:
            _load_weights(tr, params.init_from)
        bar = ctx.progress_bar(d["n_iter"], desc=f"e-prop {task}")
        for it in range(d["n_iter"]):
            x, y, m, labels = _batch(task, d, rng, B, frozen)
            res = tr.step(x, y, m)
            curve["loss"].append(float(res["loss"][:B].mean()))
            if task == "pattern":
                err = res["y"][:B] - y
                curve["metric"].append(float(np.mean(err ** 2) / np.var(y)))
            else:
                curve["metric"].append(float(np.mean(res["ysum"][:B].argmax(1) == labels)))
            curve["rate"].append(float(tr.firing_rates_hz(res).mean()))
            curve["wall"].append(tr.sim_times[-1])
            curve["cpu"].append(tr.cpu_times[-1])
            if task == "evidence" and params.validate_every > 0 and (it + 1) % params.validate_every == 0:
                xv, yv, mv, lv = _batch(task, d, rng, B, frozen)
                ev = tr.evaluate(xv, yv, mv)
                val_iter.append(it + 1)
                val_acc.append(float(np.mean(ev["ysum"].argmax(1) == lv)))
            if params.checkpoint_every > 0 and (it + 1) % params.checkpoint_every == 0:
                ck = _curve_dataset(task, curve, val_iter, val_acc)
                for k, dims in (("w_in", ("input", "neuron")), ("w_rec", ("neuron_pre", "neuron")),
                                ("w_out", ("neuron", "output"))):  # so that init_from can continue from here
                    ck[f"{k}_final"] = xr.DataArray(tr.W[k], dims=dims, attrs={
                        "units": "1", "long_name": f"{k} weights after {it + 1} iterations"})
                ctx.checkpoint(ck, params, iterations_done=it + 1)
            bar.update(1)
            bar.set_postfix(loss=f"{curve['loss'][-1]:.3g}", metric=f"{curve['metric'][-1]:.3g}")
        bar.close()
        # final evaluation with the trained weights
        n_eval = 1 if task == "pattern" else max(params.n_test, 1)
        xs, ys, ms_, labels_test = _batch(task, d, rng, n_eval, frozen)
        ev = tr.evaluate(xs, ys, ms_)
        n_show = min(params.raster_trials, B, n_eval)
        show = tr.simulate(xs[:n_show], ys[:n_show], ms_[:n_show])
        xshow = xs[:n_show]
    ds = _archive(params, d, cfg, tr, curve, val_iter, val_acc, ev, show, xshow, ys[:n_show], ms_[:n_show],
                  labels_test, task, steps)
    if be.build_dir is not None or tr.net._sim is not None:
        ds["build_time"] = xr.DataArray(float(getattr(tr.net._sim, "build_time", 0.0) or 0.0),
                                        attrs={"units": "s", "long_name": "standalone build time"})
    return ds


def _load_weights(tr, path):
    """Start from the final weights of an earlier eprop archive (sizes must match)."""
    from ..archive import open_archive

    old = open_archive(path)
    for k in ("w_in", "w_rec", "w_out"):
        name = f"{k}_final"
        if name not in old:
            raise ValueError(f"init_from={path!r}: no {name} in the archive (not an eprop run?)")
        w = np.asarray(old[name].values, dtype=float)
        if w.shape != tr.W[k].shape:
            raise ValueError(f"init_from={path!r}: {name} has shape {w.shape}, this network needs {tr.W[k].shape}")
        tr.W[k] = w.copy()
        tr.W0[k] = w.copy()


def _curve_dataset(task, curve, val_iter, val_acc) -> xr.Dataset:
    """The learning curve so far (what a checkpoint holds)."""
    n = len(curve["loss"])
    metric = ("nmse", "normalised mean squared error") if task == "pattern" else ("accuracy", "training batch accuracy")
    ds = xr.Dataset(
        {"loss": ("iteration", curve["loss"], {"units": "1", "long_name": "training loss"}),
         metric[0]: ("iteration", curve["metric"], {"units": "1", "long_name": metric[1]}),
         "firing_rate": ("iteration", curve["rate"], {"units": "Hz", "long_name": "mean firing rate"}),
         "cpu_time": ("iteration", curve["cpu"], {"units": "s", "long_name": "CPU time per iteration"}),
         "wall_time": ("iteration", curve["wall"], {"units": "s", "long_name": "wall time per iteration"})},
        coords={"iteration": ("iteration", np.arange(1, n + 1), {"units": "1", "long_name": "training iteration"})})
    if val_iter:
        ds["validation_accuracy"] = xr.DataArray(val_acc, dims="validation", coords={"validation": (
            "validation", np.asarray(val_iter), {"units": "1", "long_name": "iteration of validation"})},
            attrs={"units": "1", "long_name": "validation accuracy"})
    ds.attrs["task"] = task
    return ds


def _archive(params, d, cfg, tr, curve, val_iter, val_acc, ev, show, xshow, yshow, mshow, labels_test, task,
             steps):
    n_iter = len(curve["loss"])
    it = xr.DataArray(np.arange(1, n_iter + 1), dims="iteration",
                      attrs={"units": "1", "long_name": "training iteration"})
    cell_type = np.array(["LIF"] * cfg.n_lif + ["ALIF"] * cfg.n_alif)
    coords = {
        "iteration": it,
        "neuron": ("neuron", np.arange(cfg.n_rec), {"units": "1", "long_name": "recurrent neuron"}),
        "cell_type": ("neuron", cell_type, {"units": "1", "long_name": "neuron model"}),
        "input": ("input", np.arange(cfg.n_in), {"units": "1", "long_name": "input neuron"}),
        "output": ("output", np.arange(cfg.n_out), {"units": "1", "long_name": "readout neuron"}),
        "time": ("time", np.arange(steps) * cfg.dt, {"units": "ms", "long_name": "time in trial"}),
    }
    loss_name = "loss (1/2 sum over steps of squared error)" if task == "pattern" else "cross-entropy loss"
    v = {
        "loss": (("iteration",), curve["loss"], {"units": "1", "long_name": f"training {loss_name}"}),
        "firing_rate": (("iteration",), curve["rate"], {"units": "Hz", "long_name": "mean firing rate"}),
        "wall_time": (("iteration",), curve["wall"], {"units": "s", "long_name": "wall time per iteration"}),
        "cpu_time": (("iteration",), curve["cpu"], {"units": "s", "long_name": "CPU time per iteration"}),
    }
    if task == "pattern":
        v["nmse"] = (("iteration",), curve["metric"], {"units": "1", "long_name": "normalised mean squared error"})
        v["final_loss"] = ((), float(ev["loss"].mean()), {"units": "1", "long_name": f"final {loss_name}"})
        v["final_nmse"] = ((), float(np.mean((ev["y"][0] - yshow[0]) ** 2) / np.var(yshow[0])),
                           {"units": "1", "long_name": "final normalised mean squared error"})
    else:
        v["accuracy"] = (("iteration",), curve["metric"], {"units": "1", "long_name": "training batch accuracy"})
        acc = float(np.mean(ev["ysum"].argmax(1) == labels_test))
        v["test_accuracy"] = ((), acc, {"units": "1", "long_name": f"test accuracy ({len(labels_test)} trials)"})
        if val_iter:
            coords["validation"] = ("validation", np.asarray(val_iter),
                                    {"units": "1", "long_name": "iteration of validation"})
            v["validation_accuracy"] = (("validation",), val_acc, {"units": "1", "long_name": "validation accuracy"})
    for name, W in (("initial", tr.W0), ("final", tr.W)):
        v[f"w_in_{name}"] = (("input", "neuron"), W["w_in"], {"units": "1", "long_name": f"{name} input weights"})
        v[f"w_rec_{name}"] = (("neuron_pre", "neuron"), W["w_rec"],
                              {"units": "1", "long_name": f"{name} recurrent weights"})
        v[f"w_out_{name}"] = (("neuron", "output"), W["w_out"],
                              {"units": "1", "long_name": f"{name} readout weights"})
    coords["neuron_pre"] = ("neuron_pre", np.arange(cfg.n_rec), {"units": "1", "long_name": "pre-synaptic neuron"})
    n_show = xshow.shape[0]
    coords["trial"] = ("trial", np.arange(n_show), {"units": "1", "long_name": "example trial"})
    keep = show["spike_trial"] < n_show
    v["spike_trial"] = (("spike",), show["spike_trial"][keep].astype(np.int32),
                        {"units": "1", "long_name": "trial of the spike"})
    v["spike_neuron"] = (("spike",), show["spike_neuron"][keep].astype(np.int32),
                         {"units": "1", "long_name": "index of the spiking neuron (recurrent)"})
    v["spike_time"] = (("spike",), show["spike_step"][keep] * cfg.dt, {"units": "ms", "long_name": "spike time"})
    tr_i, t_i, n_i = np.nonzero(xshow)
    v["input_spike_trial"] = (("input_spike",), tr_i.astype(np.int32), {"units": "1", "long_name": "trial"})
    v["input_spike_neuron"] = (("input_spike",), n_i.astype(np.int32),
                               {"units": "1", "long_name": "index of the spiking input neuron"})
    v["input_spike_time"] = (("input_spike",), t_i * cfg.dt, {"units": "ms", "long_name": "input spike time"})
    v["readout"] = (("trial", "time", "output"), show["y"][:n_show], {"units": "1", "long_name": "readout y"})
    if task == "pattern":
        v["target"] = (("trial", "time", "output"), yshow, {"units": "1", "long_name": "target"})
    else:
        v["target"] = (("trial", "time", "output"), yshow, {"units": "1", "long_name": "target class (one-hot)"})
        v["loss_mask"] = (("trial", "time", "output"), mshow, {"units": "1", "long_name": "loss weight"})
        v["label"] = (("trial",), labels_test[:n_show].astype(np.int32),
                      {"units": "1", "long_name": "majority side (0 left, 1 right)"})
    if "v" in show:
        idx = tr.net.recorded
        coords["state_neuron"] = ("state_neuron", idx, {"units": "1", "long_name": "recorded neuron"})
        coords["state_cell_type"] = ("state_neuron", cell_type[idx], {"units": "1", "long_name": "neuron model"})
        v["v"] = (("state_neuron", "time"), show["v"], {"units": "1", "long_name": "membrane potential (trial 0)"})
        thr = cfg.v_th + cfg.betas[idx, None] * show["a"]
        v["a"] = (("state_neuron", "time"), show["a"], {"units": "1", "long_name": "adaptation a (trial 0)"})
        v["threshold"] = (("state_neuron", "time"), thr,
                          {"units": "1", "long_name": "adaptive threshold v_th + beta a (trial 0)"})
    v["sim_wall_time_per_iteration"] = ((), float(np.median(curve["wall"])),
                                        {"units": "s", "long_name": "median wall time per iteration"})
    v["sim_cpu_time_per_iteration"] = ((), float(np.median(curve["cpu"])),
                                       {"units": "s", "long_name": "median CPU time per iteration"})
    ds = xr.Dataset({k: xr.DataArray(val[1], dims=val[0], attrs=val[2]) for k, val in v.items()}, coords=coords)
    ds.attrs["task"] = task
    ds.attrs["model_json"] = __import__("json").dumps(cfg.to_dict())
    return ds


PROTOCOL = Protocol(
    name="eprop",
    description="Recurrent LIF/ALIF networks trained with e-prop: pattern generation, evidence accumulation.",
    params={
        "task": Param("pattern", "pattern | evidence", choices=("pattern", "evidence")),
        "n_iter": Param(-1, "training iterations (-1: task default)"),
        "batch": Param(-1, "trials per iteration (-1: task default)"),
        "optimizer": Param("adam", "adam | sgd", choices=("adam", "sgd")),
        "lr": Param(-1.0, "learning rate (-1: task default)"),
        "feedback": Param("symmetric", "learning-signal feedback: symmetric | random",
                          choices=("symmetric", "random")),
        "n_in": Param(-1, "input neurons (-1: task default)"),
        "n_lif": Param(-1, "LIF neurons (-1: task default)"),
        "n_alif": Param(-1, "ALIF neurons (-1: task default)"),
        "n_out": Param(-1, "readout neurons (-1: task default)"),
        "tau_m": Param(0 * ms, "membrane time constant (0 ms: task default)"),
        "tau_a": Param(0 * ms, "adaptation time constant (0 ms: task default)"),
        "tau_out": Param(0 * ms, "readout time constant (0 ms: task default)"),
        "t_ref": Param(-1 * ms, "refractory period, multiple of 1 ms (-1 ms: task default)"),
        "v_th": Param(-1.0, "threshold, arbitrary units (-1: task default)"),
        "beta": Param(-1.0, "ALIF adaptation strength (-1: the reference code's heuristic)"),
        "gamma": Param(0.3, "pseudo-derivative dampening factor"),
        "c_reg": Param(-1.0, "firing-rate regularisation strength (-1: task default)"),
        "f_target": Param(10 * Hz, "target firing rate of the regulariser"),
        "input_rate": Param(0 * Hz, "Poisson rate of the inputs (0 Hz: task default)"),
        "duration": Param(0 * ms, "trial length, pattern task (0 ms: task default)"),
        "n_cues": Param(7, "cues per trial (evidence; odd)"),
        "cue_interval": Param(150 * ms, "time between cue onsets (evidence; cues last 2/3 of it)"),
        "delay": Param(1050 * ms, "delay between the last cue period and the recall cue (evidence)"),
        "recall": Param(150 * ms, "recall window: recall cue and loss (evidence)"),
        "n_test": Param(256, "test trials after training (evidence)"),
        "validate_every": Param(10, "iterations between validation batches (evidence; 0: never)"),
        "init_from": Param("", "eprop archive whose final weights start the training (empty: random)"),
        "checkpoint_every": Param(10, "iterations between checkpoints of the learning curve to --out (0: none)"),
        "raster_trials": Param(2, "example trials stored with spikes and readouts"),
        "record_neurons": Param(20, "neurons whose v and a are stored for the first example trial"),
    },
    func=_run,
    default_backend="cpp_standalone",
)
