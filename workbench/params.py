"""Parameters with units: declared defaults, validated overrides, JSON and hashing.

A protocol declares its parameters once (:class:`Param`), and every run goes
through :func:`resolve`, which merges defaults with overrides from Python,
TOML files or ``--set key=value`` strings.  Unknown keys, values of the wrong
type and quantities of the wrong dimension raise :class:`ParameterError`
naming the key and listing the valid ones.  Nothing here imports Brian2
objects beyond its unit system.
"""
from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import brian2.units as bu
import brian2.units.allunits as au
import numpy as np
from brian2.units.fundamentalunits import (
    DIMENSIONLESS,
    Quantity,
    get_dimensions,
    get_unit,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the tomli backport (setup.cfg installs it there)
    import tomli as tomllib

__all__ = [
    "Param",
    "ParameterError",
    "Params",
    "parse_quantity",
    "parse_bool",
    "format_value",
    "resolve",
    "check_value",
    "positive_int",
    "config_hash",
]


class ParameterError(ValueError):
    """A parameter override is unknown, mistyped or has the wrong unit."""


@dataclass(frozen=True)
class Param:
    """One declared parameter of a protocol.

    Parameters
    ----------
    default : object
        Default value; its type decides how overrides are parsed: a Brian2
        ``Quantity`` (the dimension must match), ``bool``, ``int``, ``float``,
        ``str`` or ``None`` (free-form string or ``none``).
    doc : str
        One-line description, shown by ``workbench list``.
    choices : tuple, optional
        The allowed values (for strings).
    min, max : number or Quantity, optional
        Bounds of the value (in the parameter's units), inclusive unless ``min_open`` / ``max_open``.
        Without them a quantity of time or frequency whose default is >= 0 must stay >= 0, and a
        time step (``dt``, ``*_dt``) whose default is > 0 must stay > 0 (:func:`check_value`).

    Every ``float`` and ``Quantity`` value must be finite (no ``nan``, no ``inf``).
    """

    default: Any
    doc: str = ""
    choices: tuple | None = None
    kind: type | None = None  # override the type inferred from the default
    min: Any = None
    max: Any = None
    min_open: bool = False
    max_open: bool = False

    def value_type(self):
        if self.kind is not None:
            return self.kind
        d = self.default
        if isinstance(d, Quantity):
            return Quantity
        if isinstance(d, bool):
            return bool
        if isinstance(d, (int, np.integer)):
            return int
        if isinstance(d, (float, np.floating)):
            return float
        if isinstance(d, (list, tuple)):
            return list
        return str


_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*)?$")


def _unit_namespace():
    ns = {name: getattr(au, name) for name in dir(au) if not name.startswith("_")}
    ns.update({name: getattr(bu, name) for name in dir(bu) if not name.startswith("_")})
    ns.setdefault("s", au.second)  # Brian2 displays seconds as 's' but does not define the name
    ns.setdefault("m", au.metre)
    # the symbols Brian2 prints for SI units (format_value falls back to them): '5e-05 V' must parse
    for sym, unit in (("V", au.volt), ("A", au.amp), ("S", au.siemens), ("F", au.farad), ("K", au.kelvin),
                      ("J", au.joule), ("W", au.watt), ("N", au.newton), ("C", au.coulomb), ("Pa", au.pascal),
                      ("T", au.tesla), ("H", au.henry), ("Wb", au.weber), ("g", au.gram), ("mol", au.mole),
                      ("kg", au.kilogram)):
        ns.setdefault(sym, unit)
    return ns


_UNITS = None


def parse_quantity(text: str) -> Quantity:
    """Parse ``'5*ms'``, ``'5 ms'``, ``'-65 mV'`` or ``'2.5*nS'`` into a Quantity.

    Only numbers and Brian2 unit names are accepted.
    """
    global _UNITS
    if _UNITS is None:
        _UNITS = _unit_namespace()
    text = text.strip()
    m = _NUMBER_UNIT.match(text)
    expr = text
    if m and m.group(2) and not m.group(2).lstrip().startswith(("*", "/")):
        expr = f"{m.group(1)}*({m.group(2)})"
    if re.search(r"[^\w\s.*/+()\-]", expr) or "__" in expr:
        raise ValueError(f"not a quantity: {text!r}")
    try:
        value = eval(expr, {"__builtins__": {}}, _UNITS)  # noqa: S307 - names restricted to units
    except Exception as exc:  # NameError, SyntaxError, ...
        raise ValueError(f"not a quantity: {text!r} ({exc})") from None
    if not isinstance(value, (Quantity, int, float)):
        raise ValueError(f"not a quantity: {text!r}")
    return Quantity(value)


