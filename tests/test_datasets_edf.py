"""EDF/BDF/GDF epochs through MNE, on small EDF+ files written here with PhysioNet eegmmidb's layout:
one file per run (SNNN/SNNNRMM.edf), 160 Hz, annotations T0 (4.2 s) alternating with T1/T2 (4.1 s)."""
import numpy as np
import pytest

mne = pytest.importorskip("mne")
pytest.importorskip("edfio")  # mne.export.export_raw(fmt="edf") writes with edfio

from workbench.datasets.biosignal import DatasetError  # noqa: E402
from workbench.datasets.edf import find_recordings, load_edf, load_eegbci, parse_subjects  # noqa: E402

FS = 160.0
CHANNELS = ["C3..", "Cz..", "C4.."]  # eegmmidb writes channel names padded with dots
BURST_HZ = 10.0


def write_run(path, seed, n_events=14, fs=FS, line_noise=0.0, channels=CHANNELS):
    """An eegmmidb-like run: T0 / task cues every 4.15 s; during T1 a 10-Hz burst on C3, during T2
    on C4 (the contralateral mu rhythm, exaggerated), and a 100-uV step on Cz from every task onset
    to its end (a marker of the onset), plus noise; returns the annotations."""
    rng = np.random.default_rng(seed)
    onsets = np.arange(n_events) * 4.15
    desc = ["T0" if k % 2 == 0 else str(rng.choice(["T1", "T2"])) for k in range(n_events)]
    dur = [4.2 if d == "T0" else 4.1 for d in desc]
    n = int((onsets[-1] + 5.0) * fs)
    t = np.arange(n) / fs
    x = rng.normal(0, 5e-6, (len(channels), n)) + line_noise * np.sin(2 * np.pi * 50 * t)
    for o, d, du in zip(onsets, desc, dur):
        if d in ("T1", "T2"):
            on = slice(int(round(o * fs)), int(round((o + du) * fs)))
            x[0 if d == "T1" else len(channels) - 1, on] += 20e-6 * np.sin(2 * np.pi * BURST_HZ * t[on])
            x[1, on] += 100e-6
    raw = mne.io.RawArray(x, mne.create_info(list(channels), fs, "eeg"), verbose="error")
    raw.set_annotations(mne.Annotations(onsets, dur, desc))
    path.parent.mkdir(parents=True, exist_ok=True)
    mne.export.export_raw(str(path), raw, fmt="auto", overwrite=True, verbose="error")  # EDF or BDF by suffix
    return list(zip(onsets, desc))


@pytest.fixture(scope="module")
def physionet(tmp_path_factory):
    """Three subjects, imagery runs 4 and 8, in eegmmidb's folder layout."""
    root = tmp_path_factory.mktemp("eegmmidb")
    ann = {}
    for s in (1, 2, 3):
        for r in (4, 8):
            ann[(s, r)] = write_run(root / f"S{s:03d}" / f"S{s:03d}R{r:02d}.edf", seed=10 * s + r)
    return root, ann


def _band_power(x, fs, f0):
    spec = np.abs(np.fft.rfft(x, axis=0)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / fs)
    return spec[np.abs(f - f0) < 1.0].sum(axis=0)


def test_physionet_folder_gives_task_classes_subjects_and_aligned_epochs(physionet):
    root, ann = physionet
    s = load_edf(root, picks="C3,Cz,C4")
    assert s.class_names == ["imagined left fist", "imagined right fist"]
    assert s.fs == FS and s.samples[0].shape == (640, 3)  # [0, 4) s at 160 Hz
    n_task = sum(d != "T0" for a in ann.values() for _, d in a)
    assert len(s.samples) == n_task
    assert sorted(set(s.groups)) == ["S001", "S002", "S003"]
    for subj in ("S001", "S002", "S003"):
        k = int(subj[1:])
        want = sorted(o for r in (4, 8) for o, d in ann[(k, r)] if d != "T0")
        assert sorted(np.round(s.sample_info["onset"][s.groups == subj], 3)) == pytest.approx(want, abs=1e-2)
    # the burst is on C3 for T1 (left) and on C4 for T2 (right): labels and windows are aligned
    p = np.array([_band_power(x, s.fs, BURST_HZ) for x in s.samples])
    left = s.labels == 0
    assert np.all(p[left, 0] > 5 * p[left, 2]) and np.all(p[~left, 2] > 5 * p[~left, 0])
    # an epoch starting 0.5 s before its cue has the Cz onset marker at sample 80
    early = load_edf(root, picks="C3,Cz,C4", tmin=-0.5, tmax=1.0)
    assert early.samples[0].shape == (240, 3)
    assert [int(np.argmax(x[:, 1] > 50e-6)) for x in early.samples] == [80] * len(early.samples)


def test_rest_filter_and_resample(tmp_path):
    write_run(tmp_path / "S001R04.edf", seed=1, line_noise=50e-6)
    plain = load_edf(tmp_path / "S001R04.edf", events="T0,T1,T2")
    assert plain.class_names == ["rest", "imagined left fist", "imagined right fist"]
    assert len(plain.samples) == 14
    # MNE's band-pass removes the 50-Hz line noise and keeps the 10-Hz burst of the left-fist epochs
    filt = load_edf(tmp_path / "S001R04.edf", events=["T0", "T1", "T2"], l_freq=5.0, h_freq=30.0)
    left = plain.labels == 1
    line = [np.mean([_band_power(x, FS, 50.0)[2] for x in ss.samples]) for ss in (plain, filt)]
    burst = [np.mean([_band_power(x, FS, BURST_HZ)[0] for x in np.array(ss.samples)[left]]) for ss in (plain, filt)]
    assert line[1] < 1e-3 * line[0] and burst[1] > 0.5 * burst[0]
    down = load_edf(tmp_path / "S001R04.edf", events="T0,T1,T2", l_freq=5.0, h_freq=30.0, fs=80.0)
    assert down.fs == 80.0 and down.samples[0].shape == (320, 3) and len(down.samples) == 14


