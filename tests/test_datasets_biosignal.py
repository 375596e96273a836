"""Biosignal loaders: MIT-BIH record 100, UCR/UEA text and .ts files, aeon, errors."""
import shutil

import numpy as np
import pytest

from workbench.datasets.biosignal import DatasetError, load_signals


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
    import hashlib

    import wfdb

    from workbench.datasets import biosignal as bs

    calls = []
    sums = "".join(f"{hashlib.sha256((mitdb_dir / f'100.{e}').read_bytes()).hexdigest()}  100.{e}\n"
                   for e in ("hea", "dat", "atr"))

    def fake_fetch(url, dest):
        assert url == bs.MITDB_SHA256_URL
        dest.write_text(sums)
        return dest

    def fake_dl(db, dl_dir, records="all", annotators=None, **kw):
        calls.append((db, dl_dir))
        for ext in ("hea", "dat", "atr"):
            shutil.copy(mitdb_dir / f"100.{ext}", f"{dl_dir}/100.{ext}")

    monkeypatch.setattr(wfdb, "dl_database", fake_dl)
    monkeypatch.setattr(bs, "_fetch", fake_fetch)
    monkeypatch.setenv("WORKBENCH_DATA_CACHE", str(tmp_path))
    s = load_signals("mitdb:download")
    assert calls and calls[0][0] == "mitdb" and len(s.samples) > 2000
    # a corrupted file is named
    sums = sums.replace(sums[:8], "00000000", 1)
    with pytest.raises(DatasetError, match="100.hea"):
        load_signals("mitdb:download")


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
    s = load_signals(f"ucr:{tmp_path / f'Toy_TRAIN.{ext}'}")
    assert s.name == "Toy" and s.class_names == ["1", "2"]
    assert len(s.train) == 12 and len(s.test) == 12 and s.samples[0].shape == (20, 1)
    single = tmp_path / f"Toy_TEST.{ext}"
    s2 = load_signals(f"ucr:{single}")
    assert not s2.has_split


def test_ts_format_multivariate_unequal(tmp_path):
    text = """# comment
@problemName toy
@timeStamps false
@univariate false
@classLabel true a b
@data
1,2,3,4:5,6,7,8:a
1,2,3:4,5,6:b
0.5,?,1.5,2:1,1,1,1:a
"""
    p = tmp_path / "toy.ts"
    p.write_text(text)
    s = load_signals(f"ucr:{p}")
    assert s.n_channels == 2 and [len(x) for x in s.samples] == [4, 3, 4]
    assert s.samples[2][1, 0] == pytest.approx(1.0)  # '?' interpolated
    assert list(s.labels) == [0, 1, 0]


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
