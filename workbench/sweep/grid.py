"""The grid of a sweep: ``--grid`` values parsed, every point validated against the protocol's
parameters before anything runs, points named by a hash, coordinates stored with their units."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from brian2 import Hz, mV, ms, nS, pA, second
from brian2.units.fundamentalunits import Quantity

from .. import backends
from ..params import ParameterError, config_hash

__all__ = ["SweepError", "Point", "parse_grid", "expand", "point_hash"]


class SweepError(ValueError):
    """A sweep was asked for wrongly (bad grid, output folder of another sweep, no cluster...)."""


def _split_values(text: str) -> list[str]:
    """``'a,b,c'`` -> ['a', 'b', 'c']; with a ';' anywhere, ';' separates (for list-valued keys)."""
    sep = ";" if ";" in text else ","
    values = [v.strip() for v in text.split(sep)]
    if not values or any(v == "" for v in values):
        raise SweepError(f"--grid value list {text!r} has an empty entry")
    return values


def parse_grid(items: Iterable[str] | Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """Parse ``['key=v1,v2', ...]`` (from ``--grid``) or check a ``{key: [values]}`` mapping.

    Values are separated by commas; a value list that contains ``;`` is split on
    ``;`` instead (so list-valued parameters can be swept: ``models=lif,adex;hh_traub``).
    """
    grid: dict[str, list[Any]] = {}
    if isinstance(items, Mapping):
        pairs = [(str(k), list(v) if isinstance(v, (list, tuple, np.ndarray)) else [v]) for k, v in items.items()]
    else:
        pairs = []
        for item in items:
            if "=" not in item:
                raise SweepError(f"--grid expects key=v1,v2,..., got {item!r}")
            key, values = item.split("=", 1)
            pairs.append((key.strip().replace("-", "_"), _split_values(values)))
    for key, values in pairs:
        if not key:
            raise SweepError("--grid: empty parameter name")
        if key in grid:
            raise SweepError(f"--grid {key!r} given twice; give all its values in one --grid {key}=v1,v2")
        if not values:
            raise SweepError(f"--grid {key!r} has no values")
        grid[key] = values
    return grid


def _display_unit(q):
    """The unit a coordinate is stored in: the field's usual one (ms, mV, pA, nS, Hz), else Brian2's best."""
    for unit in (ms, mV, pA, nS, Hz):
        if q.dim is unit.dim:
            return unit
    if np.ndim(q) == 0 and float(np.abs(q)) > 0:
        return q.get_best_unit()
    return second if q.dim is second.dim else q.get_best_unit()


def _coordinate(param, value) -> tuple[Any, str]:
    """A NetCDF-friendly coordinate value for a parameter value, and its units."""
    if isinstance(value, Quantity):
        unit = _display_unit(param.default if isinstance(param.default, Quantity) else value)
        return float(f"{float(value / unit):.12g}"), str(unit)  # 100 us and 0.1 ms: one coordinate
    if isinstance(value, (bool, np.bool_)):
        return int(value), "1"
    if isinstance(value, (int, np.integer)):
        return int(value), "1"
    if isinstance(value, (float, np.floating)):
        return float(value), "1"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value)), ""
    return str(value), ""


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its overrides (base + grid values), seed, hash and coordinates."""

    overrides: Mapping[str, Any]
    seed: int
    hash: str
    coords: Mapping[str, Any]

    @property
    def name(self) -> str:
        return f"point-{self.hash}"


def point_hash(protocol_name: str, params, seed: int, backend: str) -> str:
    """The name of a point: a hash of protocol, full resolved configuration, seed and backend."""
    return config_hash({"protocol": protocol_name, "config": params.to_dict(), "seed": int(seed),
                        "backend": backend})


def _seed_list(seeds) -> list[int]:
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise SweepError(f"--seeds must be >= 1, got {seeds}")
        return list(range(int(seeds)))
    out = [int(s) for s in seeds]
    if not out or any(s < 0 for s in out) or len(set(out)) != len(out):
        raise SweepError(f"seeds must be distinct non-negative integers, got {seeds!r}")
    return out


def expand(protocol, grid: Mapping[str, Sequence[Any]], *, overrides: Mapping[str, Any] | None = None,
           seeds=1, backend: str | None = None):
    """All points of the product grid (validated), and the coordinate units per swept key.

    Every point is resolved through the protocol's parameters before anything
    runs, so an unknown key or a wrong unit fails the whole sweep up front.
    Returns ``(points, units, backend, seeds)``.
    """
    overrides = dict(overrides or {})
    grid = parse_grid(grid)
    both = sorted(set(grid) & set(overrides))
    if both:
        raise SweepError(f"parameter(s) {both} are both fixed (--set) and swept (--grid); keep one")
    if "seed" in grid:
        raise SweepError("'seed' is not a protocol parameter: sweep seeds with --seeds N")
    backend = backends.canonical(backend or protocol.default_backend)
    seeds = _seed_list(seeds)
    protocol.resolve(overrides)  # the fixed part alone must be valid
    units: dict[str, str] = {}
    coord_values: dict[str, list] = {k: [] for k in grid}
    points = []
    for combo in itertools.product(*grid.values()):
        point_over = dict(overrides)
        point_over.update(dict(zip(grid, combo)))
        try:
            params = protocol.resolve(point_over)
        except ParameterError as exc:
            raise SweepError(f"grid point {dict(zip(grid, combo))}: {exc}") from None
        coords = {}
        for key in grid:
            value, unit = _coordinate(protocol.params[key], params[key])
            if key in units and units[key] != unit:
                raise SweepError(f"--grid {key}: values in different units ({units[key]!r}, {unit!r})")
            units[key] = unit
            coords[key] = value
        for key in grid:
            coord_values[key].append(coords[key])
        for seed in seeds:
            points.append(Point(overrides=point_over, seed=seed,
                                hash=point_hash(protocol.name, params, seed, backend),
                                coords={**coords, "seed": seed}))
    for key, values in coord_values.items():
        distinct = list(dict.fromkeys(values))
        if len(distinct) != len(grid[key]):
            raise SweepError(f"--grid {key}: two values give the same parameter value ({grid[key]})")
    return points, units, backend, seeds
