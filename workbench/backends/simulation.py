"""Run one network once or many times with new values, on any backend (see :class:`Simulation`)."""
from __future__ import annotations

import time
from typing import Any, Mapping

from brian2 import TimedArray

from .device import ActiveBackend, canonical_clock_resets

__all__ = ["Simulation"]


class Simulation:
    """Run one network once or many times with new values, on any backend.

    Usage (inside :func:`use_backend`)::

        net = Network(...)
        sim = Simulation(net, duration, active_backend)
        sim.run()                                   # first run (builds on standalone)
        sim.run({group.I: new_currents})            # re-run: no rebuild on standalone

    On runtime backends the network's initial state is stored before the first
    run and restored before each later one; values are then assigned.  On
    standalone backends the values go through ``run_args``, which needs
    Brian2 >= 2.6.  Each ``run`` returns the wall time of the simulation.
    """

    def __init__(self, net, duration, backend: ActiveBackend, *, report=None, report_period=None):
        from brian2 import second

        self.net = net
        self.duration = duration
        self.backend = backend
        self.report = report
        self.report_period = report_period if report_period is not None else 10 * second
        self.n_runs = 0
        self.build_time = 0.0

    def run(self, values: Mapping[Any, Any] | None = None, *, results_directory: str | None = None) -> float:
        from brian2 import device

        values = dict(values or {})
        t0 = time.perf_counter()
        if not self.backend.standalone:
            if self.n_runs == 0:
                self.net.store("workbench_initial")
            else:
                self.net.restore("workbench_initial")
            for view, value in values.items():
                if isinstance(view, TimedArray):  # runtime code closes over this very array: update in place
                    view.values[:] = value
                else:
                    view[:] = value
            self.net.run(self.duration, report=self.report, report_period=self.report_period)
        else:
            if self.n_runs == 0:
                self.net.run(self.duration, report=self.report, report_period=self.report_period)
                tb = time.perf_counter()
                from brian2.devices.device import get_device

                if self.backend.name == "genn":
                    # Brian2GeNN builds inside run() before marking the run statement used; a manual
                    # build afterwards rejects every initialisation code object unless reset
                    get_device().run_statement_used = False
                else:
                    canonical_clock_resets(get_device())
                device.build(directory=str(self.backend.build_dir), compile=True, run=False,
                             with_output=False)
                self.build_time = time.perf_counter() - tb
            kwargs = {"run_args": values}
            if results_directory is not None:
                kwargs["results_directory"] = results_directory
            tr = time.perf_counter()
            device.run(with_output=False, **kwargs)
            self.backend.timers.setdefault("run", []).append(time.perf_counter() - tr)
        self.n_runs += 1
        return time.perf_counter() - t0
