"""Image data set loaders: IDX parsing, errors that name the file, checksummed downloads, named sets."""
import gzip
import hashlib
import struct

import numpy as np
import pytest
from local_http import serve

from workbench.datasets import DatasetError, load_images, read_idx
from workbench.datasets import download as dl
from workbench.datasets import images as im


def idx_bytes(arr: np.ndarray) -> bytes:
    code = {np.dtype("uint8"): 0x08, np.dtype("int32"): 0x0C}[arr.dtype]
    head = struct.pack(">BBBB", 0, 0, code, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write_idx_dir(folder, n_train=6, n_test=4, gz=True, rows=28, cols=28):
    rng = np.random.default_rng(0)
    files = {}
    parts = {"train-images-idx3-ubyte": rng.integers(0, 256, (n_train, rows, cols), dtype=np.uint8),
             "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
             "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, rows, cols), dtype=np.uint8),
             "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8)}
    folder.mkdir(parents=True, exist_ok=True)
    for stem, arr in parts.items():
        data = idx_bytes(arr)
        name = stem + (".gz" if gz else "")
        (folder / name).write_bytes(gzip.compress(data) if gz else data)
        files[stem] = (name, arr)
    return files


@pytest.mark.parametrize("gz", [True, False])
def test_idx_round_trip(tmp_path, gz):
    files = write_idx_dir(tmp_path, gz=gz)
    name, arr = files["train-images-idx3-ubyte"]
    got = read_idx(tmp_path / name)
    assert got.dtype == np.uint8 and got.shape == arr.shape
    np.testing.assert_array_equal(got, arr)
    s = load_images(f"idx:{tmp_path}")
    assert s.train_images.shape == (6, 28, 28) and s.test_images.shape == (4, 28, 28)
    np.testing.assert_array_equal(s.test_labels, files["t10k-labels-idx1-ubyte"][1])


def test_idx_int32_big_endian(tmp_path):
    arr = np.array([[1, -2], [300000, 4]], dtype=np.int32)
    (tmp_path / "x.idx").write_bytes(idx_bytes(arr))
    np.testing.assert_array_equal(read_idx(tmp_path / "x.idx"), arr)


def test_malformed_idx_names_the_file(tmp_path):
    bad = tmp_path / "bad-magic"
    bad.write_bytes(b"\x01\x02\x08\x01" + b"\x00" * 8)
    with pytest.raises(DatasetError, match="bad-magic.*malformed IDX.*magic"):
        read_idx(bad)
    arr = np.zeros((3, 2, 2), np.uint8)
    short = tmp_path / "truncated.gz"
    short.write_bytes(gzip.compress(idx_bytes(arr)[:-3]))
    with pytest.raises(DatasetError, match="truncated.gz.*shape \\(3, 2, 2\\)"):
        read_idx(short)
    with pytest.raises(DatasetError, match="nope.*no such file"):
        read_idx(tmp_path / "nope")


def test_missing_file_in_idx_dir(tmp_path):
    write_idx_dir(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match="no test labels file.*t10k-labels-idx1-ubyte"):
        load_images(f"idx:{tmp_path}")
    with pytest.raises(DatasetError, match="no such folder"):
        load_images(f"idx:{tmp_path / 'missing'}")


def test_label_count_mismatch(tmp_path):
    write_idx_dir(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(5, np.uint8))))
    with pytest.raises(DatasetError, match="6 train images but 5 train labels"):
        load_images(f"idx:{tmp_path}")


def test_digits_embedded():
    s = load_images("digits")
    assert s.train_images.shape == (1347, 28, 28) and s.test_images.shape == (450, 28, 28)
    assert s.train_images.dtype == np.uint8 and s.train_images.max() == 255
    # MNIST layout: a 4-pixel empty border around the 20x20 digit box
    assert s.train_images[:, :4].max() == 0 and s.train_images[:, :, -4:].max() == 0
    assert set(np.unique(s.train_labels)) == set(range(10))
    small = im.load_digits(upsample=False)
    assert small.train_images.shape == (1347, 8, 8)