#: the spellings a boolean parameter accepts, lower case (``--set plot=on``, ``grid_readout_input=off,on``)
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def parse_bool(value: Any) -> bool:
    """``True``/``False`` from a bool or one of :data:`TRUE_WORDS` / :data:`FALSE_WORDS` (any case);
    :class:`ValueError` for anything else."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
    raise ValueError(value)


def format_value(value: Any) -> Any:
    """A JSON-friendly form of a parameter value (quantities as ``'5. ms'``)."""
    if isinstance(value, Quantity):
        if value.dim is DIMENSIONLESS:
            return float(value)
        unit = get_unit(value.dim)
        if np.ndim(value) != 0:
            return f"{np.asarray(value / unit).tolist()} {unit}"
        # 12 significant digits: '50 us', not '50.00000000000001 us' (float noise of unit scaling)
        text = f"{float(value / value.get_best_unit()):.12g} {value.get_best_unit()}"
        try:
            parse_quantity(text)
        except ValueError:  # a display unit the parser does not know (e.g. 'ks'): use the SI unit
            text = f"{float(value / unit):.12g} {unit}"
        return text
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (tuple, list)):
        return [format_value(v) for v in value]
    return value


_TIME = get_dimensions(bu.ms)
_FREQUENCY = get_dimensions(bu.Hz)


def _bounds(key: str, param: Param):
    """``(min, min_open, max, max_open)`` of ``param``: declared, or the default rule for times,
    frequencies and time steps (see :class:`Param`)."""
    lo, lo_open = param.min, param.min_open
    if lo is None and isinstance(param.default, Quantity) and np.ndim(param.default) == 0:
        dim, d = get_dimensions(param.default), float(param.default)
        if (key == "dt" or key.endswith("_dt")) and dim is _TIME and d > 0:
            lo, lo_open = 0 * param.default, True
        elif dim in (_TIME, _FREQUENCY) and d >= 0:
            lo, lo_open = 0 * param.default, False
    return lo, lo_open, param.max, param.max_open


def check_value(key: str, param: Param, value: Any) -> None:
    """Raise :class:`ParameterError` if ``value`` is not finite or breaks ``param``'s bounds."""
    if isinstance(value, (bool, np.bool_, str)) or value is None:
        return
    if isinstance(value, (Quantity, float, int, np.floating, np.integer)):
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)):
            raise ParameterError(f"parameter {key!r}: {format_value(value)!r} is not a finite number")
        lo, lo_open, hi, hi_open = _bounds(key, param)
        for bound, is_open, bad, word in ((lo, lo_open, np.less, "at least"), (hi, hi_open, np.greater, "at most")):
            if bound is None:
                continue
            b = np.asarray(bound, dtype=float)
            if np.any(bad(arr, b)) or (is_open and np.any(arr == b)):
                rel = ("greater than" if word == "at least" else "less than") if is_open else word
                raise ParameterError(f"parameter {key!r}: {format_value(value)!r} is out of range; it must be "
                                     f"{rel} {format_value(bound)!r} (default {format_value(param.default)!r})")


