"""Archive variables with units and long names: from arrays (:func:`variable`, :func:`scalar`),
Brian2 quantities, monitors and synapses.

Conventions: spikes flat along a ``spike`` dim (``spike_neuron``,
``spike_time``); state traces (``neuron``, ``time``); weights along
``synapse`` with ``pre`` / ``post`` coordinates.  Times are stored in ms,
other quantities in the unit given (default: Brian2's best unit for the data).
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from brian2 import ms
from brian2.units.fundamentalunits import Quantity, get_dimensions, get_unit

__all__ = ["variable", "scalar", "spikes", "states", "weights", "quantity_variable"]


def variable(data, dims, units: str, long_name: str, coords=None, **attrs) -> xr.DataArray:
    """A DataArray with the ``units`` and ``long_name`` attributes every archive variable carries."""
    return xr.DataArray(np.asarray(data), dims=dims, coords=coords,
                        attrs={"units": units, "long_name": long_name, **attrs})


def scalar(value, units: str, long_name: str, **attrs) -> xr.DataArray:
    """A 0-d archive variable (a metric, a time, a parameter) with its units and long name."""
    return variable(value, (), units, long_name, **attrs)


def _prefixed(prefix: str, name: str) -> str:
    return f"{prefix}_{name}" if prefix else name


def quantity_variable(value, dims, long_name: str, unit=None, coords=None) -> xr.DataArray:
    """A DataArray from a Brian2 quantity (or plain array), stored in ``unit``."""
    if isinstance(value, Quantity) and not get_dimensions(value).is_dimensionless:
        unit = unit if unit is not None else get_unit(get_dimensions(value))
        data = np.asarray(value / unit)
        units = str(unit)
    else:
        data = np.asarray(value)
        units = "1" if unit is None else str(unit)
    return xr.DataArray(data, dims=dims, coords=coords, attrs={"units": units, "long_name": long_name})


def spikes(monitor, prefix: str = "", population: str | None = None) -> dict[str, xr.DataArray]:
    """``{prefix_}spike_neuron`` and ``{prefix_}spike_time`` along dim ``{prefix_}spike``."""
    dim = _prefixed(prefix, "spike")
    pop = population or monitor.source.name
    i = np.asarray(monitor.i[:], dtype=np.int32)
    t = np.asarray(monitor.t[:] / ms, dtype=np.float64)
    order = np.lexsort((i, t))
    return {
        _prefixed(prefix, "spike_neuron"): xr.DataArray(
            i[order], dims=dim, attrs={"units": "1", "long_name": f"index of the spiking neuron ({pop})"}),
        _prefixed(prefix, "spike_time"): xr.DataArray(
            t[order], dims=dim, attrs={"units": "ms", "long_name": f"spike time ({pop})"}),
    }


def states(monitor, variables=None, prefix: str = "", units=None) -> dict[str, xr.DataArray]:
    """State traces as (``{prefix_}neuron``, ``{prefix_}time``) variables."""
    variables = variables or monitor.record_variables
    units = units or {}
    tdim, ndim = _prefixed(prefix, "time"), _prefixed(prefix, "neuron")
    first = getattr(monitor, variables[0])
    record = monitor.record
    index = np.arange(first.shape[0]) if isinstance(record, (bool, np.bool_)) else np.asarray(record)
    coords = {
        tdim: xr.DataArray(np.asarray(monitor.t[:] / ms), dims=tdim, attrs={"units": "ms", "long_name": "time"}),
        ndim: xr.DataArray(index.astype(np.int32), dims=ndim, attrs={"units": "1", "long_name": "neuron index"}),
    }
    out = {}
    for var in variables:
        value = getattr(monitor, var)
        out[_prefixed(prefix, var)] = quantity_variable(value, (ndim, tdim), f"{var} of {monitor.source.name}",
                                                        unit=units.get(var), coords=coords)
    return out


def weights(synapses, var: str = "w", prefix: str = "", unit=None) -> dict[str, xr.DataArray]:
    """Synaptic variable ``var`` along ``{prefix_}synapse`` with ``pre``/``post`` coordinates."""
    dim = _prefixed(prefix, "synapse")
    coords = {
        _prefixed(prefix, "pre"): xr.DataArray(np.asarray(synapses.i[:], dtype=np.int32), dims=dim,
                                              attrs={"units": "1", "long_name": "presynaptic neuron index"}),
        _prefixed(prefix, "post"): xr.DataArray(np.asarray(synapses.j[:], dtype=np.int32), dims=dim,
                                               attrs={"units": "1", "long_name": "postsynaptic neuron index"}),
    }
    value = getattr(synapses, var)[:]
    return {_prefixed(prefix, var): quantity_variable(value, (dim,), f"{var} of {synapses.name}", unit=unit,
                                                      coords=coords)}
