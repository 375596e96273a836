"""Biosignal loaders: MIT-BIH record 100 (and its download), UCR/UEA text and .ts files, aeon, errors."""
import hashlib
import shutil

import numpy as np
import pytest
from local_http import serve

from workbench.datasets import download as dl
from workbench.datasets import mitdb
from workbench.datasets.biosignal import DatasetError, load_signals, read_ts_file


def test_mitdb_record_100(mitdb_dir):
    s = load_signals(f"mitdb:{mitdb_dir}")
    assert s.fs == 360.0 and s.class_names == ["N", "S"]  # V has one beat only
    counts = s.class_counts()
    assert counts["N"] > 2200 and 30 <= counts["S"] <= 33
    assert s.samples[0].shape == (360, 1)
    # record-wise time split: every training beat precedes every test beat
    assert s.train.max() < s.test.min() and len(s.train) == len(s.test)
    # the window is centred on the R peak: the largest |value| near the middle for most N beats
    mid = np.mean([abs(np.argmax(np.abs(x[:, 0])) - 180) < 30 for x in s.samples[:200]])
    assert mid > 0.9


def test_mitdb_errors(mitdb_dir, tmp_path):
    with pytest.raises(DatasetError, match=r"class\(es\) \['F'\] have no beats"):
        load_signals(f"mitdb:{mitdb_dir}", classes=["N", "F"])
    with pytest.raises(DatasetError, match="interpatient"):
        load_signals(f"mitdb:{mitdb_dir}", split="interpatient")
    (tmp_path / "999.hea").write_text("this is not a header\n")
    with pytest.raises(DatasetError, match="999"):
        load_signals(f"mitdb:{tmp_path}")
    with pytest.raises(DatasetError, match="no such folder"):
        load_signals(f"mitdb:{tmp_path / 'nope'}")


def test_mitdb_download_path(mitdb_dir, tmp_path, monkeypatch):
    """mitdb:download fetches every record PhysioNet's SHA256SUMS.txt lists (here a local mirror over
    HTTP holding record 100), checks each file, and names the one whose checksum differs."""
    monkeypatch.setattr(dl, "RETRIES", 0)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for ext in ("hea", "dat", "atr"):
        shutil.copy(mitdb_dir / f"100.{ext}", mirror / f"100.{ext}")
    sums = "".join(f"{hashlib.sha256((mirror / f'100.{e}').read_bytes()).hexdigest()}  100.{e}\n"
                   for e in ("hea", "dat", "atr"))
    (mirror / "SHA256SUMS.txt").write_text(sums + "0123  mitdbdir/intro.htm\n")
    with serve(mirror) as url:
        monkeypatch.setattr(mitdb, "MITDB_URL", url)
        monkeypatch.setenv("WORKBENCH_DATA_CACHE", str(tmp_path / "cache"))
        s = load_signals("mitdb:download")
        assert len(s.samples) > 2000 and s.meta["records"] == "100"
        assert sorted(p.name for p in (tmp_path / "cache" / "mitdb").iterdir()) == [
            "100.atr", "100.dat", "100.hea", "SHA256SUMS.txt"]
        # a download whose checksum differs is named, and nothing is kept of it
        (mirror / "SHA256SUMS.txt").write_text(sums.replace(sums[:8], "00000000", 1))
        monkeypatch.setenv("WORKBENCH_DATA_CACHE", str(tmp_path / "cache2"))
        with pytest.raises(DatasetError, match="100.hea: wrong checksum.*physionet.org/content/mitdb"):
            load_signals("mitdb:download")
        assert not (tmp_path / "cache2" / "mitdb" / "100.hea").exists()
        with pytest.raises(DatasetError, match=r"record\(s\) \['101'\] not in"):
            mitdb.download_mitdb(tmp_path / "cache3", records=[101])


