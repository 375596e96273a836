"""Design rules of a crossbar mapping: each limit is a small named check.

Every rule is ``rule(mapping)`` returning a list of
:class:`~workbench.hardware.rules.Violation`; :func:`check` runs them and
raises :class:`~workbench.hardware.rules.DesignRuleError` (or returns the
list).  Tile rows and columns never overflow: :func:`.mapping.map_network`
splits projections to fit.
"""
from __future__ import annotations

import numpy as np

from ..rules import DesignRuleError, Violation
from .irdrop import FIRST_ORDER_BOUND, ir_drop_parameter
from .mapping import CrossbarMapping

__all__ = ["CROSSBAR_RULES", "check"]


def tiles_available(mapping: CrossbarMapping):
    """Tiles used <= tiles per chip (more is a multi-chip system: reported, as the digital mapper does)."""
    spec = mapping.spec
    if mapping.n_tiles <= spec.tiles_per_chip:
        return []
    return [Violation("tiles_available", "network", mapping.n_tiles, spec.tiles_per_chip,
                      f"needs {mapping.n_chips} {spec.name} chips")]


def weight_resolution(mapping: CrossbarMapping):
    """No non-zero weight rounds to a zero conductance difference (with ``levels`` > 0)."""
    spec = mapping.spec
    lost, total = 0, 0
    for t in mapping.tiles:
        nz = t.weight != 0
        lost += int(np.count_nonzero(nz & (t.g_plus == t.g_minus)))
        total += int(np.count_nonzero(nz))
    if lost == 0:
        return []
    return [Violation("weight_resolution", "all tiles", lost, 0,
                      f"{lost} of {total} non-zero weights fall below half a conductance level "
                      f"({spec.levels} levels) and are stored as 0")]


def adc_resolution(mapping: CrossbarMapping):
    """A single synapse read alone reaches half an ADC step (with ``adc_bits`` > 0)."""
    spec = mapping.spec
    if not spec.adc_bits:
        return []
    top = 2 ** (spec.adc_bits - 1) - 1 if spec.differential == "analog" else 2 ** spec.adc_bits - 1
    lost, total = 0, 0
    for t in mapping.tiles:
        d = spec.devices_per_sign * np.abs(t.g_plus - t.g_minus)
        nz = t.weight != 0
        lost += int(np.count_nonzero(nz & (d < 0.5 * t.adc_full_scale / top)))
        total += int(np.count_nonzero(nz))
    if lost == 0:
        return []
    return [Violation("adc_resolution", "all tiles", lost, 0,
                      f"{lost} of {total} non-zero weights read alone give less than half an ADC step "
                      f"({spec.adc_bits} bits over the tile's full scale); raise adc_bits or lower adc_range")]


def adc_saturation(mapping: CrossbarMapping):
    """No column can exceed the ADC full scale with every row driven (only when ``adc_range`` < 1)."""
    spec = mapping.spec
    n, clip = spec.devices_per_sign, 0
    for t in mapping.tiles:
        if spec.differential == "analog":
            d = n * (t.g_plus - t.g_minus)
            worst = np.maximum(np.maximum(d, 0).sum(axis=0), np.maximum(-d, 0).sum(axis=0))
        else:
            worst = np.maximum((n * t.g_plus).sum(axis=0), (n * t.g_minus).sum(axis=0))
        clip += int(np.count_nonzero(worst > t.adc_full_scale * (1 + 1e-12)))
    if clip == 0:
        return []
    return [Violation("adc_saturation", "all tiles", clip, 0,
                      f"{clip} column(s) can exceed the ADC full scale (adc_range={spec.adc_range}) and clip")]


def ir_drop(mapping: CrossbarMapping):
    """IR drop stays within the range where the first-order model is validated (``FIRST_ORDER_BOUND``)."""
    spec = mapping.spec
    if spec.r_wire == 0:
        return []
    n, worst, where = spec.devices_per_sign, 0.0, -1
    for k, t in enumerate(mapping.tiles):
        gp, gm = np.repeat(t.g_plus, n, axis=0), np.repeat(t.g_minus, n, axis=0)
        p = ir_drop_parameter(t.physical(gp, gm, n), spec.r_wire)
        if p > worst:
            worst, where = p, k
    if worst <= FIRST_ORDER_BOUND["limit"]:
        return []
    return [Violation("ir_drop", f"tile {where}", worst, FIRST_ORDER_BOUND["limit"],
                      "column currents lose more to wire resistance than the first-order IR-drop model is "
                      "validated for; use ir_drop='iterative' or 'exact', smaller tiles or lower r_wire")]


CROSSBAR_RULES = {f.__name__: f for f in (tiles_available, weight_resolution, adc_resolution, adc_saturation,
                                          ir_drop)}


def check(mapping: CrossbarMapping, *, rules=None, ignore=(), raise_on_error: bool = True):
    """Run the crossbar design rules; raise :class:`DesignRuleError` (or return the list of violations)."""
    unknown = (set(ignore) | set(rules or ())) - set(CROSSBAR_RULES)
    if unknown:
        raise ValueError(f"unknown crossbar rule(s) {sorted(unknown)}; rules: {sorted(CROSSBAR_RULES)}")
    found = []
    for name in rules or CROSSBAR_RULES:
        if name not in ignore:
            found.extend(CROSSBAR_RULES[name](mapping))
    if found and raise_on_error:
        raise DesignRuleError(found)
    return found
