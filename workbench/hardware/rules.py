"""Design rules: each chip limit is a small named check.

Every rule is a function ``rule(graph, chip, net=None, mapping=None)``
returning a list of :class:`Violation` (rule, where, value, limit, message).
:func:`check` runs them all and raises :class:`DesignRuleError` naming the
first violations, or returns them with ``raise_on_error=False``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .chips import get_chip
from .graph import Graph

__all__ = ["Violation", "DesignRuleError", "RULES", "check"]


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str
    value: float
    limit: float
    message: str

    def __str__(self):
        return f"[{self.rule}] {self.where}: {self.message} (value {self.value:g}, limit {self.limit:g})"


class DesignRuleError(ValueError):
    """A network breaks one or more design rules of a chip."""

    def __init__(self, violations):
        self.violations = list(violations)
        head = "; ".join(str(v) for v in self.violations[:5])
        more = f" (+{len(self.violations) - 5} more)" if len(self.violations) > 5 else ""
        super().__init__(f"{len(self.violations)} design-rule violation(s): {head}{more}")


def _where(graph: Graph, neuron: int) -> str:
    flat = graph.flat()
    k = int(np.searchsorted(flat.offsets, neuron, side="right") - 1)
    return f"population {flat.names[k]!r} neuron {neuron - int(flat.offsets[k])}"


def fan_in(graph, chip, net=None, mapping=None):
    """Distinct presynaptic sources per neuron <= chip.fan_in."""
    flat = graph.flat()
    pairs = np.unique(np.c_[flat.src, flat.dst], axis=0) if len(flat.src) else np.zeros((0, 2), int)
    deg = np.bincount(pairs[:, 1], minlength=flat.n_neurons) if len(pairs) else np.zeros(flat.n_neurons, int)
    worst = int(np.argmax(deg)) if len(deg) else 0
    if len(deg) and deg[worst] > chip.fan_in:
        return [Violation("fan_in", _where(graph, worst), deg[worst], chip.fan_in,
                          f"{int(np.sum(deg > chip.fan_in))} neuron(s) have more presynaptic sources than the chip's "
                          "fan-in")]
    return []


def fan_out(graph, chip, net=None, mapping=None):
    """Destination cores per source neuron <= chip.fan_out_cores (needs a mapping)."""
    if mapping is None:
        return []
    nd = np.diff(mapping.dest_indptr)
    worst = int(np.argmax(nd)) if len(nd) else 0
    if len(nd) and nd[worst] > chip.fan_out_cores:
        return [Violation("fan_out", _where(graph, worst), nd[worst], chip.fan_out_cores,
                          "a neuron sends to more cores than its routing table can hold")]
    return []


def synapse_memory(graph, chip, net=None, mapping=None):
    """Synapses stored per core <= chip.synapses_per_core (needs a mapping)."""
    if mapping is None:
        return []
    s = mapping.synapses_per_core
    if len(s) and s.max() > chip.synapses_per_core:
        c = int(np.argmax(s))
        return [Violation("synapse_memory", f"core {c}", s[c], chip.synapses_per_core,
                          "more synapses than the core's synaptic memory")]
    return []


def neurons_per_core(graph, chip, net=None, mapping=None):
    """Neurons per core <= chip.neurons_per_core (needs a mapping)."""
    if mapping is None:
        return []
    n = mapping.neurons_per_core
    if len(n) and n.max() > chip.neurons_per_core:
        c = int(np.argmax(n))
        return [Violation("neurons_per_core", f"core {c}", n[c], chip.neurons_per_core, "too many neurons")]
    return []


def weight_bits(graph, chip, net=None, mapping=None):
    """Weight precision <= chip.weight_bits."""
    if net is None or net.exact:
        return []
    bits = net.settings.get("weight_bits", chip.weight_bits)
    if bits > chip.weight_bits:
        return [Violation("weight_bits", "all projections", bits, chip.weight_bits,
                          "weights quantized wider than the chip stores")]
    return []


def delay_range(graph, chip, net=None, mapping=None):
    """Delays (ticks) <= chip.max_delay_ticks."""
    out = []
    for pr in graph.projections:
        ticks = np.rint(pr.delay / graph.dt)
        if len(ticks) and ticks.max() > chip.max_delay_ticks:
            k = int(np.argmax(ticks))
            out.append(Violation("delay_range", f"projection {pr.name!r} synapse {k}", ticks[k],
                                 chip.max_delay_ticks, "delay longer than the chip supports (ticks)"))
    return out


def synapse_type(graph, chip, net=None, mapping=None):
    """Synapse types the chip implements (current-based or delta)."""
    out = []
    for pr in graph.projections:
        if pr.synapse not in chip.synapse_types and (net is None or not net.approximations):
            out.append(Violation("synapse_type", f"projection {pr.name!r}", 0, 0,
                                 f"synapse type {pr.synapse!r} not in {chip.synapse_types} (quantize() "
                                 "approximates it; check the quantized network instead)"))
    return out


def threshold_range(graph, chip, net=None, mapping=None):
    """Thresholds fit the unsigned threshold register (no saturation)."""
    if net is None or net.exact:
        return []
    n = net.saturated.get("threshold", 0)
    if n:
        i = int(np.argmax(np.where(net.is_input, -1, net.threshold)))
        return [Violation("threshold_range", _where(graph, i), float(net.threshold[i]),
                          2**chip.threshold_bits - 1, f"{n} threshold(s) saturated the register")]
    return []


def cores_available(graph, chip, net=None, mapping=None):
    """Cores used <= cores per chip (a multi-chip system is reported, not forbidden, by the mapper)."""
    if mapping is None or mapping.n_cores <= chip.cores_per_chip:
        return []
    return [Violation("cores_available", "network", mapping.n_cores, chip.cores_per_chip,
                      f"needs {mapping.n_chips} chips")]


RULES = {f.__name__: f for f in (fan_in, fan_out, synapse_memory, neurons_per_core, weight_bits, delay_range,
                                 synapse_type, threshold_range, cores_available)}


def check(graph: Graph, chip, net=None, mapping=None, *, rules=None, ignore=(), raise_on_error: bool = True):
    """Run the design rules; raise :class:`DesignRuleError` (or return the list of violations)."""
    chip = get_chip(chip)
    unknown = (set(ignore) | set(rules or ())) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rule(s) {sorted(unknown)}; rules: {sorted(RULES)}")
    found = []
    for name in rules or RULES:
        if name in ignore:
            continue
        found.extend(RULES[name](graph, chip, net, mapping))
    if found and raise_on_error:
        raise DesignRuleError(found)
    return found