def _coerce(key: str, param: Param, value: Any) -> Any:
    """Convert ``value`` (a string from the CLI or a Python object) to the param's type."""
    kind = param.value_type()
    try:
        if kind is Quantity:
            q = parse_quantity(value) if isinstance(value, str) else Quantity(value)
            want = get_dimensions(param.default)
            if get_dimensions(q) is DIMENSIONLESS and want is not DIMENSIONLESS:
                raise ParameterError(
                    f"parameter {key!r}: {value!r} has no unit; {key!r} is a quantity in "
                    f"{get_unit(want)!s}: give the unit, e.g. {key}={format_value(param.default)!r}"
                )
            if get_dimensions(q) is not want:
                raise ParameterError(
                    f"parameter {key!r}: {value!r} has units of {get_unit(get_dimensions(q))!s} "
                    f"but {key!r} needs units of {get_unit(get_dimensions(param.default))!s} "
                    f"(default {format_value(param.default)})"
                )
            return q
        if kind is bool:
            return parse_bool(value)
        if kind is int:
            if isinstance(value, str):
                f = float(value.strip().replace("_", ""))
            elif isinstance(value, (bool, np.bool_)):
                raise ValueError(value)
            else:
                f = float(value)
            if not math.isfinite(f) or f != int(f):
                raise ValueError(value)
            return int(f)
        if kind is float:
            if isinstance(value, Quantity):
                if value.dim is not DIMENSIONLESS:
                    raise ValueError(value)
            if isinstance(value, (bool, np.bool_)):
                raise ValueError(value)
            return float(value)
        if kind is list:
            if isinstance(value, str):
                items = [v.strip() for v in value.split(",") if v.strip()]
            else:
                items = list(value)
            return tuple(items)
        # str
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(value)
        if param.choices is not None and value not in param.choices:
            raise ParameterError(
                f"parameter {key!r}: {value!r} is not one of {', '.join(map(str, param.choices))}"
            )
        return value
    except ParameterError:
        raise
    except (ValueError, TypeError):
        raise ParameterError(
            f"parameter {key!r}: cannot use {value!r}; expected {kind.__name__}"
            + (f" with units of {get_unit(get_dimensions(param.default))!s}" if kind is Quantity else "")
            + f" (default {format_value(param.default)!r})"
        ) from None


class Params(Mapping):
    """An immutable, validated set of parameter values (attribute access too)."""

    def __init__(self, values: Mapping[str, Any], spec: Mapping[str, Param]):
        self._values = dict(values)
        self._spec = dict(spec)

    def __getitem__(self, key):
        return self._values[key]

    def __getattr__(self, key):
        try:
            return self.__dict__["_values"][key]
        except KeyError:
            raise AttributeError(
                f"no parameter {key!r}; valid: {', '.join(sorted(self.__dict__['_values']))}"
            ) from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        body = ", ".join(f"{k}={format_value(v)!r}" for k, v in self._values.items())
        return f"Params({body})"

    @property
    def spec(self) -> dict[str, Param]:
        return dict(self._spec)

    def replace(self, **overrides) -> "Params":
        return resolve(self._spec, overrides, base=self._values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly values (quantities as strings with units)."""
        return {k: format_value(v) for k, v in self._values.items()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def hash(self) -> str:
        return config_hash(self.to_dict())


def config_hash(config: Mapping[str, Any], length: int = 16) -> str:
    """A stable short hash of a JSON-able configuration."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _unknown(key: str, spec: Mapping[str, Param]) -> ParameterError:
    close = difflib.get_close_matches(key, list(spec), n=3)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    return ParameterError(
        f"unknown parameter {key!r}{hint}; valid parameters: {', '.join(sorted(spec))}"
    )


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """Parse ``['key=value', ...]`` (from ``--set``) into a dict of strings."""
    out = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"--set expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        key = key.strip().replace("-", "_")
        if not key:
            raise ParameterError(f"--set expects key=value, got {item!r}")
        out[key] = value.strip()
    return out


def resolve(
    spec: Mapping[str, Param],
    overrides: Mapping[str, Any] | None = None,
    base: Mapping[str, Any] | None = None,
) -> Params:
    """Merge ``overrides`` into the defaults of ``spec``, validating every key."""
    values = {k: p.default for k, p in spec.items()} if base is None else dict(base)
    for key, value in (overrides or {}).items():
        if key not in spec:
            raise _unknown(key, spec)
        values[key] = _coerce(key, spec[key], value)
        check_value(key, spec[key], values[key])
    return Params(values, spec)


def positive_int(text: str) -> int:
    """An ``argparse`` type: an integer >= 1 (``--threads``, ``--workers``)."""
    try:
        n = int(text)
    except (TypeError, ValueError):
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer (1 or more), got {text!r}")
    return n


def load_toml(path) -> dict[str, Any]:
    """Read a flat TOML config file (``key = value``; tables are flattened with dots? no: rejected)."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"config file {str(p)!r} does not exist")
    try:
        data = tomllib.loads(p.read_text())
    except Exception as exc:
        raise ParameterError(f"config file {str(p)!r} is not valid TOML: {exc}") from None
    for key, value in data.items():
        if isinstance(value, dict):
            raise ParameterError(
                f"config file {str(p)!r}: table [{key}] is not supported; use flat key = value lines"
            )
    return data
