"""IR drop: the crossbar as a resistive network, solved exactly or approximately.

Geometry of one tile (``P`` physical rows, ``Q`` columns): row ``i`` is driven
at its left end (``V_i``, an ideal source) through a wire segment of
resistance ``r`` to node ``a[i, 0]``; word-line nodes ``a[i, j]`` and
``a[i, j+1]`` are joined by ``r``; device ``(i, j)`` (conductance ``G[i, j]``)
joins ``a[i, j]`` to bit-line node ``b[i, j]``; bit-line nodes ``b[i, j]`` and
``b[i+1, j]`` are joined by ``r``, and ``b[P-1, j]`` reaches the column's
virtual ground (the ADC input, 0 V) through ``r``.  Rows that are not driven
are held at 0 V, so sneak currents through them are part of the solution.
The column current is ``I_j = b[P-1, j] / r``.

All elements are linear, so column currents are linear in the drive
voltages: ``I = V @ G_eff`` with an effective conductance matrix that depends
on ``G`` and ``r`` only.  :func:`effective_conductance` computes it once per
tile for every input (a group of rows driven together) by

- ``'exact'``: a sparse LU factorisation (``scipy.sparse.linalg.splu``) of
  the nodal equations over all ``2 P Q`` nodes, one solve per input;
- ``'first_order'``: one pass of the separable correction: ideal cell currents
  ``G V`` give the word-line drops (cumulative sums along each row) and the
  bit-line rises (cumulative sums along each column), and the cells' currents
  at those voltages are the answer (inactive rows included);
- ``'iterative'``: that pass repeated until the currents change by less than
  ``tol`` (a Jacobi iteration on the nodal equations; it converges when
  ``r * G * size`` is small and raises otherwise).

The approximations are validated against the exact solve in
``tests/test_crossbar_irdrop.py`` (error bounds stated there and in
:data:`FIRST_ORDER_BOUND`).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

__all__ = ["IRDropError", "solve_array", "effective_conductance", "ir_drop_parameter", "FIRST_ORDER_BOUND",
           "METHODS"]

METHODS = ("exact", "first_order", "iterative")

#: Stated bound of the first-order method, checked against the exact solve on random arrays in
#: tests/test_crossbar_irdrop.py: for arrays whose :func:`ir_drop_parameter` ``p`` is at most
#: ``limit``, every effective conductance is within ``coeff * p**2 * max(G)`` of the exact value.
#: (Over 281 random arrays up to 23 x 23, uniform, log-uniform and sparse conductances, wire
#: resistances 0.1-300 ohm, the largest error seen was 1.98 p**2 max(G).)
FIRST_ORDER_BOUND = {"limit": 0.3, "coeff": 3.0}


class IRDropError(ValueError):
    """Bad IR-drop input (shapes, negative resistance) or an iteration that does not converge."""


def ir_drop_parameter(G, r_wire: float) -> float:
    """The size of the IR-drop correction: the worst first-order relative loss of a column current.

    It is the largest relative loss of a column current that the first-order
    pass predicts with every row driven at once, so 0.1 means a 10% drop in the
    worst column.
    """
    G = np.asarray(G, dtype=float)
    if r_wire == 0 or G.size == 0:
        return 0.0
    geff = _first_order(G, r_wire).sum(axis=0)
    col = G.sum(axis=0)
    return float(np.max(np.where(col > 0, 1 - geff / np.where(col > 0, col, 1), 0.0)))


def _check(G, r_wire):
    G = np.asarray(G, dtype=float)
    if G.ndim != 2 or G.size == 0:
        raise IRDropError(f"conductances must be a non-empty 2-d array (rows x columns), got shape {G.shape}")
    if np.any(G < 0) or not np.all(np.isfinite(G)):
        raise IRDropError("conductances must be finite and >= 0")
    if not r_wire >= 0:
        raise IRDropError(f"wire resistance must be >= 0 ohm, got {r_wire!r}")
    return G


def _nodal_matrix(G, r_wire):
    """The SPD nodal conductance matrix over word-line nodes (first P*Q) and bit-line nodes (next P*Q)."""
    P, Q = G.shape
    gw = 1.0 / r_wire
    n = P * Q
    a = np.arange(n).reshape(P, Q)
    b = a + n
    rows, cols, vals = [], [], []

    def link(u, v, g):
        u, v, g = u.ravel(), v.ravel(), np.broadcast_to(g, u.shape).ravel()
        rows.extend([u, v, u, v])
        cols.extend([u, v, v, u])
        vals.extend([g, g, -g, -g])

    link(a, b, G)  # devices
    if Q > 1:
        link(a[:, :-1], a[:, 1:], np.full((P, Q - 1), gw))  # word-line segments
    if P > 1:
        link(b[:-1, :], b[1:, :], np.full((P - 1, Q), gw))  # bit-line segments
    diag = np.zeros(2 * n)
    diag[a[:, 0]] += gw  # drivers
    diag[b[-1, :]] += gw  # virtual grounds
    rows.append(np.arange(2 * n))
    cols.append(np.arange(2 * n))
    vals.append(diag)
    A = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(2 * n, 2 * n))
    return A.tocsc(), a, b


def solve_array(G, v, r_wire: float) -> np.ndarray:
    """Exact column currents (A) for drive voltages ``v`` (rows,) or (inputs, rows): shape (inputs, columns)."""
    G = _check(G, r_wire)
    V = np.atleast_2d(np.asarray(v, dtype=float))
    if V.shape[1] != G.shape[0]:
        raise IRDropError(f"drive voltages have {V.shape[1]} rows but the array has {G.shape[0]}")
    if r_wire == 0:
        return V @ G
    P, Q = G.shape
    A, a, b = _nodal_matrix(G, r_wire)
    lu = spla.splu(A)
    out = np.empty((len(V), Q))
    chunk = max(1, 4_000_000 // (2 * P * Q))  # right-hand sides per solve: <= ~32 MB
    for s in range(0, len(V), chunk):
        rhs = np.zeros((2 * P * Q, len(V[s:s + chunk])))
        rhs[a[:, 0], :] = V[s:s + chunk].T / r_wire
        x = lu.solve(rhs)
        out[s:s + chunk] = x[b[-1, :], :].T / r_wire
    return out


def _first_order(G, r_wire):
    """First-order effective conductances for each row driven alone (rows, columns), in O(rows x columns).

    Row ``i`` at 1 V: its cells see the word-line drop ``r W[i, j]`` (``W`` the
    cumulative sum of the segment currents ``sum_{j' >= k} G[i, j']``) and the
    bit-line rise ``r G[i, j] (P - i)``; every other cell ``i'`` of the column
    sees only the bit-line rise ``r G[i, j] (P - max(i, i'))`` and leaks it to its
    grounded row.  Summed down the column::

        G_eff[i, j] = G[i, j] (1 - r W[i, j] - r sum_i' G[i', j] (P - max(i, i')))
    """
    P, _ = G.shape
    W = np.cumsum(np.cumsum(G[:, ::-1], axis=1)[:, ::-1], axis=1)
    above = np.cumsum(G, axis=0)  # sum_{i' <= i} G[i', j]
    k = (P - np.arange(P))[:, None]  # P - i
    weighted = G * k  # G[i', j] (P - i')
    below = np.cumsum(weighted[::-1], axis=0)[::-1] - weighted  # sum_{i' > i} G[i', j] (P - i')
    B = k * above + below
    return G * (1 - r_wire * W - r_wire * B)


def _jacobi(G, X, r_wire, iterations=None, tol=1e-9, max_iter=200):
    """Separable passes for drive voltages X (inputs, rows): ``iterations`` passes, or until converged."""
    E = X.shape[0]
    out = np.empty((E, G.shape[1]))
    chunk = max(1, 2_000_000 // G.size)
    for s in range(0, E, chunk):
        x = X[s:s + chunk, :, None]
        c = G[None] * x  # ideal cell currents
        # node voltages stay within the drive range (a passive network), so |cell current| <= G max|V|
        bound = 2 * G.max() * np.max(np.abs(x))
        n = iterations if iterations is not None else max_iter
        for k in range(n):
            seg_w = np.cumsum(c[:, :, ::-1], axis=2)[:, :, ::-1]  # word-line segment j carries cells >= j
            a = x - r_wire * np.cumsum(seg_w, axis=2)
            seg_b = np.cumsum(c, axis=1)  # bit-line segment below row i carries rows <= i
            bl = r_wire * np.cumsum(seg_b[:, ::-1, :], axis=1)[:, ::-1, :]
            c_new = G[None] * (a - bl)
            if iterations is None:
                if not np.max(np.abs(c_new)) <= bound:
                    raise IRDropError(f"the iterative IR-drop solve diverges (r*G*size too large, parameter "
                                      f"{ir_drop_parameter(G, r_wire):.3g}); use method='exact'")
                change = np.max(np.abs(c_new - c)) / max(np.max(np.abs(c_new)), 1e-300)
                c = c_new
                if change < tol:
                    break
            else:
                c = c_new
        else:
            if iterations is None:
                raise IRDropError(f"the iterative IR-drop solve did not converge in {max_iter} passes "
                                  f"(parameter {ir_drop_parameter(G, r_wire):.3g}); use method='exact'")
        out[s:s + chunk] = c.sum(axis=1)
    return out


def effective_conductance(G, r_wire: float, method: str = "first_order", inputs=None, *, tol: float = 1e-9,
                          max_iter: int = 200) -> np.ndarray:
    """Effective conductances (inputs, columns): column currents per volt on each input.

    ``inputs`` (inputs, rows) says which rows each input drives (and with which
    weight); default: each row on its own (the identity).  ``r_wire = 0``
    gives ``inputs @ G`` exactly.
    """
    G = _check(G, r_wire)
    X = None if inputs is None else np.atleast_2d(np.asarray(inputs, dtype=float))
    if X is not None and X.shape[1] != G.shape[0]:
        raise IRDropError(f"inputs drive {X.shape[1]} rows but the array has {G.shape[0]}")
    if method not in METHODS:
        raise IRDropError(f"IR-drop method {method!r}: use one of {METHODS}")
    if r_wire == 0 or method == "first_order":
        out = G.copy() if r_wire == 0 else _first_order(G, r_wire)
        return out if X is None else X @ out
    X = np.eye(G.shape[0]) if X is None else X
    if method == "exact":
        return solve_array(G, X, r_wire)
    return _jacobi(G, X, r_wire, iterations=None, tol=tol, max_iter=max_iter)
