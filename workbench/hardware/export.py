"""Exporters: workbench Brian2 networks and archives -> the neutral :class:`Graph`.

This is the only module of the hardware layer that reads Brian2 objects (the
rest works on the neutral graph).  Three sources:

- :func:`graph_from_brian`: Brian2 groups built with the workbench model
  library (``lif`` / ``if`` neurons with ``delta`` or ``exp_curr``
  receptors, :func:`workbench.models.connect` synapses; spike sources become
  inputs).
- :func:`graph_from_stdp_digits`: a ``stdp-digits`` archive (Diehl & Cook
  2015): learned input weights, adaptive thresholds, delays, the one-to-one
  excitation of the inhibitory neurons and the lateral inhibition, and the
  class assignment as a vote readout.
- :func:`graph_from_liquid`: a liquid (LSM, :mod:`workbench.networks.liquid`), e.g. the
  one a ``biosignal`` archive stores (:func:`workbench.networks.liquid.liquid_from_dataset`).

The Diehl & Cook network is exported as it is simulated in Brian2:
conductance synapses (``ge += w``, two receptors with their own time
constants and reversal potentials), the learned thresholds, refractory
periods and delays, at the source's time step.  Chips without conductance
synapses (Loihi's CUBA compartment) get currents at a reference voltage
(:func:`workbench.hardware.graph.conductance_to_current`, applied by
:func:`workbench.hardware.quantize.quantize`); ``drive='current'`` applies it
at export.
"""
from __future__ import annotations

import json
import re

import numpy as np
from brian2 import NeuronGroup, amp, mV, ms, ohm, second

from ..networks.liquid import neuron_constants
from .graph import Graph, GraphError, Population, Projection, Readout, conductance_to_current

__all__ = ["graph_from_brian", "graph_from_stdp_digits", "graph_from_liquid", "tm_efficacy", "source_dt",
           "trained_network", "ExportError"]


class ExportError(GraphError):
    """A network or archive cannot be expressed as a neutral graph (and why)."""


def _scalar(ds, name, unit):
    if name not in ds:
        raise ExportError(f"archive has no variable {name!r}; is it a complete stdp-digits archive?")
    da = ds[name]
    if da.attrs.get("units", unit) != unit:
        raise ExportError(f"archive variable {name!r} is in {da.attrs.get('units')!r}, expected {unit!r}")
    return float(da.values)


def source_dt(ds, default: float = 0.5) -> float:
    """The time step (ms) a ``stdp-digits`` archive was simulated with (its config), else ``default``."""
    cfg = json.loads(ds.attrs.get("config", "{}") or "{}")
    text = str(cfg.get("dt", "")).strip()
    m = re.fullmatch(r"([0-9.eE+-]+)\s*(ms|us|s)", text)
    if not m:
        return default
    return float(m.group(1)) * {"ms": 1.0, "us": 1e-3, "s": 1e3}[m.group(2)]


