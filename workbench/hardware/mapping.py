"""Mapping a neutral graph onto a chip: cores, mesh placement, routing tables, XY routes.

- Allocation: neurons of the non-input populations go to cores of at most
  ``neurons_per_core`` neurons and ``synapses_per_core`` incoming synapses,
  either by sequential fill (the baseline) or by ``pymetis`` graph
  partitioning of the synapse graph weighted by spike traffic (edge weight:
  the presynaptic rate, so that heavily used edges stay inside a core),
  refined by greedy moves and swaps on the true multicast cost (packets =
  rate x number of destination cores per source).
- Placement: mesh slots follow a serpentine over chip 0, then chip 1 (chips
  tiled left to right); with ``metis`` the cores are first chained by
  traffic and then pairwise-swapped between slots to lower traffic x XY
  distance (host port included).
- Routing: every source neuron has a routing-table entry per destination core
  (its multicast destination set); packets follow dimension-order (XY)
  routes.  With ``chip.multicast`` the routes to all destinations form a
  tree and each link is used once per spike; otherwise one unicast packet per
  destination core.  Input populations enter at the host port, node (0, 0).

:class:`ChipMapping` holds the per-source CSR arrays the simulator uses and
:meth:`ChipMapping.report` the numbers a designer asks for.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .chips import ChipSpec, get_chip
from .graph import Graph

__all__ = ["MappingError", "ChipMapping", "allocate", "map_graph", "xy_route", "packet_cost"]

_DIRS = {"E": 0, "W": 1, "N": 2, "S": 3}


class MappingError(ValueError):
    """The network does not fit (too many cores for the chips allowed, unknown method)."""


@dataclass
class ChipMapping:
    chip: ChipSpec
    method: str
    core_of: np.ndarray  # core per neuron (-1: input, on the host)
    n_cores: int
    core_xy: np.ndarray  # (n_cores, 2) mesh position of each core
    mesh_shape: tuple  # (columns, rows) of the whole system
    dest_indptr: np.ndarray  # per source neuron: destination cores in dest_cores[dest_indptr[s]:dest_indptr[s+1]]
    dest_cores: np.ndarray
    link_indptr: np.ndarray  # per source neuron: links used by one spike
    link_ids: np.ndarray  # link id = node*4 + direction, node = x*rows + y
    packets_per_spike: np.ndarray
    hops_per_spike: np.ndarray  # total link traversals per spike (sum over its packets)
    max_hops: np.ndarray  # longest path of one spike (hops)
    synapses_per_core: np.ndarray
    neurons_per_core: np.ndarray
    n_chips: int = 1
    info: dict = field(default_factory=dict)

    @property
    def n_links(self) -> int:
        return self.mesh_shape[0] * self.mesh_shape[1] * 4

    def routing_entries_per_core(self) -> np.ndarray:
        """Destination-set entries stored at each core (one per source neuron and destination core)."""
        out = np.zeros(self.n_cores, dtype=np.int64)
        n_dest = np.diff(self.dest_indptr)
        src_core = self.core_of
        sel = src_core >= 0
        np.add.at(out, src_core[sel], n_dest[sel])
        return out

    def traffic(self, spike_counts: np.ndarray) -> dict:
        """Packets, hops and per-link load for ``spike_counts`` spikes of each neuron."""
        c = np.asarray(spike_counts, dtype=float)
        nl = np.diff(self.link_indptr)
        load = np.bincount(self.link_ids, weights=np.repeat(c, nl), minlength=self.n_links)
        return {"packets": float(c @ self.packets_per_spike), "hops": float(c @ self.hops_per_spike),
                "link_load": load}

    def report(self, spike_counts: np.ndarray | None = None) -> dict:
        """Cores used, routing entries per core, mean and max hops (weighted by spikes if given)."""
        entries = self.routing_entries_per_core()
        n_dest = np.diff(self.dest_indptr)
        has = n_dest > 0
        per_packet = np.where(self.packets_per_spike > 0, self.hops_per_spike / np.maximum(self.packets_per_spike, 1), 0)
        if spike_counts is not None:
            wts = np.asarray(spike_counts, float) * self.packets_per_spike
        else:
            wts = self.packets_per_spike.astype(float)
        mean_hops = float(np.sum(per_packet * wts) / wts.sum()) if wts.sum() > 0 else 0.0
        return {
            "cores_used": int(self.n_cores),
            "chips_used": int(self.n_chips),
            "routing_entries_mean": float(entries.mean()) if len(entries) else 0.0,
            "routing_entries_max": int(entries.max()) if len(entries) else 0,
            "mean_hops": mean_hops,
            "max_hops": int(self.max_hops[has].max()) if has.any() else 0,
            "neurons_per_core_max": int(self.neurons_per_core.max()) if len(self.neurons_per_core) else 0,
        }


def xy_route(a, b, rows: int) -> list:
    """Link ids of the dimension-order route from node ``a=(x, y)`` to ``b`` (x first, then y)."""
    x, y = int(a[0]), int(a[1])
    links = []
    while x != b[0]:
        d = "E" if b[0] > x else "W"
        links.append((x * rows + y) * 4 + _DIRS[d])
        x += 1 if d == "E" else -1
    while y != b[1]:
        d = "N" if b[1] > y else "S"
        links.append((x * rows + y) * 4 + _DIRS[d])
        y += 1 if d == "N" else -1
    return links


def _incoming(graph: Graph, flat):
    return np.bincount(flat.dst, minlength=flat.n_neurons)


def allocate(graph: Graph, chip, method: str = "metis", rates=None, seed: int = 0) -> np.ndarray:
    """Core index of every neuron (-1 for inputs) by ``'sequential'`` fill or ``'metis'`` partitioning."""
    chip = get_chip(chip)
    flat = graph.flat()
    n = flat.n_neurons
    core_of = np.full(n, -1, dtype=np.int64)
    comp = np.flatnonzero(~flat.is_input)
    inc = _incoming(graph, flat)
    npc, spc = chip.neurons_per_core, chip.synapses_per_core
    if method == "sequential":
        core, count, syn = 0, 0, 0
        for k, p in enumerate(graph.populations):
            if p.model == "input":
                continue
            if count > 0:  # each population starts on a fresh core (as compilers do)
                core, count, syn = core + 1, 0, 0
            for i in range(int(flat.offsets[k]), int(flat.offsets[k + 1])):
                if count >= npc or (count > 0 and syn + inc[i] > spc):
                    core, count, syn = core + 1, 0, 0
                core_of[i] = core
                count += 1
                syn += inc[i]
        return core_of
    if method != "metis":
        raise MappingError(f"allocation method {method!r}: use 'metis' or 'sequential'")
    import pymetis  # optional dependency (extra 'hardware'): only the 'metis' allocation needs it

    m = len(comp)
    n_parts = max(int(np.ceil(m / npc)), int(np.ceil(inc[comp].sum() / spc)), 1)
    if n_parts == 1:
        core_of[comp] = 0
        return core_of
    r = np.ones(n) if rates is None else np.asarray(rates, dtype=float) + 1e-3
    # star expansion of the multicast hyperedges: every neuron (inputs too, with vertex weight 0) is a
    # vertex, every synapse an edge weighted by its source's rate, so co-targets of a source gather
    sel = flat.src != flat.dst
    a, b = flat.src[sel], flat.dst[sel]
    w = r[a]
    i = np.concatenate([a, b])
    j = np.concatenate([b, a])
    ww = np.concatenate([w, w])
    key = i * n + j
    uniq, inv = np.unique(key, return_inverse=True)
    wsum = np.bincount(inv, weights=ww)
    ui, uj = uniq // n, uniq % n
    xadj = np.concatenate([[0], np.cumsum(np.bincount(ui, minlength=n))]).astype(np.int64)
    scale = 1000.0 / max(wsum.max(), 1e-12)
    ew = np.maximum(np.rint(wsum * scale), 1).astype(np.int64)
    vw = (~flat.is_input).astype(np.int64)
    opts = pymetis.Options(seed=int(seed), ufactor=1)
    _, parts_all = pymetis.part_graph(n_parts, xadj=xadj, adjncy=uj.astype(np.int64), eweights=ew,
                                      vweights=vw, options=opts)
    parts = np.asarray(parts_all, dtype=np.int64)[comp]
    # repair: move neurons out of over-full parts into parts with room (or new cores)
    counts = np.bincount(parts, minlength=n_parts)
    syn = np.bincount(parts, weights=inc[comp], minlength=n_parts)
    for p in np.flatnonzero(counts > npc):
        members = np.flatnonzero(parts == p)
        for idx in members[npc:]:
            room = np.flatnonzero((counts < npc) & (syn + inc[comp][idx] <= spc))
            if len(room) == 0:
                counts = np.append(counts, 0)
                syn = np.append(syn, 0.0)
                room = [len(counts) - 1]
            q = room[0]
            parts[idx] = q
            counts[p] -= 1
            counts[q] += 1
            syn[q] += inc[comp][idx]
            syn[p] -= inc[comp][idx]
    parts = _refine(flat, comp, parts, r, npc, spc, inc)
    # renumber cores in order of their first neuron (keeps populations together on the mesh)
    order = np.unique(parts, return_index=True)
    first = {p: f for p, f in zip(*order)}
    ranked = sorted(first, key=lambda p: first[p])
    renum = {p: k for k, p in enumerate(ranked)}
    core_of[comp] = [renum[p] for p in parts]
    return core_of


def packet_cost(flat, core_of, rates) -> float:
    """Expected packets per unit time: sum over sources of rate x number of destination cores."""
    core_of = np.asarray(core_of)
    c = core_of[flat.dst]
    ok = c >= 0
    pairs = np.unique(np.c_[flat.src[ok], c[ok]], axis=0)
    return float(np.sum(np.asarray(rates, float)[pairs[:, 0]])) if len(pairs) else 0.0


def _refine(flat, comp, parts, rates, npc, spc, inc, sweeps: int = 4):
    """Greedy moves and swaps that lower the multicast packet count sum_s rate_s * |destination cores of s|.

    Graph partitioning minimises cut edges; a spike costs one packet per
    destination core (a hyperedge), so the partition is refined on that cost.
    """
    n = flat.n_neurons
    C = int(parts.max()) + 1
    core = np.full(n, -1, dtype=np.int64)
    core[comp] = parts
    # presynaptic sources of each neuron (CSC)
    order = np.argsort(flat.dst, kind="stable")
    pre_ptr = np.concatenate([[0], np.cumsum(np.bincount(flat.dst, minlength=n))])
    pre_src = flat.src[order]
    K = np.zeros((n, C))  # targets of source s on core c
    np.add.at(K, (flat.src, core[flat.dst]), 1.0)
    counts = np.bincount(parts, minlength=C)
    syn = np.bincount(parts, weights=inc[comp], minlength=C)
    r = np.asarray(rates, dtype=float)

    def gain(i):
        """Cost change of moving i from its core to every core (vector over cores)."""
        s = pre_src[pre_ptr[i]:pre_ptr[i + 1]]
        if len(s) == 0:
            return np.zeros(C)
        c0 = core[i]
        leave = np.sum(r[s] * (K[s, c0] == 1))
        enter = (r[s][:, None] * (K[s] == 0)).sum(axis=0)
        d = enter - leave
        d[c0] = 0.0
        return d

    def move(i, c):
        s = pre_src[pre_ptr[i]:pre_ptr[i + 1]]
        np.add.at(K, (s, core[i]), -1.0)
        np.add.at(K, (s, np.full(len(s), c)), 1.0)
        counts[core[i]] -= 1
        counts[c] += 1
        syn[core[i]] -= inc[i]
        syn[c] += inc[i]
        core[i] = c

    for _ in range(sweeps):
        improved = False
        for i in comp:
            d = gain(i)
            room = (counts < npc) & (syn + inc[i] <= spc)
            room[core[i]] = False
            if room.any():
                c = int(np.argmin(np.where(room, d, np.inf)))
                if d[c] < -1e-12:
                    move(i, c)
                    improved = True
                    continue
            c = int(np.argmin(d))
            if d[c] >= -1e-12:
                continue
            c0 = core[i]
            # swap with the member of c whose move to c0 helps most
            members = comp[core[comp] == c]
            best, bj = 0.0, -1
            for j in members[:64]:
                dj = gain(j)[c0]
                if d[c] + dj < best:
                    best, bj = d[c] + dj, j
            if bj >= 0 and syn[c] - inc[bj] + inc[i] <= spc and syn[c0] - inc[i] + inc[bj] <= spc:
                move(i, c)
                move(bj, c0)
                improved = True
        if not improved:
            break
    return core[comp]


def _order_cores(flat, core_of, n_cores, rates, chip):
    """Renumber cores so that heavily communicating cores are consecutive (hence mesh neighbours).

    Greedy chain on the core-to-core traffic matrix (host traffic included):
    start from the core the inputs talk to most, then repeatedly append the
    unplaced core with the most traffic to the last few placed cores.
    """
    r = np.ones(flat.n_neurons) if rates is None else np.asarray(rates, dtype=float) + 1e-3
    src_core = np.where(core_of[flat.src] >= 0, core_of[flat.src], n_cores)  # host = n_cores
    dst_core = core_of[flat.dst]
    pairs, idx = np.unique(np.c_[flat.src, dst_core], axis=0, return_index=True)  # one packet per (source, core)
    W = np.zeros((n_cores + 1, n_cores))
    np.add.at(W, (src_core[idx], pairs[:, 1]), r[pairs[:, 0]])
    T = W[:n_cores] + W[:n_cores].T
    order = [int(np.argmax(W[n_cores]))]
    left = set(range(n_cores)) - set(order)
    while left:
        cand = np.array(sorted(left))
        recent = order[-3:]
        score = sum(T[cand, c] * (0.5 ** k) for k, c in enumerate(reversed(recent)))
        nxt = int(cand[np.argmax(score)])
        order.append(nxt)
        left.remove(nxt)
    order = _swap_refine(order, T, W[n_cores], n_cores, chip)
    renum = np.empty(n_cores, dtype=np.int64)
    renum[order] = np.arange(n_cores)
    out = core_of.copy()
    out[core_of >= 0] = renum[core_of[core_of >= 0]]
    return out


def _swap_refine(order, T, host, n_cores, chip, passes: int = 6):
    """Pairwise swaps of mesh slots lowering sum(traffic x XY distance) (host port at (0, 0))."""
    if n_cores > 256:
        return order
    xy, _, _ = _placement(n_cores, chip)
    D = np.abs(xy[:, None, :] - xy[None, :, :]).sum(-1).astype(float)  # slot-to-slot hops
    Dh = np.abs(xy).sum(-1).astype(float)  # host to slot
    slot = np.empty(n_cores, dtype=np.int64)  # slot of each core
    slot[np.asarray(order)] = np.arange(n_cores)

    def core_cost(c, s_c):
        return float(T[c] @ D[s_c, slot] + host[c] * Dh[s_c])

    for _ in range(passes):
        improved = False
        for a in range(n_cores):
            for b in range(a + 1, n_cores):
                sa, sb = slot[a], slot[b]
                before = core_cost(a, sa) + core_cost(b, sb)
                slot[a], slot[b] = sb, sa
                after = core_cost(a, sb) + core_cost(b, sa)
                if after < before - 1e-9:
                    improved = True
                else:
                    slot[a], slot[b] = sa, sb
        if not improved:
            break
    return list(np.argsort(slot))


def _placement(n_cores: int, chip: ChipSpec):
    cols, rows = chip.mesh
    n_chips = int(np.ceil(n_cores / chip.cores_per_chip)) if n_cores else 1
    xy = np.zeros((n_cores, 2), dtype=np.int64)
    for k in range(n_cores):
        c, local = divmod(k, chip.cores_per_chip)
        y, x = divmod(local, cols)
        if y % 2 == 1:
            x = cols - 1 - x  # serpentine
        xy[k] = (c * cols + x, y)
    return xy, (cols * n_chips, rows), n_chips


def map_graph(graph: Graph, chip, method: str = "metis", rates=None, max_chips: int = 64, seed: int = 0,
              core_of: np.ndarray | None = None) -> ChipMapping:
    """Allocate, place and route ``graph`` on ``chip`` (or use a given ``core_of``)."""
    chip = get_chip(chip)
    flat = graph.flat()
    if core_of is None:
        core_of = allocate(graph, chip, method, rates=rates, seed=seed)
    core_of = np.asarray(core_of, dtype=np.int64)
    n_cores = int(core_of.max()) + 1 if np.any(core_of >= 0) else 0
    if method == "metis" and n_cores > 2:
        core_of = _order_cores(flat, core_of, n_cores, rates, chip)
    xy, mesh_shape, n_chips = _placement(n_cores, chip)
    if n_chips > max_chips:
        raise MappingError(f"network needs {n_cores} cores = {n_chips} {chip.name} chips; at most {max_chips} "
                           "allowed (raise max_chips or use a larger chip)")
    rows = mesh_shape[1]
    host = np.array([0, 0])
    n = flat.n_neurons
    dest_ptr, dests, link_ptr, links = [0], [], [0], []
    packets = np.zeros(n)
    hops = np.zeros(n)
    maxh = np.zeros(n, dtype=np.int64)
    cache = {}
    for s in range(n):
        d = np.unique(core_of[flat.dst[flat.indptr[s]:flat.indptr[s + 1]]])
        d = d[d >= 0]
        dests.extend(d.tolist())
        dest_ptr.append(len(dests))
        start = xy[core_of[s]] if core_of[s] >= 0 else host
        paths = []
        for c in d:
            key = (tuple(start), int(c))
            if key not in cache:
                cache[key] = xy_route(start, xy[c], rows)
            paths.append(cache[key])
        if chip.multicast:
            used = sorted(set(l for path in paths for l in path))
            packets[s] = 1.0 if len(d) else 0.0
        else:
            used = [l for path in paths for l in path]
            packets[s] = float(len(d))
        links.extend(used)
        link_ptr.append(len(links))
        hops[s] = len(used)
        maxh[s] = max((len(p) for p in paths), default=0)
    inc = np.bincount(flat.dst, minlength=n)
    comp = core_of >= 0
    return ChipMapping(
        chip=chip, method=method if core_of is None or method else "given", core_of=core_of, n_cores=n_cores,
        core_xy=xy, mesh_shape=mesh_shape, dest_indptr=np.asarray(dest_ptr, dtype=np.int64),
        dest_cores=np.asarray(dests, dtype=np.int64), link_indptr=np.asarray(link_ptr, dtype=np.int64),
        link_ids=np.asarray(links, dtype=np.int64), packets_per_spike=packets, hops_per_spike=hops,
        max_hops=maxh, synapses_per_core=np.bincount(core_of[comp], weights=inc[comp], minlength=n_cores),
        neurons_per_core=np.bincount(core_of[comp], minlength=n_cores), n_chips=n_chips)