def test_subjects_from_folders_and_files_and_named_classes(tmp_path):
    write_run(tmp_path / "alice" / "morning.edf", seed=1)
    write_run(tmp_path / "alice" / "evening.edf", seed=2)
    write_run(tmp_path / "bob.edf", seed=3)
    assert sorted({r[0] for r in find_recordings(tmp_path)}) == ["alice", "bob"]
    s = load_edf(tmp_path, events="T1=left,T2=right", tmin=0.5, tmax=2.5)
    assert s.class_names == ["left", "right"] and s.samples[0].shape == (320, 3)
    assert set(s.groups[s.sample_info["file"] == "evening.edf"]) == {"alice"}
    assert set(s.groups[s.sample_info["file"] == "bob.edf"]) == {"bob"}
    plain = load_edf(tmp_path / "bob.edf")
    assert plain.class_names == ["T1", "T2"]  # not an eegmmidb name: classes named by annotation


def test_runs_of_two_tasks_give_four_classes(tmp_path):
    write_run(tmp_path / "S001R04.edf", seed=1)
    write_run(tmp_path / "S001R06.edf", seed=2)
    s = load_edf(tmp_path)
    assert s.class_names == ["imagined left fist", "imagined right fist", "imagined both fists", "imagined both feet"]
    assert set(s.sample_info["run"][s.labels >= 2]) == {6}


def test_epochs_past_the_end_are_dropped(tmp_path):
    ann = write_run(tmp_path / "S001R04.edf", seed=1)
    s = load_edf(tmp_path, tmax=8.0)
    # a task cue whose 8-s window runs past the recording (last onset + 5 s) has no epoch
    n_fit = sum(d != "T0" and o + 8.0 <= ann[-1][0] + 5.0 for o, d in ann)
    assert len(s.samples) == n_fit and s.meta["epochs_dropped"] == sum(d != "T0" for _, d in ann) - n_fit


def test_bad_files_name_the_file(tmp_path):
    good = tmp_path / "S001R04.edf"
    write_run(good, seed=1)
    cut = tmp_path / "bad" / "S002R04.edf"
    cut.parent.mkdir()
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(DatasetError, match=r"S002R04\.edf is truncated"):
        load_edf(cut)
    junk = tmp_path / "junk" / "notes.edf"
    junk.parent.mkdir()
    junk.write_bytes(b"this is not an EDF file\n" * 20)
    with pytest.raises(DatasetError, match=r"notes\.edf"):
        load_edf(junk)
    with pytest.raises(DatasetError, match=r"no channel\(s\) \['Fp1'\]"):
        load_edf(good, picks="C3,Fp1")
    with pytest.raises(DatasetError, match="no annotation"):
        load_edf(good, events="T7,T8")
    with pytest.raises(DatasetError, match="no such file or folder"):
        load_edf(tmp_path / "nowhere")


def test_bdf_is_read_and_a_truncated_bdf_refused(tmp_path):
    ann = write_run(tmp_path / "S001R04.bdf", seed=1)
    s = load_edf(tmp_path / "S001R04.bdf")
    assert len(s.samples) == sum(d != "T0" for _, d in ann) and s.samples[0].shape == (640, 3)
    cut = tmp_path / "cut" / "S001R04.bdf"
    cut.parent.mkdir()
    cut.write_bytes((tmp_path / "S001R04.bdf").read_bytes()[:-3000])
    with pytest.raises(DatasetError, match=r"cut/S001R04\.bdf is truncated"):
        load_edf(cut.parent)


def test_different_rates_need_fs(tmp_path):
    write_run(tmp_path / "S001R04.edf", seed=1)
    write_run(tmp_path / "S002R04.edf", seed=2, fs=128.0)  # eegmmidb has a few 128-Hz subjects
    with pytest.raises(DatasetError, match="set fs="):
        load_edf(tmp_path)
    s = load_edf(tmp_path, fs=160.0)
    assert {x.shape for x in s.samples} == {(640, 3)}


def test_eegbci_fetch_path_is_wired(physionet, monkeypatch):
    """load_eegbci asks mne.datasets.eegbci.load_data (pooch, MNE's checksums) for the runs and
    reads what it returns; no network here, so load_data returns the files written above."""
    from mne.datasets import eegbci

    root, _ = physionet
    calls = []

    def fake_load_data(subjects, runs, *, path=None, update_path=None, **kw):
        calls.append((list(subjects), list(runs), path))
        return [root / f"S{s:03d}" / f"S{s:03d}R{r:02d}.edf" for s in subjects for r in runs]

    monkeypatch.setattr(eegbci, "load_data", fake_load_data)
    s = load_eegbci("1-2", runs=(4, 8), path="/cache")
    assert calls == [([1, 2], [4, 8], "/cache")]
    assert sorted(set(s.groups)) == ["S001", "S002"]
    assert s.class_names == ["imagined left fist", "imagined right fist"]
    assert parse_subjects("1-3,7") == [1, 2, 3, 7]
    with pytest.raises(DatasetError, match="outside 1..109"):
        parse_subjects("0-2")
