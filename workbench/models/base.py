"""Model descriptions: neurons, synapse (receptor) types and plasticity rules.

A model is plain data: Brian2 equation strings with units, default
parameters with units, and threshold / reset / refractoriness or
``on_pre`` / ``on_post`` code.  Parameter values reach Brian2 through the
group's ``namespace`` (or as per-element constant variables, see
``variable_params``), never formatted into code strings, so Brian2 checks
every unit.

Composition
-----------
- A neuron model's equations contain the input current ``I`` (external,
  a state variable in amp) and ``I_syn`` (synaptic, amp).
- A :class:`SynapseModel` (delta, exponential current, exponential
  conductance, alpha, ...) instantiated as a :class:`Receptor` with a name
  (``'e'``, ``'i'``, ``'nmda'`` ...) adds its state variables to the
  postsynaptic neuron with the receptor's name as suffix (``g_e``,
  ``tau_e``, ``E_e``) and contributes ``I_e`` to ``I_syn``.
- A :class:`PlasticityRule` adds synaptic variables and ``on_pre`` /
  ``on_post`` code acting on the dimensionless weight ``w`` of a synapse,
  or (short-term plasticity) an efficacy factor on transmission.
  Transmission is ``<target>_post += w * w_scale * <efficacy>``.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from brian2 import DimensionMismatchError, Equations, NeuronGroup, Synapses
from brian2.units.fundamentalunits import Quantity, get_dimensions, get_unit, have_same_dimensions

__all__ = [
    "ModelError",
    "NeuronModel",
    "SynapseModel",
    "Receptor",
    "PlasticityRule",
    "neuron_group",
    "connect",
]


class ModelError(ValueError):
    """A model was given an unknown parameter, a wrong unit or an impossible composition."""


def _check_overrides(kind: str, name: str, defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict:
    out = dict(defaults)
    for key, value in overrides.items():
        if key not in defaults:
            raise ModelError(
                f"{kind} {name!r} has no parameter {key!r}; its parameters are: {', '.join(sorted(defaults))}"
            )
        default = defaults[key]
        if isinstance(default, Quantity) or isinstance(value, Quantity):
            if not have_same_dimensions(default, value):
                raise ModelError(
                    f"{kind} {name!r}: parameter {key!r} = {value!r} has the wrong units; "
                    f"it needs units of {get_unit(get_dimensions(default))!s} (default {default!r})"
                )
        out[key] = value
    return out


def _unit_string(value) -> str:
    dim = get_dimensions(value)
    # base SI names ("second", "metre ** 2 * kilogram * ..."): what Brian2 equations accept
    return "1" if dim.is_dimensionless else dim._str_representation(python_code=True)


@dataclass(frozen=True)
class NeuronModel:
    """A neuron model defined by Brian2 equations.

    Parameters
    ----------
    name : str
        Registry name (``'lif'``, ``'adex'``, ...).
    equations : str
        Brian2 equations.  They may use ``I`` (external current, amp) and
        ``I_syn`` (total synaptic current, amp); both are declared by
        :func:`neuron_group` and need not appear in the string.
    params : dict
        Default parameter values with units.
    threshold, reset : str or None
        Brian2 threshold condition and reset code.
    refractory : Quantity, str or None
        Refractory period (or condition).
    method : str or tuple of str
        Integration method, or methods tried in order (default: exact, else
        exponential Euler, which stays stable for conductance inputs).
    init : dict
        Initial values of state variables (quantities or expressions of params).
    reference : str
        Citation of the source of equations and defaults.
    """

    name: str
    equations: str
    params: Mapping[str, Any]
    threshold: str | None = None
    reset: str | None = None
    refractory: Any = None
    method: Any = ("exact", "exponential_euler")
    init: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    reference: str = ""
    voltage: str = "v"
    events: Mapping[str, str] = field(default_factory=dict)

    def with_params(self, **overrides) -> "NeuronModel":
        """A copy with other default parameter values (unknown names or wrong units raise)."""
        return dataclasses.replace(self, params=_check_overrides("neuron model", self.name, self.params, overrides))

    def group(self, N: int, **kwargs) -> NeuronGroup:
        """Shortcut for :func:`neuron_group` (``model.group(100, receptors=[...])``)."""
        return neuron_group(self, N, **kwargs)


@dataclass(frozen=True)
class SynapseModel:
    """A synapse (receptor) type: the postsynaptic dynamics one input class adds.

    In all strings ``{r}`` stands for the receptor's name.

    Parameters
    ----------
    neuron_equations : str
        Equations added to the postsynaptic group; must define ``I_{r}``
        (amp) unless ``target`` is the membrane potential.
    target : str
        The postsynaptic variable a presynaptic spike increments
        (``'g_{r}'``, ``'I_{r}'``, ``'v'`` for delta synapses).
    params : dict
        Defaults, named with ``{r}`` (``'tau_{r}'``).
    w_scale : Quantity
        Default weight scale: transmission is ``target += w * w_scale``; its
        unit is the unit of the target variable (or of its jump, for alpha).
    jump : str
        Factor on the jump (alpha synapses normalise their peak to ``w*w_scale``).
    """

    name: str
    neuron_equations: str
    target: str
    params: Mapping[str, Any]
    w_scale: Quantity
    jump: str = ""
    current: bool = True
    description: str = ""
    reference: str = ""

    def receptor(self, name: str, **overrides) -> "Receptor":
        """This synapse type as receptor ``name`` with parameter overrides (short names, no suffix)."""
        short = {k.replace("_{r}", ""): v for k, v in self.params.items()}
        values = _check_overrides(f"synapse model {self.name!r} (receptor", name + ")", short, overrides)
        return Receptor(self, name, values)


@dataclass(frozen=True)
class Receptor:
    """A :class:`SynapseModel` instantiated under a name with its parameter values."""

    model: SynapseModel
    name: str
    values: Mapping[str, Any]

    def _sub(self, text: str) -> str:
        return text.replace("{r}", self.name)

    @property
    def equations(self) -> str:
        return self._sub(self.model.neuron_equations)

    @property
    def target(self) -> str:
        return self._sub(self.model.target)

    @property
    def current_name(self) -> str | None:
        return f"I_{self.name}" if self.model.current else None

    @property
    def namespace(self) -> dict[str, Any]:
        return {f"{k}_{self.name}": v for k, v in self.values.items()}

    @property
    def jump(self) -> str:
        return self._sub(self.model.jump)


@dataclass(frozen=True)
class PlasticityRule:
    """A rule acting on a synapse's weight ``w`` (or its efficacy, for short-term plasticity).

    Parameters
    ----------
    equations : str
        Synaptic equations (traces, usually ``(event-driven)``).
    on_pre, on_post : str
        Code run on a presynaptic / postsynaptic spike (after transmission).
    pre_before : str
        Code run on a presynaptic spike before transmission (e.g. STP).
    efficacy : str
        Factor on transmission (``'1'``, or ``'r'`` for Tsodyks-Markram).
    params : dict
        Default parameters with units.
    """

    name: str
    equations: str
    params: Mapping[str, Any]
    on_pre: str = ""
    on_post: str = ""
    pre_before: str = ""
    efficacy: str = "1"
    init: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    reference: str = ""

    def with_params(self, **overrides) -> "PlasticityRule":
        return dataclasses.replace(self, params=_check_overrides("plasticity rule", self.name, self.params, overrides))


def _as_constants(eqs: str, params: dict, variable_params: Iterable[str], where: str) -> tuple[str, dict, dict]:
    """Turn the listed parameters into per-element ``(constant)`` variables."""
    namespace = dict(params)
    values = {}
    lines = [eqs]
    for p in variable_params:
        if p not in namespace:
            raise ModelError(f"{where}: variable_params names {p!r}, which is not a parameter; "
                             f"parameters are: {', '.join(sorted(namespace))}")
        value = namespace.pop(p)
        lines.append(f"{p} : {_unit_string(value)} (constant)")
        values[p] = value
    return "\n".join(lines), namespace, values


def neuron_group(
    model: NeuronModel,
    N: int,
    *,
    receptors: Iterable[Receptor] = (),
    name: str | None = None,
    variable_params: Iterable[str] = (),
    extra_equations: str = "",
    dt=None,
    clock=None,
    **overrides,
) -> NeuronGroup:
    """Create a ``NeuronGroup`` of ``N`` neurons of ``model`` with the given receptors.

    Parameters
    ----------
    model : NeuronModel
        The neuron model (see :mod:`workbench.models.neurons`).
    receptors : list of Receptor
        Synaptic input types; each adds its variables and contributes to ``I_syn``.
    variable_params : list of str
        Parameters to make per-neuron ``(constant)`` variables (heterogeneity,
        device mismatch, or values changed between runs through ``run_args``).
    extra_equations : str
        Further equations appended to the model's.
    **overrides
        Parameter values replacing the model's defaults (units checked).
    """
    if not isinstance(N, int) or N < 1:
        raise ModelError(f"neuron_group({model.name!r}): N must be a positive int, got {N!r}")
    params = _check_overrides("neuron model", model.name, model.params, overrides)
    receptors = list(receptors)
    names = [r.name for r in receptors]
    if len(set(names)) != len(names):
        raise ModelError(f"neuron_group({model.name!r}): receptor names must be unique, got {names}")
    eq_parts = [model.equations, "I : amp"]
    currents = []
    for r in receptors:
        eq_parts.append(r.equations)
        params.update(r.namespace)
        if r.current_name:
            currents.append(r.current_name)
    eq_parts.append(f"I_syn = {' + '.join(currents) if currents else '0*amp'} : amp")
    if extra_equations:
        eq_parts.append(extra_equations)
    eqs, namespace, constants = _as_constants("\n".join(eq_parts), params, variable_params,
                                              f"neuron_group({model.name!r})")
    kwargs = {}
    if model.threshold is not None:
        kwargs["threshold"] = model.threshold
    if model.reset is not None:
        kwargs["reset"] = model.reset
    if model.refractory is not None:
        kwargs["refractory"] = model.refractory
    if dt is not None:
        kwargs["dt"] = dt
    if clock is not None:
        kwargs["clock"] = clock
    if model.events:
        kwargs["events"] = dict(model.events)
    group = NeuronGroup(
        N, Equations(eqs), method=model.method, namespace=namespace, name=name or f"{model.name}*", **kwargs
    )
    _check_equation_units(group, f"neuron model {model.name!r}")
    for var, value in constants.items():
        setattr(group, var, value)
    for var, value in model.init.items():
        setattr(group, var, value)
    return group


def _check_equation_units(group, what: str) -> None:
    """Check the units of a group's equations now (Brian2 would only do it at run time).

    Raises ``DimensionMismatchError`` naming the model and the offending equation.
    """
    try:
        group.equations.check_units(group, run_namespace={})
    except DimensionMismatchError as exc:
        raise DimensionMismatchError(f"{what}: inconsistent units in its equations: {exc.desc}",
                                     *exc.dims) from None


def connect(
    source,
    target,
    receptor: Receptor | str,
    *,
    plasticity: PlasticityRule | None = None,
    w_scale=None,
    delay=None,
    name: str | None = None,
    variable_params: Iterable[str] = (),
    on_pre_extra: str = "",
    method: str = "exact",
    **overrides,
) -> Synapses:
    """Create ``Synapses`` from ``source`` to the receptor ``receptor`` of ``target``.

    The weight ``w`` is dimensionless; transmission adds ``w * w_scale``
    (times the plasticity rule's efficacy) to the receptor's target variable.
    Connect them afterwards with ``S.connect(...)`` and set ``S.w``.

    Parameters
    ----------
    receptor : Receptor or str
        The receptor of ``target`` (``'e'``), which must be one the target
        group was built with; or ``'v'`` style name of any target variable
        for a delta synapse with ``w_scale`` in its unit.
    plasticity : PlasticityRule, optional
        Learning rule on ``w`` or efficacy (STP).
    w_scale : Quantity, optional
        Overrides the receptor's default weight scale.
    **overrides
        Parameters of the plasticity rule.
    """
    if isinstance(receptor, Receptor):
        tgt = receptor.target
        jump = receptor.jump
        scale = receptor.model.w_scale if w_scale is None else w_scale
        if not have_same_dimensions(scale, receptor.model.w_scale):
            raise ModelError(
                f"connect(): w_scale={w_scale!r} has the wrong units for receptor {receptor.name!r} "
                f"({receptor.model.name}); it needs units of {get_unit(get_dimensions(receptor.model.w_scale))!s}"
            )
        if tgt not in target.variables:
            raise ModelError(
                f"connect(): target group {target.name!r} has no variable {tgt!r}; build it with "
                f"receptors=[... {receptor.model.name}.receptor({receptor.name!r}) ...]"
            )
    else:
        tgt = str(receptor)
        jump = ""
        if tgt not in target.variables:
            raise ModelError(f"connect(): target group {target.name!r} has no variable {tgt!r}")
        if w_scale is None:
            raise ModelError(f"connect() to the variable {tgt!r} needs w_scale= in the unit of {tgt!r}")
        scale = w_scale
    namespace = {"w_scale": scale}
    eqs = ["w : 1"]
    pre_code = []
    post_code = ""
    efficacy = "1"
    if plasticity is not None:
        params = _check_overrides("plasticity rule", plasticity.name, plasticity.params, overrides)
        namespace.update(params)
        eqs.append(plasticity.equations)
        if plasticity.pre_before:
            pre_code.append(plasticity.pre_before)
        efficacy = plasticity.efficacy
        post_code = plasticity.on_post
    elif overrides:
        raise ModelError(f"connect(): unknown parameters {sorted(overrides)} (no plasticity rule given)")
    factor = "w*w_scale" + (f"*{jump}" if jump else "") + ("" if efficacy == "1" else f"*{efficacy}")
    pre_code.append(f"{tgt}_post += {factor}")
    if plasticity is not None and plasticity.on_pre:
        pre_code.append(plasticity.on_pre)
    if on_pre_extra:
        pre_code.append(on_pre_extra)
    eq_text, namespace, constants = _as_constants("\n".join(eqs), namespace, variable_params, "connect()")
    kwargs = {}
    if post_code:
        kwargs["on_post"] = post_code
    if delay is not None:
        kwargs["delay"] = delay
    S = Synapses(
        source,
        target,
        model=Equations(eq_text),
        on_pre="\n".join(pre_code),
        namespace=namespace,
        method=method,
        name=name or "synapses*",
        **kwargs,
    )
    S._workbench_constants = constants  # applied by init_synapses() after connect()
    S._workbench_init = dict(plasticity.init) if plasticity is not None else {}
    return S


def init_synapses(S) -> None:
    """Set per-synapse constants and the plasticity rule's initial values (call after ``S.connect``)."""
    for var, value in getattr(S, "_workbench_constants", {}).items():
        setattr(S, var, value)
    for var, value in getattr(S, "_workbench_init", {}).items():
        setattr(S, var, value)
