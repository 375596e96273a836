"""Equation-defined models: neurons, synapse (receptor) types and plasticity rules.

Look models up by name (``neuron('lif')``, ``synapse('exp_cond')``,
``plasticity('triplet_stdp')``) or import them directly; register your own
with :func:`register`::

    from workbench import models
    my = models.NeuronModel(name='qif', equations='dv/dt = (v**2/mV + I*R_m)/tau_m : volt', ...)
    models.register(my)
    G = models.neuron_group(models.neuron('qif'), 10)
"""
from __future__ import annotations

from .base import (
    ModelError,
    NeuronModel,
    PlasticityRule,
    Receptor,
    SynapseModel,
    connect,
    init_synapses,
    neuron_group,
)
from . import conversion as _conv
from . import diehl_cook as _dc
from . import neurons as _n
from . import nir_neurons as _nir
from . import plasticity as _p
from . import synapses as _s
from .neurons import ADEX_BRETTE_GERSTNER_2005, ADEX_NAUD2008, IZHIKEVICH_2003

__all__ = [
    "ModelError", "NeuronModel", "PlasticityRule", "Receptor", "SynapseModel",
    "connect", "init_synapses", "neuron_group",
    "neuron", "synapse", "plasticity", "register", "NEURONS", "SYNAPSES", "PLASTICITY",
    "ADEX_NAUD2008", "ADEX_BRETTE_GERSTNER_2005", "IZHIKEVICH_2003",
]

NEURONS: dict[str, NeuronModel] = {}
SYNAPSES: dict[str, SynapseModel] = {}
PLASTICITY: dict[str, PlasticityRule] = {}


def register(model, *, replace: bool = False):
    """Register a user-defined model under its ``name`` (``replace=True`` to overwrite)."""
    table = {NeuronModel: NEURONS, SynapseModel: SYNAPSES, PlasticityRule: PLASTICITY}.get(type(model))
    if table is None:
        raise ModelError(f"register(): expected a NeuronModel, SynapseModel or PlasticityRule, got {type(model).__name__}")
    if model.name in table and not replace and table[model.name] is not model:
        raise ModelError(f"a model named {model.name!r} is already registered (pass replace=True to overwrite)")
    table[model.name] = model
    return model


def _lookup(table, kind, name):
    try:
        return table[name.replace("-", "_")]
    except KeyError:
        raise ModelError(f"unknown {kind} {name!r}; known: {', '.join(sorted(table))}") from None


def neuron(name: str) -> NeuronModel:
    """The registered neuron model ``name``."""
    return _lookup(NEURONS, "neuron model", name)


def synapse(name: str) -> SynapseModel:
    """The registered synapse type ``name``."""
    return _lookup(SYNAPSES, "synapse model", name)


def plasticity(name: str) -> PlasticityRule:
    """The registered plasticity rule ``name``."""
    return _lookup(PLASTICITY, "plasticity rule", name)


for _mod, _cls in ((_n, NeuronModel), (_dc, NeuronModel), (_s, SynapseModel), (_p, PlasticityRule),
                   (_nir, (NeuronModel, SynapseModel))):
    for _name in _mod.__all__:
        _obj = getattr(_mod, _name)
        if isinstance(_obj, _cls):
            register(_obj)
register(_conv.IF_SUBTRACT)  # its BERNOULLI_INPUT is an input generator (a TimedArray of probabilities), not a neuron
