"""Mapping a network's synapses onto crossbar tiles: weights to conductance pairs, partial sums, reads per event.

Input: the hardware layer's :class:`~workbench.hardware.quantize.ChipNetwork`
(``float_network(graph, chip)`` for float neurons, ``quantize(...)`` for the
chip's integer neurons) or a neutral :class:`~workbench.hardware.graph.Graph`
(mapped through ``float_network``).  The crossbar stores the network's
effective weights, ``net.weight_mV()``, in graph units.

- Columns: a column is one synaptic target, the triple (postsynaptic neuron,
  state it adds to: ``u_0``, ``u_1`` or ``v``, delay in ticks); the delay is
  applied digitally after the read.  Rows: presynaptic neurons.
- Tiles: each projection's rows and columns (the neurons it actually uses)
  are cut into blocks of ``spec.logical_rows`` x ``spec.logical_cols``; every
  non-empty block is a tile.  Blocks that share columns (a projection with
  more inputs than a tile has rows) produce partial sums that are added
  digitally, as are the outputs of different projections onto one target.
- Devices: a weight ``w`` is the differential conductance of
  ``devices_per_sign`` devices per polarity, ``w = n (G+ - G-) * scale``;
  the polarity the weight does not use stays at ``g_min``.  ``scale`` (graph
  units per siemens) is set per tile (``scale='tile'``, as the 64-core PCM
  chip sets ``G = W G_max / W_max`` per core) or per projection, so the
  largest ``|w|`` uses ``g_max``.  With ``levels`` > 0 each device target is
  rounded to one of ``levels`` evenly spaced conductances in
  ``[g_min, g_max]``.
- Physical layout (for IR drop): logical row ``i`` is physical rows
  ``n i .. n i + n - 1`` (driven together), logical column ``j`` is physical
  columns ``2j`` (G+) and ``2j + 1`` (G-); the used block sits next to the
  row drivers and the column converters (the best placement).
- ADC full scale: ``spec.adc_range`` times the largest column current the
  tile can produce with every row driven (target conductances), so the
  default never clips.
- Reads: every spike of a neuron drives its row in each tile that holds it
  (:meth:`CrossbarMapping.tiles_per_source`); all rows a tile receives in one
  tick are read together in one array read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..graph import Graph
from ..quantize import ChipNetwork, float_network
from .specs import CrossbarSpec, get_crossbar

__all__ = ["CrossbarMappingError", "Tile", "CrossbarMapping", "map_network", "conductance_targets"]


class CrossbarMappingError(ValueError):
    """The network cannot be mapped (unknown scale mode, no synapses)."""


@dataclass
class Tile:
    """One crossbar array holding a block of one projection."""

    projection: int  # index of the projection (net.flat.projection)
    rows: np.ndarray  # global presynaptic neuron of each logical row (R,)
    cols: np.ndarray  # column key (index into CrossbarMapping.key_*) of each logical column (C,)
    weight: np.ndarray  # (R, C) weights in graph units (duplicates summed)
    scale: float  # graph units per siemens of n * (G+ - G-)
    g_plus: np.ndarray  # (R, C) target conductance of each of the n G+ devices (S)
    g_minus: np.ndarray  # (R, C) target conductance of each of the n G- devices (S)
    adc_full_scale: float  # S: column current at full scale per volt of read voltage
    block: tuple = (0, 0)  # (row block, column block) within the projection

    @property
    def shape(self) -> tuple:
        return self.weight.shape

    def physical(self, g_plus: np.ndarray, g_minus: np.ndarray, n: int) -> np.ndarray:
        """Physical conductance array (n R, 2 C) from per-device arrays of shape (n R, C) each."""
        R, C = self.shape
        out = np.empty((n * R, 2 * C))
        out[:, 0::2] = g_plus
        out[:, 1::2] = g_minus
        return out


@dataclass
class CrossbarMapping:
    """Tiles, the column keys they feed and the network they came from."""

    spec: CrossbarSpec
    net: ChipNetwork
    tiles: list
    key_target: np.ndarray  # per column key: neuron + N * slot (slot 0: u_0, 1: u_1, 2: v)
    key_delay: np.ndarray  # per column key: delay in ticks
    key_lsb: np.ndarray  # per column key: graph units per state step of the target
    scale_mode: str = "tile"
    info: dict = field(default_factory=dict)

    @property
    def n_tiles(self) -> int:
        return len(self.tiles)

    @property
    def n_chips(self) -> int:
        return max(1, int(np.ceil(self.n_tiles / self.spec.tiles_per_chip)))

    @property
    def n_neurons(self) -> int:
        return self.net.n_neurons

    def tiles_per_source(self) -> np.ndarray:
        """Array reads one spike of each neuron takes part in (the tiles that hold its row)."""
        out = np.zeros(self.n_neurons, dtype=np.int64)
        for t in self.tiles:
            out[t.rows] += 1
        return out

    def report(self) -> dict:
        """Tiles, chips, device utilisation and weights per tile, for a designer."""
        n = self.spec.devices_per_sign
        used = sum(2 * n * t.weight.size for t in self.tiles)
        total = self.n_tiles * self.spec.tile_rows * self.spec.tile_cols
        return {
            "tiles": self.n_tiles,
            "chips": self.n_chips,
            "devices_used": int(used),
            "device_utilization": used / total if total else 0.0,
            "column_keys": int(len(self.key_target)),
            "max_reads_per_spike": int(self.tiles_per_source().max()) if self.n_neurons else 0,
        }


def conductance_targets(weight: np.ndarray, scale: float, spec: CrossbarSpec):
    """Per-device target conductances ``(G+, G-)`` of weights (graph units) at ``scale`` (units per S)."""
    n = spec.devices_per_sign
    span = spec.g_max - spec.g_min
    mag = np.minimum(np.abs(weight) / (n * scale), span) if scale > 0 else np.zeros_like(weight)
    if spec.levels:
        step = span / (spec.levels - 1)
        mag = np.rint(mag / step) * step
    gp = spec.g_min + np.where(weight > 0, mag, 0.0)
    gm = spec.g_min + np.where(weight < 0, mag, 0.0)
    return gp, gm


def _full_scale(gp, gm, spec: CrossbarSpec) -> float:
    """Largest column current per volt with every row driven (analog: of G+ - G-; digital: of each column)."""
    n = spec.devices_per_sign
    if spec.differential == "analog":
        d = n * (gp - gm)
        worst = max(np.maximum(d, 0).sum(axis=0).max(initial=0.0), np.maximum(-d, 0).sum(axis=0).max(initial=0.0))
    else:
        worst = max((n * gp).sum(axis=0).max(initial=0.0), (n * gm).sum(axis=0).max(initial=0.0))
    return float(spec.adc_range * worst) if worst > 0 else float(spec.g_max)


def _as_net(net_or_graph) -> ChipNetwork:
    if isinstance(net_or_graph, ChipNetwork):
        return net_or_graph
    if isinstance(net_or_graph, Graph):
        return float_network(net_or_graph)
    raise CrossbarMappingError(f"map_network needs a ChipNetwork or a Graph, got {type(net_or_graph).__name__}")


def map_network(net_or_graph, spec, *, scale: str = "tile") -> CrossbarMapping:
    """Map every synapse of ``net_or_graph`` onto tiles of crossbar ``spec`` (a preset name or spec)."""
    spec = get_crossbar(spec)
    net = _as_net(net_or_graph)
    if scale not in ("tile", "projection"):
        raise CrossbarMappingError(f"scale={scale!r}: use 'tile' (one conductance scale per tile) or 'projection'")
    N = net.n_neurons
    flat = net.flat
    if len(flat.src) == 0:
        raise CrossbarMappingError("the network has no synapses to map")
    lsb = net.syn_lsb if net.syn_lsb is not None else net.lsb[flat.dst]
    w = np.asarray(net.weight, dtype=float) * lsb  # graph units
    slot = np.where(flat.delta, 2, flat.receptor).astype(np.int64)
    target = flat.dst + N * slot
    delay = np.asarray(net.delay_ticks, dtype=np.int64)
    span = int(delay.max()) + 1
    codes, key_of = np.unique(target * span + delay, return_inverse=True)
    key_of = key_of.ravel()
    keys = np.c_[codes // span, codes % span]
    key_lsb = np.zeros(len(keys))
    key_lsb[key_of] = lsb
    if not np.allclose(key_lsb[key_of], lsb):
        raise CrossbarMappingError("synapses onto one target state have different state steps (syn_lsb)")
    LR, LC, n = spec.logical_rows, spec.logical_cols, spec.devices_per_sign
    tiles = []
    for p in np.unique(flat.projection):
        sel = np.flatnonzero(flat.projection == p)
        rows_u, r_loc = np.unique(flat.src[sel], return_inverse=True)
        cols_u, c_loc = np.unique(key_of[sel], return_inverse=True)
        r_loc, c_loc = r_loc.ravel(), c_loc.ravel()
        proj_max = float(np.max(np.abs(w[sel])))
        n_cb = int(np.ceil(len(cols_u) / LC))
        block = (r_loc // LR) * n_cb + c_loc // LC
        for bid in np.unique(block):
            s = np.flatnonzero(block == bid)
            rb, cb = divmod(int(bid), n_cb)
            rr, rinv = np.unique(r_loc[s], return_inverse=True)  # rows with synapses in this block
            cc, cinv = np.unique(c_loc[s], return_inverse=True)
            W = np.zeros((len(rr), len(cc)))
            np.add.at(W, (rinv.ravel(), cinv.ravel()), w[sel[s]])
            if not np.any(W):
                continue
            wmax = float(np.max(np.abs(W))) if scale == "tile" else proj_max
            sc = wmax / (n * (spec.g_max - spec.g_min))
            gp, gm = conductance_targets(W, sc, spec)
            tiles.append(Tile(projection=int(p), rows=rows_u[rr], cols=cols_u[cc], weight=W, scale=sc,
                              g_plus=gp, g_minus=gm, adc_full_scale=_full_scale(gp, gm, spec), block=(rb, cb)))
    return CrossbarMapping(spec=spec, net=net, tiles=tiles, key_target=keys[:, 0].astype(np.int64),
                           key_delay=keys[:, 1].astype(np.int64), key_lsb=key_lsb, scale_mode=scale)
