"""The block-scaled readout (workbench.readout.blocks) and its use in the biosignal protocol."""
import numpy as np
import pytest

from workbench.datasets.splits import RareClassWarning
from workbench.experiments.biosignal_models import block_modes, choose_by_inner_cv, fit_predict, readout_candidates
from workbench.params import ParameterError
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
    def __init__(self, extra, labels=None):
        self.extra = extra
        self.labels = labels
        self.groups = None


class _Params(dict):
    __getattr__ = dict.__getitem__


def test_protocol_candidates_append_the_rr_intervals_once_per_block_mode():
    X, inp, rr = np.ones((4, 6)), np.zeros((4, 2)), np.full((4, 4), 2.0)
    cands = readout_candidates({"lsm": [X, inp]}, _Data(rr), _Params(grid_readout_blocks=("pooled", "equal")))
    assert list(cands) == ["lsm,blocks=pooled", "lsm,blocks=equal"]
    blocks, pooled = cands["lsm,blocks=pooled"]
    assert pooled and [b.shape[1] for b in blocks] == [6, 2, 4]
    assert not cands["lsm,blocks=equal"][1]
    one = readout_candidates({"raw": X}, _Data(None), _Params(grid_readout_blocks=("pooled", "equal")))
    assert list(one) == ["raw"]  # one block: nothing to choose
    # a configuration from before the grid existed: pooled, as its readout was
    assert list(readout_candidates({"raw": X}, _Data(rr), _Params())) == ["raw,blocks=pooled"]
    with pytest.raises(ParameterError, match="grid_readout_blocks"):
        block_modes(_Params(grid_readout_blocks=("equal", "weighted")))


def test_pooled_is_the_earlier_readout_and_equal_is_chosen_where_it_helps():
    """Pooled blocks give exactly fit_classifier on the blocks side by side (the readout of the
    archives made before the block scaling); given both modes, the inner CV picks equal blocks
    when a small block carries the signal, and a one-class training part predicts its class."""
    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], 120)
    small = (2 * y[:, None] - 1) * 0.8 + rng.normal(size=(240, 3))
    big = rng.normal(size=(240, 1500))
    params = _Params(readout="ridge", class_weight="balanced", inner_folds=3, grid_readout_blocks=("pooled", "equal"))
    tr, te = np.arange(0, 240, 2), np.arange(1, 240, 2)
    ref = fit_classifier(np.hstack([big, small])[tr], y[tr], np.hstack([big, small])[te], method="ridge",
                         class_weight="balanced").y_pred
    got = fit_predict([big[tr], small[tr]], y[tr], [big[te], small[te]], params, 0, pooled=True)
    assert np.array_equal(ref, got)
    data = _Data(small, labels=y)
    best, scores = choose_by_inner_cv(readout_candidates({"big": big}, data, params), tr, data, params, 0,
                                      np.random.default_rng(0))
    assert best == "big,blocks=equal" and scores[1] > scores[0] + 0.1
    with pytest.warns(RareClassWarning, match="only class 1"):
        one = fit_predict([big[:5], small[:5]], np.ones(5, int), [big[5:9], small[5:9]], params, 0)
    assert np.array_equal(one, np.ones(4, int))


def test_block_weights_scale_a_blocks_share():
    rng = np.random.default_rng(4)
    y = np.repeat([0, 1], 60)
    a, b = rng.normal(size=(120, 40)), (2 * y[:, None] - 1) * 0.5 + rng.normal(size=(120, 2))
    r1 = fit_block_classifier([a, b], y, [a, b], y, weights=[1, 1])
    r4 = fit_block_classifier([a, b], y, [a, b], y, weights=[1, 4])
    z1, z4 = (r.model[0].transform(np.hstack([a, b])) for r in (r1, r4))
    assert z4[:, 40:].var(axis=0).sum() == pytest.approx(16 * z1[:, 40:].var(axis=0).sum())
    with pytest.raises(ValueError, match="no block weights"):
        fit_block_classifier([a, b], y, [a, b], weights=[1, 2], pooled=True)


def test_constant_columns_do_not_count_toward_a_blocks_size():
    rng = np.random.default_rng(5)
    X = np.hstack([rng.normal(size=(80, 30)), rng.normal(size=(80, 3)), np.full((80, 1), 7.0)])
    Z = BlockScaler([30, 4]).fit_transform(X)
    assert Z[:, :30].var(axis=0).sum() == pytest.approx(Z[:, 30:].var(axis=0).sum())
    with pytest.raises(ValueError, match="fitted on 34 features"):
        BlockScaler([30, 4]).fit(X).transform(X[:, :10])


def test_block_factors_repeat_the_per_block_scales():
    from workbench.readout.blocks import block_scales

    s = block_scales([2, 8], [1.0, 2.0])
    np.testing.assert_allclose(s, [np.sqrt(10 / 4), 2 * np.sqrt(10 / 16)])
    np.testing.assert_array_equal(block_factors([2, 8], [1.0, 2.0]), np.repeat(s, [2, 8]))
