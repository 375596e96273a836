"""Run one network once or many times with new values, on any backend (see :class:`Simulation`)."""
from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any, Mapping

import brian2
import numpy as np
from brian2 import TimedArray, second
from brian2.core.variables import VariableView
from brian2.devices.device import get_device

from ..timing import cpu_seconds
from .device import ActiveBackend, canonical_clock_resets

__all__ = ["Simulation"]


class Simulation:
    """Run one network once or many times with new values, on any backend.

    Usage (inside :func:`use_backend`)::

        net = Network(...)
        sim = Simulation(net, duration, active_backend)
        sim.run()                                   # first run (builds on standalone)
        sim.run({group.I: new_currents})            # re-run: no rebuild on standalone
        sim.run({table: new_values}, seed=7)        # a TimedArray's values; random numbers seeded with 7

    On runtime backends the network's initial state is stored before the first run and restored
    before each later one; then the values are assigned through views made after the restore (the
    stdp-digits runner this replaces found assignments through earlier views lost), and a
    ``TimedArray`` is replaced by one with the new values wherever a group's namespace (or
    ``namespace``) holds it.  On
    standalone backends the values go through ``run_args`` (Brian2 >= 2.6; the per-run value files
    are removed afterwards), so the program is built once.

    ``seed`` (per run) re-seeds the random numbers: ``brian2.seed`` on the runtime backends; on
    ``cpp_standalone`` the program reads it from ``seed_variable`` (a scalar variable of the network,
    set through ``run_args``) and seeds its generators with it at start (thread ``i`` with seed + i).
    brian2cuda and Brian2GeNN keep their own generator state: their runs are not re-seeded (a
    warning says so).

    Each ``run`` returns its wall time; ``run_times`` and ``cpu_times`` (user + system time of this
    process and of the standalone program, :func:`workbench.timing.cpu_seconds`) hold each run's
    simulation time, and ``build_time`` the standalone compile time.
    """

    def __init__(self, net, duration, backend: ActiveBackend, *, report=None, report_period=None,
                 namespace: Mapping[str, Any] | None = None, profile: bool | None = None, seed_variable=None):
        self.net = net
        self.duration = duration
        self.backend = backend
        self.report = report
        self.report_period = report_period if report_period is not None else 10 * second
        self.namespace = namespace
        self.profile = profile
        self.seed_variable = seed_variable
        self.n_runs = 0
        self.build_time = 0.0
        self.run_times: list[float] = []
        self.cpu_times: list[float] = []
        self._timed_arrays: dict[int, TimedArray] = {}   # id(original) -> the one now in the namespaces

    def run(self, values: Mapping[Any, Any] | None = None, *, seed: int | None = None,
            results_directory: str | None = None) -> float:
        """Run the network for ``duration`` with ``values`` ({VariableView or TimedArray: value}).

        ``seed`` re-seeds the random numbers for this run (see the class docs).
        """
        values = dict(values or {})
        if seed is not None and self.seed_variable is not None:
            values[self.seed_variable] = float(seed)
        t0 = time.perf_counter()
        if not self.backend.standalone:
            self._run_runtime(values, seed)
        else:
            self._run_standalone(values, seed, results_directory)
        self.n_runs += 1
        return time.perf_counter() - t0

    # ------------------------------------------------------------------ runtime

    def _run_runtime(self, values, seed):
        if self.n_runs == 0:
            self.net.store("workbench_initial")
        else:
            # restore *before* the views are made (see the class docs)
            self.net.restore("workbench_initial")
        for key, value in values.items():
            if isinstance(key, TimedArray):
                self._set_timed_array(key, value)
            else:
                _fresh_view(key)[:] = value
        if seed is not None:
            brian2.seed(int(seed))
        c0 = cpu_seconds()
        tr = time.perf_counter()
        self.net.run(self.duration, report=self.report, report_period=self.report_period, namespace=self.namespace,
                     profile=self.profile)
        self.run_times.append(time.perf_counter() - tr)
        self.cpu_times.append(cpu_seconds() - c0)

    def _set_timed_array(self, original: TimedArray, value):
        """New values for a TimedArray that a group of the network (or the run namespace) holds: written
        into its array when the shape is unchanged, else a new TimedArray of the same name replaces it."""
        current = self._timed_arrays.get(id(original), original)
        holders = [ns for ns in [getattr(obj, "namespace", None) for obj in self.net.objects] + [self.namespace]
                   if isinstance(ns, dict) and any(v is current for v in ns.values())]
        if not holders:
            raise ValueError(f"Simulation: no group of the network has TimedArray {original.name!r} in its "
                             "namespace; give it to the group (namespace=...) or to Simulation(namespace=...)")
        value = np.asarray(value)
        if value.shape == current.values.shape:
            current.values[:] = value   # the generated code reads this very array
            return
        new = TimedArray(value, dt=current.dt * second, name=current.name)
        for ns in holders:
            for k, v in list(ns.items()):
                if v is current:
                    ns[k] = new
        self._timed_arrays[id(original)] = new

    # ------------------------------------------------------------------ standalone

    def _run_standalone(self, values, seed, results_directory):
        device = get_device()
        if self.n_runs == 0:
            if seed is not None or self.seed_variable is not None:
                self._insert_reseeding(device)
            self.net.run(self.duration, report=self.report, report_period=self.report_period, namespace=self.namespace,
                         profile=self.profile)
            tb = time.perf_counter()
            if self.backend.name == "genn":
                # Brian2GeNN builds inside run() before marking the run statement used; a manual
                # build afterwards rejects every initialisation code object unless reset
                device.run_statement_used = False
            else:
                canonical_clock_resets(device)   # same model -> same main.cpp (no relink)
            device.build(directory=str(self.backend.build_dir), compile=True, run=False, with_output=False)
            self.build_time = time.perf_counter() - tb
        kwargs = {"run_args": values}
        if results_directory is not None:
            kwargs["results_directory"] = results_directory
        c0 = cpu_seconds()
        tr = time.perf_counter()
        device.run(with_output=False, **kwargs)
        self.run_times.append(time.perf_counter() - tr)
        self.cpu_times.append(cpu_seconds() - c0)
        self.backend.timers.setdefault("run", []).append(self.run_times[-1])
        for name in getattr(device, "run_args_arrays", ()):   # the per-run value files would pile up
            f = Path(device.project_dir) / "static_arrays" / name
            if f.exists():
                f.unlink()

    def _insert_reseeding(self, device):
        if self.seed_variable is None:
            raise ValueError("Simulation.run(seed=...) on a standalone backend needs Simulation(seed_variable=...): "
                             "a scalar variable of the network that carries the seed into the program")
        if self.backend.name != "cpp_standalone":
            # _random_generators exist only in cpp_standalone; GPU devices (brian2cuda, Brian2GeNN) keep
            # their own generator state, so runs are not re-seeded there.
            warnings.warn(f"Simulation on {self.backend.name}: random numbers are not re-seeded per run "
                          "(cpp_standalone only); a resumed run will not repeat an uninterrupted one")
            return
        device.apply_run_args()   # the seed is a run argument: apply them before the seeding code
        array = device.get_array_name(self.seed_variable.variable)
        n_threads = max(1, self.backend.threads)
        device.insert_code("main", f"for (int _i=0; _i<{n_threads}; _i++) "
                                   f"brian::_random_generators[_i].seed((unsigned long)brian::{array}[0] + _i);")


def _fresh_view(view):
    """A new view of the same variable (made after ``restore()``); other keys unchanged."""
    if isinstance(view, VariableView):
        return VariableView(view.name, view.group.variables[view.name], view.group, view.dim)
    return view
