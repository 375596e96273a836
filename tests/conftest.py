"""Shared test set-up: quiet Brian2 logging, a project-local standalone build cache, data paths."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Real data shared beside the checkout (never copied into the project); tests skip without it.
SHARED_DATA = ROOT.parent / "shared" / "data"

os.environ.setdefault("WORKBENCH_BUILD_DIR", str(ROOT / ".workbench_builds"))
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _brian_state():
    """Every test starts on the runtime device with default prefs and clock."""
    from brian2 import defaultclock, ms, prefs, set_device

    prefs.logging.console_log_level = "WARNING"
    set_device("runtime")
    prefs.codegen.target = "numpy"
    defaultclock.dt = 0.1 * ms
    yield


@pytest.fixture
def mitdb_dir():
    d = SHARED_DATA / "mitdb"
    if not (d / "100.hea").exists():
        pytest.skip(f"MIT-BIH record 100 not found in {d}")
    return d
