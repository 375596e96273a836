"""backends.Simulation on a runtime backend: a TimedArray's values and the random seed per run, the
initial state restored before each run, and the time of each run."""
import numpy as np
import pytest
from brian2 import Network, NeuronGroup, TimedArray, ms

from workbench.backends import Simulation, use_backend


def _net():
    table = TimedArray(np.zeros((1, 3)), dt=1 * ms, name="probe_table")
    G = NeuronGroup(3, "x : 1\nr : 1\ny : 1", namespace={"table": table}, name="probe")
    G.run_regularly("x = table(0*ms, i)\nr = rand()\ny = y + 1", name="probe_read")
    return Network(G), G, table


def test_timed_array_values_seed_and_restore():
    with use_backend("numpy", seed=0) as be:
        net, G, table = _net()
        sim = Simulation(net, 1 * ms, be, namespace={})
        out = []
        for values, seed in ((np.arange(3.0), 5), (10 + np.arange(3.0), 5), (np.arange(3.0), 6)):
            sim.run({table: values[None, :], G.y: 100.0}, seed=seed)
            out.append((np.array(G.x[:]), np.array(G.r[:]), np.array(G.y[:])))
        assert len(sim.run_times) == len(sim.cpu_times) == 3 and min(sim.cpu_times) >= 0
    np.testing.assert_array_equal(out[0][0], [0, 1, 2])
    np.testing.assert_array_equal(out[1][0], [10, 11, 12])       # the new table, not the first
    np.testing.assert_array_equal(out[0][1], out[1][1])          # same seed, same random numbers
    assert not np.array_equal(out[0][1], out[2][1])              # another seed, others
    for _, _, y in out:                                          # restored, then assigned: 100 + 10 steps
        np.testing.assert_array_equal(y, 110)


def test_timed_array_outside_every_namespace_is_an_error():
    with use_backend("numpy", seed=0) as be:
        net, G, table = _net()
        other = TimedArray(np.zeros((1, 3)), dt=1 * ms, name="other_table")
        with pytest.raises(ValueError, match="other_table"):
            Simulation(net, 1 * ms, be).run({other: np.ones((1, 3))})