def graph_from_stdp_digits(ds, dt: float | None = None, drive: str = "conductance", v_ref="mid") -> Graph:
    """The Diehl & Cook network of a ``stdp-digits`` archive as a neutral graph (``dt`` in ms).

    Populations ``input`` (pixels), ``exc`` (thresholds ``v_thresh_e +
    theta - theta_offset`` frozen at their learned values) and ``inh``;
    projections ``input_exc`` (learned weights and delays), ``exc_inh``
    (one-to-one) and ``inh_exc`` (all but self), all conductance synapses
    (receptor 0: excitatory, ``tau_ge``, ``E_exc``; receptor 1: inhibitory,
    ``tau_gi``, ``E_inh``); readout: vote of ``exc`` with the archive's class
    assignment.  ``dt`` defaults to the archive's own time step.
    ``drive='current'`` converts the conductances to currents at ``v_ref``
    (see :func:`workbench.hardware.graph.conductance_to_current`).  An archive trained for a
    current-based chip (attribute ``synapse_model='current'``, ``stdp-digits --set target=loihi``)
    is converted at the voltages it was trained with (attribute ``v_ref_mV``, per population):
    the network it learned, whatever ``drive`` says; its record of the integer network
    (:func:`trained_network`) goes into ``graph.metadata['trained_network']``.
    """
    if ds.attrs.get("synapse_model") == "current":  # trained for a current-based chip (stdp-digits target=...)
        drive, v_ref = "current", json.loads(ds.attrs["v_ref_mV"])
    if drive not in ("conductance", "current"):
        raise ExportError(f"drive={drive!r}: use 'conductance' or 'current'")
    if dt is None:
        dt = source_dt(ds)
    for need in ("receptive_field", "theta", "assignment"):
        if need not in ds:
            raise ExportError(f"archive has no {need!r}: not a finished stdp-digits archive "
                              f"(protocol {ds.attrs.get('protocol')!r}, status {ds.attrs.get('status')!r})")
    P = {k: _scalar(ds, f"param_{k}", u) for k, u in (
        ("v_rest_e", "mV"), ("v_reset_e", "mV"), ("v_thresh_e", "mV"), ("v_rest_i", "mV"), ("v_reset_i", "mV"),
        ("v_thresh_i", "mV"), ("t_ref_e", "ms"), ("t_ref_i", "ms"), ("tau_e", "ms"), ("tau_i", "ms"),
        ("E_exc", "mV"), ("E_inh_e", "mV"), ("tau_ge", "ms"), ("tau_gi", "ms"), ("theta_offset", "mV"),
        ("w_ei", "1"), ("w_ie", "1"))}
    P["E_inh_i"] = _scalar(ds, "param_E_inh_i", "mV") if "param_E_inh_i" in ds else -85.0
    rf = np.asarray(ds["receptive_field"].values, dtype=float)
    n_exc = rf.shape[0]
    w_in = rf.reshape(n_exc, -1)  # (exc, input)
    n_in = w_in.shape[1]
    theta = np.asarray(ds["theta"].values, dtype=float)
    th_e = P["v_thresh_e"] + theta - P["theta_offset"]
    exc = Population("exc", n_exc, params=dict(
        tau_m=P["tau_e"], v_rest=P["v_rest_e"], v_reset=P["v_reset_e"], v_th=th_e, t_ref=P["t_ref_e"],
        tau_syn=P["tau_ge"], tau_syn1=P["tau_gi"], E_rev0=P["E_exc"], E_rev1=P["E_inh_e"]))
    inh = Population("inh", n_exc, params=dict(
        tau_m=P["tau_i"], v_rest=P["v_rest_i"], v_reset=P["v_reset_i"], v_th=P["v_thresh_i"], t_ref=P["t_ref_i"],
        tau_syn=P["tau_ge"], tau_syn1=P["tau_gi"], E_rev0=P["E_exc"], E_rev1=P["E_inh_i"]))
    post, pre = np.meshgrid(np.arange(n_exc), np.arange(n_in), indexing="ij")
    post, pre = post.ravel(), pre.ravel()
    delay = 0.0
    if "input_delay" in ds:
        delay = np.asarray(ds["input_delay"].values, dtype=float).reshape(n_exc, -1).ravel()
    proj = [Projection("input_exc", "input", "exc", pre, post, w_in.ravel(), delay=delay,
                       synapse="conductance", receptor=0, plastic=True)]
    idx = np.arange(n_exc)
    proj.append(Projection("exc_inh", "exc", "inh", idx, idx, P["w_ei"], synapse="conductance", receptor=0))
    ii, jj = np.meshgrid(idx, idx, indexing="ij")
    off = ii != jj
    proj.append(Projection("inh_exc", "inh", "exc", ii[off], jj[off], P["w_ie"], synapse="conductance",
                           receptor=1))
    readout = Readout("exc", "vote", labels=np.asarray(ds["assignment"].values, dtype=int), classes=tuple(range(10)))
    meta = {"source": "stdp-digits", "source_test_accuracy": float(ds["test_accuracy"].values)
            if "test_accuracy" in ds else float("nan")}
    if "target_weight_step" in ds:
        meta["trained_network"] = trained_network(ds)
    graph = Graph([Population("input", n_in, "input"), exc, inh], proj, readout=readout, dt=dt,
                  name="diehl-cook", metadata=meta)
    return conductance_to_current(graph, v_ref) if drive == "current" else graph


