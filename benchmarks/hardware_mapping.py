"""Mapping benchmark: pymetis (traffic-weighted) vs sequential fill on a 15x6x6 liquid (8 inputs).

    python benchmarks/hardware_mapping.py

Prints a markdown row per (neurons per core, allocation): cores, rate-weighted packets and hops, mean and
max hops, most routing entries per core.  Rates are the float model's spike counts under 20 Hz Poisson input.
"""
import numpy as np
from workbench.networks.liquid import make_liquid
from workbench.hardware.export import graph_from_liquid
from workbench.hardware.mapping import map_graph, packet_cost
from workbench.hardware.chips import get_chip
from workbench.hardware.quantize import float_network
from workbench.hardware.aersim import simulate, encode_inputs
L = make_liquid((15, 6, 6), 8, rng=np.random.default_rng(0))
g = graph_from_liquid(L, dt=0.5)  # the paper's neuron constants (workbench.networks.liquid.PAPER)
rng = np.random.default_rng(1)
r = simulate(float_network(g), encode_inputs(np.full((4, 8), 20.0), 1000, 0.5, rng))
rates = r.counts.mean(0)
f = g.flat()
for npc in (32, 64):
    chip = get_chip("loihi").replace(neurons_per_core=npc)
    for m in ("sequential", "metis"):
        mp = map_graph(g, chip, m, rates=rates)
        rep = mp.report(rates)
        print(f"| {npc} | {m} | {rep['cores_used']} | {packet_cost(f, mp.core_of, rates):.0f} | {mp.traffic(rates)['hops']:.0f} | {rep['mean_hops']:.2f} | {rep['max_hops']} | {rep['routing_entries_max']} |")
