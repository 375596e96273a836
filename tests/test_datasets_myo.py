"""Myo armband EMG gestures (myo:FOLDER): the real recordings in shared/data/emg-myo (skipped when
absent) and small session folders written here."""
import numpy as np
import pytest

from conftest import SHARED_DATA
from workbench.datasets.biosignal import DatasetError
from workbench.datasets.myo import GESTURES, estimate_fs, label_runs, load_myo, read_myo_file


@pytest.fixture
def myo_dir():
    d = SHARED_DATA / "emg-myo"
    if not (d / "12345-1" / "1.txt").exists():
        pytest.skip(f"Myo recordings not found in {d}")
    return d


def write_session(folder, n_periods=4, period=1000, seed=0, labels_of=None):
    """A session folder in the data set's format: G.txt alternates rest / G every ``period`` lines,
    starting with rest (0.txt: rest throughout); gesture G is strongest on electrode G."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    for g in range(8):
        lab = np.repeat([0, g] * (n_periods // 2), period) if g else np.zeros(n_periods * period, int)
        if labels_of and g in labels_of:
            lab = labels_of[g](lab)
        sd = np.where(lab[:, None] > 0, 20 + 40 * (np.arange(8) == g % 8), 3)
        emg = np.clip(rng.normal(0, sd, (len(lab), 8)), -128, 127).astype(int)
        np.savetxt(folder / f"{g}.txt", np.c_[emg, lab], fmt="%d", delimiter=",")


def test_real_recordings(myo_dir):
    s = load_myo(myo_dir)
    assert s.class_names == list(GESTURES) and s.fs == 200.0
    assert s.samples[0].shape == (50, 8)  # 0.25 s at 200 Hz, 8 electrodes
    assert sorted(set(s.groups)) == ["12345", "21547", "45612"]
    sessions = s.sample_info["session"]
    assert len(set(sessions)) == 9
    for sess in set(sessions):  # every class in every session, in about equal numbers
        c = np.bincount(s.labels[sessions == sess], minlength=8)
        assert c.min() >= 0.85 * c.max() and c.min() > 80
    # every gesture window lies inside a run of its gesture, at least 0.75 s after the cue
    emg, lab = read_myo_file(myo_dir / "12345-1" / "3.txt")
    runs = [(a, b) for g, a, b in label_runs(lab) if g == 3]
    pick = (sessions == "12345-1") & (s.labels == 3)
    for start, x in zip(s.sample_info["start"][pick], np.array(s.samples, dtype=object)[pick]):
        i = int(round(start * 200))
        assert any(a + 150 <= i and i + 50 <= b for a, b in runs)
        assert np.array_equal(x, emg[i:i + 50])
    # the cue clock says about 200 Hz for every session
    rates = dict(kv.split(":") for kv in s.meta["fs_estimate_hz"].split(","))
    assert all(195 < float(v) < 210 for v in rates.values())


def test_window_rule_on_written_sessions(tmp_path):
    write_session(tmp_path / "11111-1", seed=1)
    write_session(tmp_path / "22222-1", seed=2)
    s = load_myo(tmp_path)
    # per gesture file: 2 runs of 1000 samples, each (1000 - 150 skipped - 50) / 50 + 1 = 17 windows
    assert np.bincount(s.labels).tolist() == [2 * 2 * 17] * 8
    # rest windows come from 0.txt's blocks 1 and 3 (where the gesture files hold their gesture)
    rest = s.sample_info["start"][(s.labels == 0) & (s.groups == "11111")]
    assert rest.min() == pytest.approx(5.0 + 0.75) and rest.max() == pytest.approx(15.0 + 0.75 + 16 * 0.25)
    no_rest = load_myo(tmp_path, rest=False, window=0.2, step=0.1, participants=["22222"])
    assert no_rest.class_names == list(GESTURES[1:]) and set(no_rest.groups) == {"22222"}
    assert np.bincount(no_rest.labels).tolist() == [2 * ((1000 - 150 - 40) // 20 + 1)] * 7
    one = load_myo(tmp_path / "11111-1")  # a single session folder
    assert set(one.sample_info["session"]) == {"11111-1"}
    # SignalSet.subset keeps the group and the per-sample info of the samples it keeps
    sub = s.subset(np.nonzero(s.groups == "22222")[0][::7])
    assert set(sub.groups) == {"22222"} and set(sub.sample_info["session"]) == {"22222-1"}
    assert len(sub.sample_info["start"]) == len(sub.samples)


def test_estimate_fs_from_the_cue_clock():
    lab = np.repeat([0, 3] * 6, [1000, 1030] * 6)
    assert estimate_fs([lab]) == pytest.approx(203.0)  # median of the inner runs / 5 s
    assert np.isnan(estimate_fs([np.zeros(100)]))


def test_errors_name_the_file(tmp_path):
    write_session(tmp_path / "11111-1", labels_of={4: lambda lab: np.where(lab == 4, 5, lab)})
    with pytest.raises(DatasetError, match=r"4\.txt holds labels \[5\]"):
        load_myo(tmp_path)
    (tmp_path / "11111-1" / "4.txt").unlink()
    with pytest.raises(DatasetError, match=r"missing gesture file .*4\.txt"):
        load_myo(tmp_path)
    (tmp_path / "11111-1" / "4.txt").write_text("1,2,3\n4,5,6\n")
    with pytest.raises(DatasetError, match=r"4\.txt has 3 columns"):
        load_myo(tmp_path)
    with pytest.raises(DatasetError, match="no session folder"):
        (tmp_path / "empty").mkdir()
        load_myo(tmp_path / "empty")
    with pytest.raises(DatasetError, match=r"participant\(s\) \['99999'\]"):
        load_myo(tmp_path, participants=["99999"])
    with pytest.raises(DatasetError, match="does not fit"):
        load_myo(tmp_path, window=3.0, skip=3.0)


def test_emg_baselines_script_runs_leave_one_participant_out(tmp_path, capsys):
    import importlib.util
    import json

    from conftest import ROOT

    for k, p in enumerate(("11111", "22222", "33333")):
        write_session(tmp_path / f"{p}-1", n_periods=2, seed=k)
    spec = importlib.util.spec_from_file_location("emg_baselines", ROOT / "benchmarks" / "emg_baselines.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(["--data", str(tmp_path), "--no-minirocket", "--c-grid", "0.01,1"])
    out = json.loads(capsys.readouterr().out)
    folds = out["results"]["features"]["folds"]
    assert [f["held_out"] for f in folds] == ["11111", "22222", "33333"]
    # one gesture run per file, 17 windows each; the written gestures differ, so far above chance (1/8)
    assert all(f["n_test"] == 8 * 17 and f["balanced_accuracy"] > 0.9 and f["C"] in (0.01, 1) for f in folds)