def trained_network(ds) -> dict:
    """The record of the integer network a ``stdp-digits --set target=CHIP`` archive learned with (see
    :func:`workbench.experiments.stdp_digits.chip.trained_network`): its chip's number formats
    (``arithmetic``), ``bits``, its tick ``dt`` (ms), the weight step per projection and the state step
    per population (mV), the integer weights per projection (``input_exc``: (exc, input)) and the
    integer thresholds per population (``exc``).  The deployment on the same chip at
    the same bits rebuilds that network from it (:func:`workbench.hardware.deploy.chip_network`)."""
    for need in ("target_state_lsb", "target_weight_int", "target_threshold_int"):
        if need not in ds:
            raise ExportError(f"archive has target_weight_step but no {need!r}: an incomplete record of the "
                              "trained chip network; train it again (workbench run stdp-digits --set target=...)")
    for need in ("target_arithmetic", "target_bits"):
        if need not in ds.attrs:
            raise ExportError(f"archive has target_weight_step but no attribute {need!r}: an incomplete record of "
                              "the trained chip network; train it again (workbench run stdp-digits --set target=...)")
    for name in ("target_weight_step", "target_state_lsb"):
        if ds[name].attrs.get("units") != "mV":
            raise ExportError(f"archive variable {name!r} is in {ds[name].attrs.get('units')!r}, expected 'mV'")
    step, lsb = ds["target_weight_step"], ds["target_state_lsb"]
    n_exc = ds.sizes["neuron"]
    return {"arithmetic": json.loads(ds.attrs["target_arithmetic"]), "bits": int(ds.attrs["target_bits"]),
            "dt": source_dt(ds),
            "weight_step": {str(k): float(v) for k, v in zip(step["projection"].values, step.values)},
            "state_lsb": {str(k): float(v) for k, v in zip(lsb["population"].values, lsb.values)},
            "weight_int": {"input_exc": np.asarray(ds["target_weight_int"].values, dtype=np.int64).reshape(n_exc, -1)},
            "threshold_int": {"exc": np.asarray(ds["target_threshold_int"].values, dtype=np.int64)}}


def tm_efficacy(U, D, F, rate_hz):
    """Steady-state efficacy ``u*x`` of a Tsodyks-Markram synapse under regular input at ``rate_hz``
    (Markram, Wang & Tsodyks 1998 recursions at their fixed point); ``U`` at rate 0."""
    U, D, F = (np.asarray(a, dtype=float) for a in (U, D, F))
    if rate_hz <= 0:
        return U
    isi = 1000.0 / rate_hz  # ms
    eF = np.exp(-isi / np.maximum(F, 1e-9))
    eD = np.exp(-isi / np.maximum(D, 1e-9))
    u = U / (1 - (1 - U) * eF)
    x = (1 - eD) / (1 - (1 - u) * eD)
    return u * x


