"""Image classification data sets by name: ``digits``, ``fashion-mnist``, ``mnist``, ``idx:DIR``.

Every loader returns an :class:`ImageSet` (``uint8`` images of shape
``(n, rows, cols)`` with values 0-255, ``int64`` labels, and where they came
from).  Names accepted by :func:`load_images`:

``digits``
    scikit-learn's 8x8 handwritten digits (1797 images, shipped inside the
    scikit-learn wheel, so always available offline).  To fit networks built for
    MNIST (784 inputs, input rates of pixel/4 Hz, weight sums of 78), each 8x8
    image (values 0-16) is upsampled bilinearly to 20x20 and padded by 4 pixels
    on every side to 28x28 -- MNIST's own layout (digits size-normalised to a
    20x20 box, centred in 28x28) -- and scaled to 0-255.  ``upsample=False``
    keeps the 8x8 images (scaled to 0-255).  Split: the first 1347 images
    (75 %) train, the last 450 test.
``fashion-mnist``
    Zalando's Fashion-MNIST (60k train, 10k test, 28x28).  Read from
    ``$WORKBENCH_FASHION_MNIST`` or the Debian package ``dataset-fashion-mnist``
    (``/usr/share/datasets/fashion-mnist``), else from the cache, else downloaded
    from the canonical URL into the cache.  The Debian package recompresses the
    files, so the checksums are of the decompressed IDX bytes.
``mnist``
    LeCun, Cortes & Burges' MNIST (60k train, 10k test).  Read from
    ``$WORKBENCH_MNIST`` (a folder of IDX files), else from the cache, else
    downloaded (gzip files, SHA-256 checked) into the cache.
``idx:DIR``
    Any folder holding ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (each optionally
    ``.gz``; ``train-images.idx3-ubyte`` spellings are accepted too).  No
    checksums (the files are yours).

The cache is ``$WORKBENCH_DATA_CACHE`` or ``data/cache`` under the project
root; downloads go through :mod:`workbench.datasets.download` (pooch: retries, checksums,
atomic).  Errors (:class:`DatasetError`) name the file and the fix: missing files, wrong
checksums, malformed IDX headers or sizes.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.ndimage import zoom
from sklearn.datasets import load_digits as _sklearn_digits

from ..paths import cache_dir
from .download import fetch, fetch_from_mirrors
from .errors import DatasetError

__all__ = [
    "DatasetError",
    "ImageSet",
    "DATASETS",
    "load_images",
    "read_idx",
    "fetch",
    "cache_dir",
    "load_digits",
    "load_idx_dir",
]


@dataclass
class ImageSet:
    """Train and test images (uint8, 0-255, shape (n, rows, cols)) with integer labels."""

    name: str
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str = ""
    class_names: tuple = field(default_factory=lambda: tuple(str(i) for i in range(10)))

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.train_images.shape[1:])

    def __post_init__(self):
        for kind, im, lab in (("train", self.train_images, self.train_labels),
                              ("test", self.test_images, self.test_labels)):
            if im.ndim != 3 or im.dtype != np.uint8:
                raise DatasetError(f"{self.name}: {kind} images must be uint8 (n, rows, cols), got "
                                   f"{im.dtype} {im.shape}")
            if len(im) != len(lab):
                raise DatasetError(f"{self.name}: {len(im)} {kind} images but {len(lab)} labels")


#: IDX type codes (third byte of the magic number) -> numpy big-endian dtype.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")

_STEMS = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}

#: Canonical downloads.  ``sha256`` is of the downloaded (gzip) file where the
#: upstream file is fixed (MNIST); ``sha256_raw`` of the decompressed IDX bytes
#: (Fashion-MNIST, whose Debian package recompresses the same content).
SOURCES = {
    "mnist": {
        "urls": ("https://ossci-datasets.s3.amazonaws.com/mnist/",
                 "https://storage.googleapis.com/cvdf-datasets/mnist/"),
        "files": {
            "train_images": ("train-images-idx3-ubyte.gz",
                             {"sha256": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"}),
            "train_labels": ("train-labels-idx1-ubyte.gz",
                             {"sha256": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"}),
            "test_images": ("t10k-images-idx3-ubyte.gz",
                            {"sha256": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"}),
            "test_labels": ("t10k-labels-idx1-ubyte.gz",
                            {"sha256": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"}),
        },
    },
    "fashion-mnist": {
        "urls": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        "files": {
            "train_images": ("train-images-idx3-ubyte.gz",
                             {"sha256_raw": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"}),
            "train_labels": ("train-labels-idx1-ubyte.gz",
                             {"sha256_raw": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"}),
            "test_images": ("t10k-images-idx3-ubyte.gz",
                            {"sha256_raw": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"}),
            "test_labels": ("t10k-labels-idx1-ubyte.gz",
                            {"sha256_raw": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"}),
        },
    },
}

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


# ---------------------------------------------------------------------------- IDX

def _open_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
            fh.seek(0)
            if head == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=fh) as gz:
                    return gz.read()
            return fh.read()
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except (OSError, EOFError) as exc:
        raise DatasetError(f"{path}: cannot read it ({type(exc).__name__}: {exc}); "
                           "delete it and fetch it again") from None


def parse_idx(data: bytes, where: str = "<bytes>") -> np.ndarray:
    """Decode IDX bytes (big-endian header: 0, 0, type, ndim; ndim uint32 sizes; data)."""
    if len(data) < 4:
        raise DatasetError(f"{where}: malformed IDX file: {len(data)} bytes, too short for a header")
    zero, zero2, code, ndim = struct.unpack(">BBBB", data[:4])
    if zero != 0 or zero2 != 0 or code not in _IDX_TYPES or not 1 <= ndim <= 4:
        raise DatasetError(
            f"{where}: malformed IDX file: bad magic number {data[:4].hex()} (expected 0000 "
            f"then a type code in {sorted(hex(c) for c in _IDX_TYPES)} and 1-4 dimensions)")
    hdr = 4 + 4 * ndim
    if len(data) < hdr:
        raise DatasetError(f"{where}: malformed IDX file: truncated header")
    shape = struct.unpack(f">{ndim}I", data[4:hdr])
    dtype = np.dtype(_IDX_TYPES[code])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - hdr != expected:
        raise DatasetError(
            f"{where}: malformed IDX file: header says shape {shape} ({expected} data bytes) but the "
            f"file holds {len(data) - hdr} data bytes (truncated or corrupt download? delete it and "
            "fetch it again)")
    arr = np.frombuffer(data, dtype=dtype, offset=hdr).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def read_idx(path) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a numpy array; :class:`DatasetError` names the file."""
    path = Path(path)
    return parse_idx(_open_bytes(path), str(path))


