"""Data set loaders: images (:mod:`~workbench.datasets.images`: digits, MNIST, Fashion-MNIST, IDX
folders) and labelled physiological time series (:mod:`~workbench.datasets.biosignal`: MIT-BIH,
UCR/UEA, aeon sets, synthetic ECG).  Downloads go through :mod:`~workbench.datasets.download`
(pooch: checksums, cache, retries); every loader raises :class:`DatasetError` naming the file and
the fix."""
from .errors import DatasetError
from .images import DATASETS, ImageSet, load_images, read_idx

__all__ = ["DATASETS", "DatasetError", "ImageSet", "load_images", "read_idx"]
