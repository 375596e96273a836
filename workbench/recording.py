"""Archive variables with units and long names: from arrays and Brian2 quantities
(:func:`variable`, :func:`scalar`), monitors (:func:`spikes`, :func:`states`) and synapses
(:func:`weights`); :func:`check_attrs` finds the variables of a Dataset that lack them.

    ds = xr.Dataset({
        "rate": variable(rates, ("model", "step"), Hz, "firing rate"),       # a quantity, stored in Hz
        "current": variable(I / pA, ("model", "step"), "pA", "injected current"),  # numbers already in pA
        "accuracy": scalar(acc, "1", "test accuracy"),
        **spikes(spike_monitor, prefix="exc"),
    }, coords={"step": variable(np.arange(n), "step", "1", "current step")})

``units`` is a Brian2 unit or its name (``ms``, ``"ms"``): a Brian2 quantity is divided by it
(a quantity of another dimension raises :class:`~brian2.units.fundamentalunits.DimensionMismatchError`);
plain numbers are taken to be in ``units`` already, which must then be a name (``"ms"``, ``"1"``,
``"bit"``), not a Brian2 unit, so that a forgotten ``* ms`` or ``/ ms`` is an error, as in Brian2.

Conventions: spikes flat along a ``spike`` dim (``spike_neuron``,
``spike_time``); state traces (``neuron``, ``time``); weights along
``synapse`` with ``pre`` / ``post`` coordinates.  Times are stored in ms,
other quantities in the unit given (default: the SI unit of their dimension).
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from brian2 import ms
from brian2.units.fundamentalunits import (DimensionMismatchError, Quantity, get_dimensions, get_unit,
                                           have_same_dimensions)

from .params import parse_quantity

__all__ = ["variable", "scalar", "spikes", "states", "weights", "quantity_variable", "check_attrs"]


def _has_units(value) -> bool:
    return isinstance(value, Quantity) and not get_dimensions(value).is_dimensionless


def _numbers_in(data, units, long_name: str):
    """``(numbers, units name)``: a quantity divided by ``units``; plain numbers as they are."""
    if _has_units(data):
        if isinstance(units, Quantity):
            unit, name = units, str(units)
        else:
            try:
                unit, name = parse_quantity(f"1 {units}"), str(units)
            except ValueError:
                raise ValueError(f"{long_name!r}: units {units!r} is not a Brian2 unit, so a quantity cannot "
                                 "be stored in it; give a Brian2 unit or its name (e.g. ms, 'ms', ujoule, 'ujoule')") from None
        if not have_same_dimensions(data, unit):
            raise DimensionMismatchError(f"{long_name!r}: cannot store a quantity in {name}",
                                         get_dimensions(data), get_dimensions(unit))
        return np.asarray(data / unit), name
    if _has_units(units):
        raise DimensionMismatchError(f"{long_name!r}: plain numbers given with the unit {units}; pass a quantity "
                                     f"(values * {units}) or, if the numbers are already in {units}, "
                                     f"units={str(units)!r}", get_dimensions(units))
    return np.asarray(data), "1" if isinstance(units, Quantity) else str(units)


def variable(data, dims, units, long_name: str, coords=None, **attrs) -> xr.DataArray:
    """A DataArray with the ``units`` and ``long_name`` attributes every archive variable carries.

    ``data``: numbers (already in ``units``) or a Brian2 quantity (stored in ``units``); ``dims``: a
    name or a tuple of names; extra ``attrs`` are kept (NetCDF-safe values only).
    """
    values, name = _numbers_in(data, units, long_name)
    return xr.DataArray(values, dims=dims, coords=coords, attrs={"units": name, "long_name": long_name, **attrs})


def scalar(value, units, long_name: str, **attrs) -> xr.DataArray:
    """A 0-d archive variable (a metric, a time, a parameter) with its units and long name."""
    return variable(value, (), units, long_name, **attrs)


def check_attrs(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` itself, after checking that every data variable and coordinate has ``units`` and
    ``long_name``; raises ``ValueError`` naming those that lack one."""
    missing = sorted(f"{name} ({', '.join(a for a in ('units', 'long_name') if a not in var.attrs)})"
                     for name, var in ds.variables.items()
                     if "units" not in var.attrs or "long_name" not in var.attrs)
    if missing:
        raise ValueError(f"archive variables without units or long_name: {', '.join(missing)}; make them with "
                         "workbench.recording.variable / scalar")
    return ds


def _prefixed(prefix: str, name: str) -> str:
    return f"{prefix}_{name}" if prefix else name


def quantity_variable(value, dims, long_name: str, unit=None, coords=None) -> xr.DataArray:
    """A DataArray from a Brian2 quantity (or plain numbers), stored in ``unit`` (default: the SI unit
    of its dimension for a quantity, ``'1'`` for numbers)."""
    if unit is None:
        unit = get_unit(get_dimensions(value)) if _has_units(value) else "1"
    return variable(value, dims, unit, long_name, coords=coords)


def spikes(monitor, prefix: str = "", population: str | None = None) -> dict[str, xr.DataArray]:
    """``{prefix_}spike_neuron`` and ``{prefix_}spike_time`` (ms) along dim ``{prefix_}spike``, sorted
    by time, then neuron."""
    dim = _prefixed(prefix, "spike")
    pop = population or monitor.source.name
    i = np.asarray(monitor.i[:], dtype=np.int32)
    t = np.asarray(monitor.t[:] / ms, dtype=np.float64)
    order = np.lexsort((i, t))
    return {
        _prefixed(prefix, "spike_neuron"): variable(i[order], dim, "1", f"index of the spiking neuron ({pop})"),
        _prefixed(prefix, "spike_time"): variable(t[order], dim, "ms", f"spike time ({pop})"),
    }


def states(monitor, variables=None, prefix: str = "", units=None) -> dict[str, xr.DataArray]:
    """State traces of a ``StateMonitor`` as (``{prefix_}neuron``, ``{prefix_}time``) variables;
    ``units`` maps a variable to the unit it is stored in (default: the SI unit)."""
    variables = variables or monitor.record_variables
    units = units or {}
    tdim, ndim = _prefixed(prefix, "time"), _prefixed(prefix, "neuron")
    first = getattr(monitor, variables[0])
    record = monitor.record
    index = np.arange(first.shape[0]) if isinstance(record, (bool, np.bool_)) else np.asarray(record)
    coords = {
        tdim: variable(np.asarray(monitor.t[:] / ms), tdim, "ms", "time"),
        ndim: variable(index.astype(np.int32), ndim, "1", "neuron index"),
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
        _prefixed(prefix, "pre"): variable(np.asarray(synapses.i[:], dtype=np.int32), dim, "1",
                                           "presynaptic neuron index"),
        _prefixed(prefix, "post"): variable(np.asarray(synapses.j[:], dtype=np.int32), dim, "1",
                                            "postsynaptic neuron index"),
    }
    value = getattr(synapses, var)[:]
    return {_prefixed(prefix, var): quantity_variable(value, (dim,), f"{var} of {synapses.name}", unit=unit,
                                                      coords=coords)}