def _find(folder: Path, key: str) -> Path:
    for stem in _STEMS[key]:
        for suffix in ("", ".gz"):
            p = folder / (stem + suffix)
            if p.is_file():
                return p
    raise DatasetError(
        f"{folder}: no {key.replace('_', ' ')} file (looked for {', '.join(s + '[.gz]' for s in _STEMS[key])})")


#: classes of the image sets (the Diehl & Cook vote and the confusion matrices read 0..9)
N_CLASSES = 10


def load_idx_dir(folder, name: str | None = None, checks: dict | None = None) -> ImageSet:
    """Load the four MNIST-format IDX files from ``folder``; ``checks`` maps key -> {'sha256_raw': hex}."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such folder of IDX files")
    arrays = {}
    for key in _STEMS:
        path = _find(folder, key)
        data = _open_bytes(path)
        want = (checks or {}).get(key, {}).get("sha256_raw")
        if want is not None:
            got = hashlib.sha256(data).hexdigest()
            if got != want:
                raise DatasetError(f"{path}: wrong checksum of the decompressed data (sha256 {got}, "
                                   f"expected {want}); delete it and fetch it again")
        arrays[key] = parse_idx(data, str(path))
    for kind in ("train", "test"):
        im, lab = arrays[f"{kind}_images"], arrays[f"{kind}_labels"]
        if im.ndim != 3:
            raise DatasetError(f"{_find(folder, kind + '_images')}: expected 3-d images (n, rows, cols), "
                               f"got shape {im.shape}")
        if lab.ndim != 1:
            raise DatasetError(f"{_find(folder, kind + '_labels')}: expected 1-d labels, got shape {lab.shape}")
        if len(im) != len(lab):
            raise DatasetError(f"{folder}: {len(im)} {kind} images but {len(lab)} {kind} labels")
        if im.dtype != np.uint8:
            raise DatasetError(f"{_find(folder, kind + '_images')}: expected unsigned bytes, got {im.dtype}")
        bad = (lab < 0) | (lab >= N_CLASSES)
        if np.any(bad):
            raise DatasetError(f"{_find(folder, kind + '_labels')}: {int(bad.sum())} labels outside 0..{N_CLASSES - 1} "
                               f"(e.g. {int(lab[bad][0])} at index {int(np.flatnonzero(bad)[0])}); the image "
                               f"protocols vote among {N_CLASSES} classes: give a folder of 10-class IDX files")
    return ImageSet(name or f"idx:{folder}", arrays["train_images"], arrays["train_labels"].astype(np.int64),
                    arrays["test_images"], arrays["test_labels"].astype(np.int64), source=str(folder))


# ---------------------------------------------------------------------------- download

def _cached_or_download(name: str, *, download: bool) -> Path:
    """The folder ``cache/NAME`` with every file of :data:`SOURCES` ``[name]``, downloaded (from the
    first mirror that serves it, SHA-256 checked where the source fixes one) if missing."""
    spec = SOURCES[name]
    folder = cache_dir() / name
    for fname, check in spec["files"].values():
        fetch_from_mirrors(fname, spec["urls"], folder, check.get("sha256"), download=download)
    return folder


# ---------------------------------------------------------------------------- named sets

def _upsample_digits(images8: np.ndarray, upsample: bool, gamma: float = 1.0) -> np.ndarray:
    x = np.asarray(images8, dtype=float) / 16.0
    if upsample:
        x = np.stack([zoom(im, 2.5, order=1, mode="nearest", grid_mode=True) for im in x])
        x = np.clip(x, 0, 1)
        x = np.pad(x, ((0, 0), (4, 4), (4, 4)))
    if gamma != 1.0:
        x = x ** gamma
    return np.round(x * 255).astype(np.uint8)


def load_digits(upsample: bool = True, n_train: int = 1347, gamma: float = 1.0) -> ImageSet:
    """scikit-learn's 8x8 digits, as 28x28 MNIST-like images (see module docs).

    ``gamma`` > 1 maps intensities x (0-1) to x**gamma before scaling to 0-255, which thins the
    blurred strokes of the upsampled images (name ``digits-gammaG``).
    """
    d = _sklearn_digits()
    images = _upsample_digits(d.images, upsample, gamma)
    labels = d.target.astype(np.int64)
    src = "sklearn.datasets.load_digits" + (" (bilinear 8x8->20x20, padded to 28x28)" if upsample else " (8x8)")
    if gamma != 1.0:
        src += f", intensity**{gamma:g}"
    return ImageSet("digits" if gamma == 1.0 else f"digits-gamma{gamma:g}", images[:n_train], labels[:n_train],
                    images[n_train:], labels[n_train:], source=src)


def _load_fashion(download: bool = True) -> ImageSet:
    checks = {k: c for k, (_, c) in SOURCES["fashion-mnist"]["files"].items()}
    env = os.environ.get("WORKBENCH_FASHION_MNIST")
    folders = [Path(env)] if env else []
    folders.append(DEBIAN_FASHION_MNIST)
    for folder in folders:
        if folder.is_dir():
            s = load_idx_dir(folder, "fashion-mnist", checks)
            s.class_names = FASHION_CLASSES
            return s
    folder = _cached_or_download("fashion-mnist", download=download)
    s = load_idx_dir(folder, "fashion-mnist", checks)
    s.class_names = FASHION_CLASSES
    return s


def _load_mnist(download: bool = True) -> ImageSet:
    env = os.environ.get("WORKBENCH_MNIST")
    if env:
        return load_idx_dir(Path(env), "mnist")
    folder = _cached_or_download("mnist", download=download)
    return load_idx_dir(folder, "mnist")


DATASETS = {
    "digits": "scikit-learn 8x8 digits upsampled to 28x28 (embedded, offline)",
    "fashion-mnist": "Fashion-MNIST (Debian dataset-fashion-mnist, cache, or download)",
    "mnist": "MNIST (cache or download with SHA-256 checks; $WORKBENCH_MNIST for a local folder)",
    "idx:DIR": "any folder of MNIST-format IDX files (gzipped or not)",
}


def load_images(name: str, *, download: bool = True) -> ImageSet:
    """Load a data set by name (see module docs); raises :class:`DatasetError` with the fix."""
    key = name.strip()
    if key.lower().startswith("idx:"):
        folder = key[4:]
        if not folder:
            raise DatasetError("idx:DIR needs a folder, e.g. idx:/data/mnist")
        return load_idx_dir(Path(folder).expanduser())
    low = key.lower().replace("_", "-")
    if low == "digits":
        return load_digits()
    if low.startswith("digits-gamma"):
        try:
            gamma = float(low[len("digits-gamma"):])
        except ValueError:
            raise DatasetError(f"{name!r}: expected digits-gammaG with a number G, e.g. digits-gamma2") from None
        if not 0 < gamma <= 10:
            raise DatasetError(f"{name!r}: gamma must be in (0, 10]")
        return load_digits(gamma=gamma)
    if low in ("fashion-mnist", "fashionmnist", "fmnist"):
        return _load_fashion(download=download)
    if low == "mnist":
        return _load_mnist(download=download)
    raise DatasetError(f"unknown data set {name!r}; valid: {', '.join(DATASETS)}")