def _rows(rng, n=12, length=20):
    y = np.repeat([1, 2], n // 2)
    X = rng.normal(size=(n, length)) + y[:, None]
    return X, y


@pytest.mark.parametrize("sep,ext", [("\t", "tsv"), (",", "csv"), ("  ", "txt")])
def test_ucr_text_formats_and_pair(tmp_path, sep, ext):
    rng = np.random.default_rng(0)
    for part in ("TRAIN", "TEST"):
        X, y = _rows(rng)
        lines = [sep.join([f"{float(lab):.7e}"] + [f"{v:.5f}" for v in row]) for lab, row in zip(y, X)]
        (tmp_path / f"Toy_{part}.{ext}").write_text("\n".join(lines) + "\n")
    s = load_signals(f"ucr:{tmp_path / f'Toy_TRAIN.{ext}'}", fs=100.0)
    assert s.name == "Toy" and s.class_names == ["1", "2"]
    assert len(s.train) == 12 and len(s.test) == 12 and s.samples[0].shape == (20, 1)
    single = tmp_path / f"Toy_TEST.{ext}"
    s2 = load_signals(f"ucr:{single}", sample_duration=0.5)
    assert s2.fs == pytest.approx(40.0) and "sample_duration=0.5 s" in s2.meta["fs_from"]
    assert not s2.has_split


def test_ts_format_multivariate_unequal(tmp_path):
    text = """# comment
@problemName toy
@timeStamps false
@univariate false
@equalLength false
@classLabel true a b
@data
1,2,3,4:5,6,7,8:a
1,2,3:4,5,6:b
0.5,?,1.5,2:1,1,1,1:a
"""
    p = tmp_path / "toy.ts"
    p.write_text(text)
    s = load_signals(f"ucr:{p}", fs=1.0)
    assert s.n_channels == 2 and [len(x) for x in s.samples] == [4, 3, 4]
    assert s.samples[2][1, 0] == pytest.approx(1.0)  # '?' interpolated
    assert list(s.labels) == [0, 1, 0]


@pytest.mark.parametrize("body, fragment", [
    ("@problemName x\n@classLabel true a b\n", "no @data line"),
    ("1,2,3:a\n@data\n1,2:a\n", "line 1: data before the @data line"),
    ("@problemName x\n@timeStamps true\n@classLabel true a b\n@data\n(0,1),(1,2):a\n", "line 5: timestamped"),
    ("@problemName x\n@classLabel false\n@data\n1,2,3\n", "unlabelled data cannot be classified"),
    ("@problemName x\n@classLabel true a b\n@data\n1,2,3\n", "line 4: no class label after the values"),
    ("@problemName x\n@classLabel true a b\n@data\n", "no cases after @data"),
    ("@problemName x\n@classLabel true a b\n@data\n1,x,3:a\n", "cannot read it as a .ts file"),
    ("@problemName x\n@classLabel true a b\n@data\n1,2,3:a\n1,2:b\n", "@equalLength false"),
])
def test_ts_errors_name_the_file_and_the_fix(tmp_path, body, fragment):
    p = tmp_path / "bad.ts"
    p.write_text(body)
    with pytest.raises(DatasetError, match=f"ts: .*bad.ts.*{fragment}"):
        read_ts_file(p)


def test_ts_labels_keep_their_case(tmp_path):
    p = tmp_path / "case.ts"
    p.write_text("@problemName x\n@classLabel true Walking Running\n@data\n1,2,3:Walking\n4,5,6:Running\n")
    samples, labels = read_ts_file(p)
    assert labels == ["Walking", "Running"] and samples[1][:, 0].tolist() == [4.0, 5.0, 6.0]


def test_ucr_bad_files(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello world\n")
    with pytest.raises(DatasetError, match="notes.txt"):
        load_signals(f"ucr:{p}")
    b = tmp_path / "blob.tsv"
    b.write_bytes(b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(DatasetError, match="blob.tsv"):
        load_signals(f"ucr:{b}")
    one = tmp_path / "one.tsv"
    one.write_text("1\t0.1\t0.2\n1\t0.3\t0.4\n")
    with pytest.raises(DatasetError, match="only one class"):
        load_signals(f"ucr:{one}")
    two = tmp_path / "two.tsv"
    two.write_text("1\t0.1\t0.2\n2\t0.3\t0.4\n")
    with pytest.raises(DatasetError, match="two.tsv: UCR files carry no sampling rate; give .*fs_data"):
        load_signals(f"ucr:{two}")  # never one value per second silently (issue 15)
    with pytest.raises(DatasetError, match="unknown data set"):
        load_signals("foo:bar")


def test_aeon_japanese_vowels_split():
    s = load_signals("aeon:JapaneseVowels")
    assert len(s.train) == 270 and len(s.test) == 370 and s.n_channels == 12 and len(s.class_names) == 9
    with pytest.raises(DatasetError, match="unknown"):
        load_signals("aeon:Nope")


def test_synthetic_ecg_classes():
    s = load_signals("synthetic-ecg", n_per_class=2, fs=200.0)
    assert len(s.samples) == 6 and s.samples[0].shape == (200, 1) and len(s.class_names) == 3