def test_unknown_name():
    with pytest.raises(DatasetError, match="unknown data set 'cifar'.*digits"):
        load_images("cifar")


def test_fetch_checks_sha256(tmp_path, monkeypatch):
    """Downloads over HTTP (a local server): checked, atomic, cached, and errors that name the file."""
    monkeypatch.setattr(dl, "RETRIES", 0)
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "src.bin").write_bytes(b"hello idx")
    good = hashlib.sha256(b"hello idx").hexdigest()
    cache = tmp_path / "cache"
    with serve(tmp_path / "mirror") as url:
        dest = im.fetch(url + "src.bin", cache / "f.bin", good)
        assert dest.read_bytes() == b"hello idx"
        with pytest.raises(DatasetError, match="g.bin: wrong checksum of the download.*nothing was saved"):
            im.fetch(url + "src.bin", cache / "g.bin", "0" * 64)
        assert not (cache / "g.bin").exists() and sorted(p.name for p in cache.iterdir()) == ["f.bin"]
        with pytest.raises(DatasetError, match="h.bin: download from .*absent.bin failed"):
            im.fetch(url + "absent.bin", cache / "h.bin", None)
        # a file already in the cache is checked, not downloaded again
        (cache / "f.bin").write_bytes(b"tampered")
        with pytest.raises(DatasetError, match="f.bin: wrong checksum.*delete it"):
            im.fetch(url + "src.bin", cache / "f.bin", good)


def test_mnist_download_path_into_cache(tmp_path, monkeypatch):
    """The 'mnist' name downloads into the cache with checksums (from a local mirror over HTTP; the
    first mirror is down, so the second serves)."""
    monkeypatch.setattr(dl, "RETRIES", 0)
    mirror = tmp_path / "mirror"
    files = write_idx_dir(mirror)
    monkeypatch.setenv("WORKBENCH_DATA_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("WORKBENCH_MNIST", raising=False)
    with serve(mirror) as url:
        spec = {"urls": (url + "down/", url), "files": {}}
        for key, stem in (("train_images", "train-images-idx3-ubyte"), ("train_labels", "train-labels-idx1-ubyte"),
                          ("test_images", "t10k-images-idx3-ubyte"), ("test_labels", "t10k-labels-idx1-ubyte")):
            name = files[stem][0]
            spec["files"][key] = (name, {"sha256": hashlib.sha256((mirror / name).read_bytes()).hexdigest()})
        monkeypatch.setitem(im.SOURCES, "mnist", spec)
        s = load_images("mnist")
        np.testing.assert_array_equal(s.train_images, files["train-images-idx3-ubyte"][1])
        assert (tmp_path / "cache" / "mnist" / "train-images-idx3-ubyte.gz").is_file()
        # a corrupted cached file is detected and named
        cached = tmp_path / "cache" / "mnist" / "t10k-labels-idx1-ubyte.gz"
        cached.write_bytes(b"garbage")
        with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte.gz: wrong checksum"):
            load_images("mnist")
    # no download allowed and nothing cached: a clear error
    monkeypatch.setenv("WORKBENCH_DATA_CACHE", str(tmp_path / "empty"))
    with pytest.raises(DatasetError, match="not found and downloads are off"):
        im._load_mnist(download=False)


def test_fashion_checksum_of_decompressed_data(tmp_path, monkeypatch):
    write_idx_dir(tmp_path / "fm")
    monkeypatch.setenv("WORKBENCH_FASHION_MNIST", str(tmp_path / "fm"))
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.gz: wrong checksum of the decompressed"):
        load_images("fashion-mnist")


def test_fashion_mnist_debian():
    if not (im.DEBIAN_FASHION_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("Debian package dataset-fashion-mnist is not installed")
    s = load_images("fashion-mnist")
    assert s.train_images.shape == (60000, 28, 28) and s.test_images.shape == (10000, 28, 28)
    assert s.class_names[9] == "Ankle boot"