def graph_from_liquid(liquid, paper: dict | None = None, dt: float = 0.5, tau_syn: float | None = None,
                      rate_hz: float = 20.0, name: str = "liquid") -> Graph:
    """A Maass et al. 2002 liquid (:class:`workbench.networks.liquid.Liquid`) as a neutral graph.

    ``paper`` holds the neuron constants as plain numbers in ms / mV / nA /
    MOhm (``tau_m``, ``R_in``, ``v_th``, ``v_reset``, ``I_b``, ``t_ref_e``,
    ``t_ref_i``, ``tau_s_e``, ``tau_s_i``; default: the paper's,
    :func:`workbench.networks.liquid.neuron_constants`).  Excitatory synapses (and the
    inputs) drive receptor 0 (``tau_s_e``), inhibitory ones receptor 1
    (``tau_s_i``), as in the Brian2 liquid.  One approximation, recorded in
    ``graph.metadata['approximations']``: the dynamic (Tsodyks-Markram)
    synapses become static with their steady-state efficacy at ``rate_hz``
    (:func:`tm_efficacy`; ``A*U``, a first spike's, at rate 0).  A current
    jump ``A`` (nA) moves ``u_r`` by ``A*R*tau_s/tau_m*(1-d)`` mV with
    ``d = exp(-dt/tau_s)``, which gives the same total deflection
    (``u*(1 + d + d**2 + ...)``).  ``tau_syn`` overrides both time constants
    (one receptor's worth, charge preserved), for comparison.
    """
    need = ("pre", "post", "A", "U", "delay", "in_pre", "in_post", "in_A", "inhibitory", "n_in")
    missing = [k for k in need if not hasattr(liquid, k)]
    if missing:
        raise ExportError(f"liquid object lacks {missing}; use workbench.networks.liquid.make_liquid")
    paper = neuron_constants() if paper is None else paper
    N = int(len(liquid.inhibitory))
    ts_e = float(paper["tau_s_e"]) if tau_syn is None else float(tau_syn)
    ts_i = float(paper["tau_s_i"]) if tau_syn is None else float(tau_syn)
    tm, R = float(paper["tau_m"]), float(paper["R_in"])

    def to_u(ts):  # mV of u per nA of current jump
        return R * ts / tm * (1 - np.exp(-dt / ts))

    inh_pre = np.asarray(liquid.inhibitory)[np.asarray(liquid.pre)]
    # charge of the source's own time constant, delivered with the receptor's
    own = np.where(inh_pre, float(paper["tau_s_i"]), float(paper["tau_s_e"]))
    rec_ts = np.where(inh_pre, ts_i, ts_e)
    eff = tm_efficacy(liquid.U, liquid.D, liquid.F, rate_hz)
    w_rec = np.asarray(liquid.A) * eff * own / rec_ts * to_u(rec_ts)
    t_ref = np.where(liquid.inhibitory, float(paper["t_ref_i"]), float(paper["t_ref_e"]))
    params = dict(tau_m=tm, tau_syn=ts_e, tau_syn1=ts_i, v_rest=0.0, v_reset=float(paper["v_reset"]),
                  v_th=float(paper["v_th"]), t_ref=t_ref, bias=float(paper["I_b"]) * R / tm)
    pops = [Population("input", int(liquid.n_in), "input"), Population("liquid", N, params=params)]
    pre, post, delay = np.asarray(liquid.pre), np.asarray(liquid.post), np.asarray(liquid.delay)
    ex = ~inh_pre
    proj = [Projection("input_liquid", "input", "liquid", liquid.in_pre, liquid.in_post,
                       np.asarray(liquid.in_A) * to_u(ts_e)),
            Projection("recurrent_exc", "liquid", "liquid", pre[ex], post[ex], w_rec[ex], delay=delay[ex],
                       receptor=0),
            Projection("recurrent_inh", "liquid", "liquid", pre[~ex], post[~ex], w_rec[~ex], delay=delay[~ex],
                       receptor=1)]
    meta = {"source": "lsm", "approximations": f"dynamic synapses -> static A*u*x at {rate_hz} Hz; synaptic time "
            f"constants {ts_e} / {ts_i} ms; bias I_b*R/tau_m"}
    return Graph(pops, proj, readout=None, dt=dt, name=name, metadata=meta)


# --------------------------------------------------------------------------- generic Brian2 networks

def _value(obj, name, unit):
    """Parameter ``name`` of a group: per-element variable or namespace constant, in ``unit``."""
    if name in obj.variables and name not in ("N",):
        return np.asarray(getattr(obj, name)[:] / unit, dtype=float)
    if name in obj.namespace:
        return float(obj.namespace[name] / unit)
    raise ExportError(f"{obj.name}: no parameter {name!r} (namespace or variable)")


