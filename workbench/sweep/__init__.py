"""Parameter sweeps on Dask: one archive per point, resumable, merged into one Dataset.

    workbench sweep fi-curve --grid current_scale=0.8,1.2 --grid dt=0.05ms,0.1ms \\
        --set models=lif --seeds 2 --backend cpp_standalone --workers 2 --out sweeps/fi
    workbench collect sweeps/fi --out sweeps/fi.nc
    workbench figure sweep-heatmap sweeps/fi.nc

Scheduling is Dask's (``dask.distributed``), never our own: by default a ``LocalCluster`` of
worker *processes* with one thread each (Brian2's device state is global per process); with
``scheduler=ADDRESS`` the same tasks go to an existing cluster.  Each point runs
:func:`workbench.protocol.run` on a worker and writes its own archive atomically, named by the
point's hash (``config_hash`` of protocol, resolved parameters, seed and backend), so a rerun with
the same arguments skips every point whose archive exists.  A point that raises is recorded as
``<name>.error.json`` (with the traceback) and the sweep goes on.

The package, one job per module:

:mod:`~workbench.sweep.grid`
    the grid: parse ``--grid`` values, validate every point against the protocol's parameters,
    hash points, coordinates with their units.
:mod:`~workbench.sweep.folder`
    the sweep folder: manifest (``sweep.json``), ``points/``, the log, atomic JSON writes.
:mod:`~workbench.sweep.worker`
    one point on a Dask worker (:func:`run_point`): private or shared build caches, garbage
    collection between points, compile counting, the overhead record.
:mod:`~workbench.sweep.client`
    :func:`sweep`: the manifest, the cluster (local or remote), submission and the log.
:mod:`~workbench.sweep.collect`
    :func:`collect`: the points merged lazily into one Dataset with the swept parameters as
    dimensions.
:mod:`~workbench.sweep.cli`
    ``workbench sweep`` and ``workbench collect``.
"""
from .client import SweepResult, sweep
from .collect import collect
from .grid import Point, SweepError, expand, parse_grid, point_hash
from .worker import run_point

__all__ = ["SweepError", "Point", "SweepResult", "parse_grid", "expand", "point_hash", "sweep", "collect",
           "run_point"]
