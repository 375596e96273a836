"""Evaluation splits: subject-wise folds, rare classes (warn and go on), inner validation carved from
training parts only, record-wise and MIT-BIH inter-patient splits."""
import warnings

import numpy as np
import pytest

from workbench.datasets.biosignal import DatasetError
from workbench.datasets.splits import (DS1, DS2, RareClassWarning, fold_class_counts, held_out_groups, inner_folds,
                                       make_folds, missing_classes, validation_split)

#: Class sizes of the UCR ECG5000 training file (500 beats; the fifth class has 2).
ECG5000_TRAIN = (292, 177, 10, 19, 2)


def _subjects(n_subjects=6, per=20, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_subjects), per)
    labels = rng.integers(0, n_classes, len(groups))
    return labels, groups


def test_rare_class_warns_goes_on_and_says_which_folds_lack_it():
    labels = np.repeat(np.arange(5), ECG5000_TRAIN)
    with pytest.warns(UserWarning, match="least populated class"), \
            pytest.warns(RareClassWarning, match="test lacks \\[4\\]"):  # scikit-learn's warning, then ours
        folds = make_folds(labels, method="stratified", n_splits=5, rng=np.random.default_rng(0))
    assert len(folds) == 5
    tested = np.sort(np.concatenate([te for _, te in folds]))
    assert np.array_equal(tested, np.arange(500))  # every sample tested once
    miss = missing_classes(folds, labels, ["N", "R-on-T", "PVC", "SP", "UB"])
    counts = fold_class_counts(folds, labels, 5)
    lacking = [k for k in range(5) if counts[k, 1, 4] == 0]
    assert len(lacking) == 3 and sorted(counts[:, 1, 4]) == [0, 0, 0, 1, 1]
    assert miss == [{"fold": k, "part": "test", "classes": ["UB"]} for k in lacking]  # training parts have all
    assert counts.shape == (5, 2, 5)
    assert np.array_equal(counts.sum(axis=(0, 1)), 5 * np.array(ECG5000_TRAIN))


def test_subject_wise_folds_never_share_a_subject():
    labels, groups = _subjects()
    for method, k in (("group-kfold", 3), ("stratified-group-kfold", 3), ("leave-one-group-out", None)):
        folds = make_folds(labels, groups, method=method, n_splits=k or 5, rng=np.random.default_rng(1))
        assert len(folds) == (k or 6)
        for tr, te in folds:
            assert not set(groups[tr]) & set(groups[te])
        assert sorted(np.concatenate(held_out_groups(folds, groups)).tolist()) == list(range(6))
    with pytest.raises(DatasetError, match="needs as many groups"):
        make_folds(labels, groups, method="group-kfold", n_splits=10)
    with pytest.raises(DatasetError, match="needs a group"):
        make_folds(labels, method="leave-one-subject-out")
    with pytest.raises(DatasetError, match="unknown method"):
        make_folds(labels, groups, method="bootstrap")


def test_same_seed_same_folds():
    labels, groups = _subjects()
    a = make_folds(labels, groups, method="stratified-group-kfold", n_splits=3, rng=np.random.default_rng(7))
    b = make_folds(labels, groups, method="stratified-group-kfold", n_splits=3, rng=np.random.default_rng(7))
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b))


def test_inner_validation_comes_from_the_training_part_only():
    labels, groups = _subjects()
    for tr, te in make_folds(labels, groups, method="leave-one-group-out"):
        inner = inner_folds(labels, tr, groups, n_splits=3, rng=np.random.default_rng(2))
        assert len(inner) == 3
        for fit, val in inner:
            assert set(fit) <= set(tr) and set(val) <= set(tr) and not set(val) & set(te)
            assert not set(groups[fit]) & set(groups[val])
    # two training participants (leave one of three out): two inner folds, one participant each
    labels3, groups3 = _subjects(n_subjects=3)
    tr, te = make_folds(labels3, groups3, method="leave-one-group-out")[0]
    inner = inner_folds(labels3, tr, groups3, n_splits=5)
    assert len(inner) == 2 and all(len(set(groups3[v])) == 1 for _, v in inner)
    fit, val = validation_split(labels, np.arange(60, 120), None, fraction=0.25, rng=np.random.default_rng(3))
    assert len(val) == 15 and set(fit) | set(val) == set(range(60, 120)) and not set(fit) & set(val)
    with pytest.warns(RareClassWarning, match="one group"):
        inner_folds(labels, np.nonzero(groups == 0)[0], groups, n_splits=2)


def test_record_wise_split_keeps_time_order():
    labels, groups = _subjects(per=10)
    (tr, te), = make_folds(labels, groups, method="record-wise", train_fraction=0.7)
    for g in range(6):
        a, b = tr[groups[tr] == g], te[groups[te] == g]
        assert len(a) == 7 and len(b) == 3 and a.max() < b.min()


def test_interpatient_split_is_de_chazal_ds1_ds2():
    assert len(DS1) == len(DS2) == 22 and not set(DS1) & set(DS2)
    assert not {102, 104, 107, 217} & set(DS1 + DS2)  # paced records are in neither
    records = np.array(list(DS1) + list(DS2) + [102])
    groups = np.repeat(records, 4)
    labels = np.tile([0, 0, 0, 1], len(records))
    (tr, te), = make_folds(labels, groups, method="interpatient")
    assert set(groups[tr]) == set(DS1) and set(groups[te]) == set(DS2)
    assert 102 not in set(groups[tr]) | set(groups[te])
    with pytest.raises(DatasetError, match="DS2"):
        make_folds(labels[: 4 * 22], groups[: 4 * 22], method="interpatient")
    with pytest.warns(RareClassWarning, match="without record"):
        make_folds(labels[4:], groups[4:].astype(str), method="interpatient")


def test_no_warning_when_every_fold_has_every_class():
    labels, groups = _subjects(per=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_folds(labels, groups, method="stratified-group-kfold", n_splits=3, rng=np.random.default_rng(0))
