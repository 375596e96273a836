"""Data set loaders (images for now; see :mod:`workbench.datasets.images`)."""
from .images import DATASETS, DatasetError, ImageSet, load_images, read_idx

__all__ = ["DATASETS", "DatasetError", "ImageSet", "load_images", "read_idx"]
