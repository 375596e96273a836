"""IR drop in a crossbar: the exact resistive-network solve against hand solutions, the approximations against it."""
import numpy as np
import pytest

from workbench.hardware.crossbar.irdrop import (FIRST_ORDER_BOUND, IRDropError, effective_conductance,
                                                ir_drop_parameter, solve_array)

G_MAX = 25e-6


def test_zero_wire_resistance_is_ideal():
    rng = np.random.default_rng(0)
    G = rng.uniform(0, G_MAX, (5, 7))
    v = rng.random((3, 5))
    for method in ("exact", "first_order", "iterative"):
        assert np.array_equal(effective_conductance(G, 0.0, method), G)
    assert np.array_equal(solve_array(G, v, 0.0), v @ G)
    # and the network solve tends to it as the wires vanish
    assert np.allclose(effective_conductance(G, 1e-9, "exact"), G, rtol=1e-9, atol=0)


def test_one_cell_matches_hand_solution():
    g, r = 20e-6, 50.0
    # driver -> r -> device -> r -> virtual ground: I/V = G / (1 + 2 r G)
    assert effective_conductance([[g]], r, "exact")[0, 0] == pytest.approx(g / (1 + 2 * r * g), rel=1e-12)


def test_one_row_matches_ladder_solution():
    """A single word line over N columns, each bit line one segment to ground: a resistive ladder."""
    rng = np.random.default_rng(1)
    g, r = rng.uniform(5e-6, G_MAX, 6), 200.0
    h = g / (1 + r * g)  # device in series with its bit-line segment to the virtual ground
    Y = np.zeros(len(g))  # conductance to ground seen from node j, looking right
    Y[-1] = h[-1]
    for j in range(len(g) - 2, -1, -1):
        Y[j] = h[j] + 1 / (r + 1 / Y[j + 1])
    a, V = np.zeros(len(g)), 1.0
    a[0] = V * (1 / r) / (1 / r + Y[0])  # divider: driver segment against everything to the right
    for j in range(1, len(g)):
        a[j] = a[j - 1] * (1 / r) / (1 / r + Y[j])
    cols = a * g / (1 + r * g)  # column current: device and bit-line segment in series
    assert np.allclose(solve_array(g[None, :], [V], r)[0], cols, rtol=1e-10)


def test_superposition_and_current_loss():
    rng = np.random.default_rng(2)
    G = rng.uniform(0, G_MAX, (6, 9))
    v = rng.uniform(0, 0.3, (4, 6))
    eff = effective_conductance(G, 30.0, "exact")
    assert np.allclose(solve_array(G, v, 30.0), v @ eff, rtol=1e-10, atol=1e-18)  # linear network
    full = effective_conductance(G, 30.0, "exact", np.ones((1, 6)))[0]
    assert np.all(full < G.sum(axis=0))  # wires only lose current
    assert 0 < ir_drop_parameter(G, 30.0) < 1


def _random_arrays(seed, n):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        P, Q = int(rng.integers(1, 16)), int(rng.integers(1, 16))
        kind = rng.integers(3)
        if kind == 0:
            G = rng.uniform(0, G_MAX, (P, Q))
        elif kind == 1:
            G = G_MAX * 10 ** rng.uniform(-3, 0, (P, Q))
        else:
            G = rng.uniform(0, G_MAX, (P, Q)) * (rng.random((P, Q)) < 0.3)
        if G.max() > 0:
            yield G, float(10 ** rng.uniform(-1, 3))


def test_first_order_stays_within_its_stated_bound():
    """|G_eff(first order) - G_eff(exact)| <= coeff * p**2 * max(G) wherever p <= limit (irdrop.FIRST_ORDER_BOUND)."""
    ratios = []
    for G, r in _random_arrays(3, 60):
        p = ir_drop_parameter(G, r)
        if not 0 < p <= FIRST_ORDER_BOUND["limit"]:
            continue
        err = np.abs(effective_conductance(G, r, "first_order") - effective_conductance(G, r, "exact")).max()
        ratios.append(err / (p**2 * G.max()))
    assert len(ratios) >= 20
    assert max(ratios) <= FIRST_ORDER_BOUND["coeff"]
    assert max(ratios) > 0.2  # the p**2 scaling is the real size of the error, not a loose bound


def test_iterative_converges_to_the_exact_solve():
    for G, r in _random_arrays(4, 15):
        if ir_drop_parameter(G, r) > 0.3:
            continue
        ex = effective_conductance(G, r, "exact")
        assert np.abs(effective_conductance(G, r, "iterative", tol=1e-12) - ex).max() <= 1e-8 * G.max()


def test_bad_input_and_divergence_raise():
    G = np.full((30, 30), G_MAX)
    with pytest.raises(IRDropError, match="diverges|did not converge"):
        effective_conductance(G, 1e4, "iterative")
    with pytest.raises(IRDropError, match=">= 0"):
        effective_conductance(-G, 1.0)
    with pytest.raises(IRDropError, match="method"):
        effective_conductance(G, 1.0, "spice")