def graph_from_brian(groups, synapses, dt=None, readout=None, name="network") -> Graph:
    """A neutral graph from Brian2 objects made with :mod:`workbench.models`.

    Neuron groups must be ``lif`` or ``if`` models (``v`` leaks to ``E_L``
    with ``tau_m``, or ``C_m`` for ``if``); spike sources
    (``SpikeGeneratorGroup``, ``PoissonGroup``) become inputs.  Synapses must
    target ``v`` (delta: ``w*w_scale`` in volts) or an ``exp_curr`` receptor
    current ``I_r`` (amps; with ``R_m``, ``tau_m`` and ``tau_r`` of the
    target).  Anything else raises :class:`ExportError` naming the object.
    """
    dt_ms = float((dt if dt is not None else groups[0].clock.dt) / ms)
    pops = []
    info = {}
    for G in groups:
        if not isinstance(G, NeuronGroup):
            pops.append(Population(G.name, len(G), "input"))
            info[G.name] = None
            continue
        ns = G.namespace
        if "tau_m" in ns or "tau_m" in G.variables:
            tau_m = _value(G, "tau_m", ms)
            R = _value(G, "R_m", ohm)
        elif "C_m" in ns:
            tau_m = 1e12  # perfect integrator: no leak
            R = None
        else:
            raise ExportError(f"{G.name}: only lif / if neuron models can be exported (no tau_m or C_m)")
        taus = [k for k in list(ns) + list(G.variables) if re.fullmatch(r"tau_\w+", k) and k != "tau_m"]
        tau_syn = _value(G, taus[0], ms) if taus else 0.0
        if len(set(taus)) > 1:
            raise ExportError(f"{G.name}: several receptor time constants {taus}; the chip neuron has one current")
        E_L = _value(G, "E_L", mV) if ("E_L" in ns or "E_L" in G.variables) else _value(G, "v_reset", mV)
        params = dict(tau_m=tau_m, tau_syn=tau_syn, v_rest=E_L, v_reset=_value(G, "v_reset", mV),
                      v_th=_value(G, "v_th", mV), t_ref=_value(G, "t_ref", ms))
        pops.append(Population(G.name, len(G), params=params))
        info[G.name] = dict(R=R, tau_m=tau_m, tau_syn=tau_syn, C=(float(ns["C_m"] / (amp * second / mV))
                                                                   if "C_m" in ns else None))
    proj = []
    for S in synapses:
        code = S.pre.code if hasattr(S, "pre") else ""
        m = re.search(r"(\w+)_post\s*\+=\s*w\*w_scale(\S*)", code)
        if not m:
            raise ExportError(f"{S.name}: on_pre {code!r} is not 'target_post += w*w_scale' (workbench connect())")
        target, extra = m.group(1), m.group(2)
        if extra:
            raise ExportError(f"{S.name}: transmission {m.group(0)!r} has a factor ({extra}); only plain "
                              "delta and exp_curr synapses can be exported")
        post_info = info.get(S.target.name)
        if post_info is None:
            raise ExportError(f"{S.name}: target {S.target.name!r} is not an exported neuron group")
        w = np.asarray(S.w[:], dtype=float)
        scale = S.namespace["w_scale"]
        if target == "v":
            weight = w * float(scale / mV)
            kind = "delta"
        elif target.startswith("I_"):
            if post_info["R"] is None:
                raise ExportError(f"{S.name}: current synapses onto an 'if' group need R_m")
            d = np.exp(-dt_ms / post_info["tau_syn"])
            R = np.asarray(post_info["R"])
            j = np.asarray(S.j[:])
            Rj = R[j] if R.ndim else R
            tm = np.asarray(post_info["tau_m"])
            tmj = tm[j] if tm.ndim else tm
            dv_total = w * float(scale / amp) * Rj * 1e3 * post_info["tau_syn"] / tmj  # mV of total deflection
            weight = dv_total * (1 - d)  # u jump whose discrete sum u*(1 + d + d^2 + ...) gives the same
            kind = "current"
        else:
            raise ExportError(f"{S.name}: target variable {target!r} is neither v nor a receptor current I_r")
        proj.append(Projection(S.name, S.source.name, S.target.name, np.asarray(S.i[:]), np.asarray(S.j[:]),
                               weight, delay=np.asarray(S.delay[:] / ms, dtype=float), synapse=kind))
    return Graph(pops, proj, readout=readout, dt=dt_ms, name=name)
