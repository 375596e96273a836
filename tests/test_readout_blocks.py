"""The block-scaled readout (workbench.readout.blocks) and its use in the biosignal protocol."""
import numpy as np
import pytest

from workbench.experiments.biosignal_models import readout_blocks
from workbench.readout import fit_classifier
from workbench.readout.blocks import BlockScaler, block_factors, fit_block_classifier


@pytest.mark.parametrize("method", ["ridge", "logistic"])
def test_one_block_is_the_plain_readout(method):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(160, 25))
    y = (X[:, 0] + X[:, 1] + rng.normal(size=160) > 0).astype(int)
    a = fit_classifier(X[:120], y[:120], X[120:], y[120:], method=method)
    b = fit_block_classifier([X[:120]], y[:120], [X[120:]], y[120:], method=method)
    assert np.array_equal(a.y_pred, b.y_pred) and a.regularisation == b.regularisation


def test_every_block_gets_the_same_total_variance():
    rng = np.random.default_rng(2)
    sizes = [300, 7, 2]
    X = rng.normal(size=(500, sum(sizes))) * rng.uniform(0.1, 10, sum(sizes)) + 3
    Z = BlockScaler(sizes).fit_transform(X)
    edges = np.cumsum([0] + sizes)
    totals = [Z[:, a:b].var(axis=0).sum() for a, b in zip(edges[:-1], edges[1:])]
    np.testing.assert_allclose(totals, sum(sizes) / len(sizes), rtol=1e-9)
    assert Z.var(axis=0).sum() == pytest.approx(sum(sizes))  # the overall scale of plain standardisation
    Zw = BlockScaler(sizes, weights=[1, 2, 1]).fit_transform(X)
    assert Zw[:, 300:307].var(axis=0).sum() == pytest.approx(4 * totals[1])


def test_bad_blocks_are_refused_with_the_fix():
    with pytest.raises(ValueError, match="one weight per block"):
        block_factors([3, 4], [1.0])
    with pytest.raises(ValueError, match="sum to 7"):
        BlockScaler([3, 4]).fit(np.zeros((5, 8)))
    with pytest.raises(ValueError, match="one row per sample"):
        fit_block_classifier([np.zeros((5, 2)), np.zeros((4, 2))], [0, 1, 0, 1, 0], [np.zeros((2, 2))] * 2)


def test_a_small_informative_block_beside_a_large_one_is_not_lost():
    """Three informative features beside 2,000 of noise are lost to a readout that standardises every
    feature under one ridge penalty, but not once each block has the same total variance (the reason
    for ``readout_blocks=equal``; benchmarks/bio_readout_blocks.py measures it on real liquids)."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 90)
    informative = (2 * y[:, None] - 1) * 0.6 + rng.normal(size=(180, 3))
    noise = rng.normal(size=(180, 2000))
    tr, te = np.arange(0, 180, 2), np.arange(1, 180, 2)

    def acc(blocks):
        pred = fit_block_classifier([b[tr] for b in blocks], y[tr], [b[te] for b in blocks]).y_pred
        return np.mean(pred == y[te])

    pooled, blocks = acc([np.hstack([noise, informative])]), acc([noise, informative])
    alone, noise_only = acc([informative]), acc([noise])
    assert pooled < 0.65 and noise_only < 0.6  # near chance (0.5)
    assert blocks > pooled + 0.15 and blocks > 0.75
    assert abs(blocks - alone) < 0.05


class _Data:
    def __init__(self, extra):
        self.extra = extra


class _Params(dict):
    pass


def test_protocol_blocks_append_the_rr_intervals_or_pool_them():
    X, inp, rr = np.ones((4, 6)), np.zeros((4, 2)), np.full((4, 4), 2.0)
    equal = readout_blocks([X, inp], _Data(rr), _Params(readout_blocks="equal"))
    assert [b.shape[1] for b in equal] == [6, 2, 4]
    pooled = readout_blocks([X, inp], _Data(rr), _Params(readout_blocks="pooled"))
    assert len(pooled) == 1 and np.array_equal(pooled[0], np.hstack([X, inp, rr]))
    assert [b.shape[1] for b in readout_blocks(X, _Data(None), _Params(readout_blocks="equal"))] == [6]
