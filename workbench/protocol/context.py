"""What a protocol's run function gets besides its parameters: seed, backend, output, progress,
checkpoints and resume."""
from __future__ import annotations

import sys
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr
from tqdm.auto import tqdm

from .. import archive as _archive
from ..params import Params

__all__ = ["RunContext", "ResumeError", "stream_seed"]


def stream_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of the named stream of run seed ``seed`` (see :meth:`RunContext.stream`)."""
    return np.random.SeedSequence(int(seed), spawn_key=(zlib.crc32(name.encode()),))


class ResumeError(ValueError):
    """``--resume`` names an archive that cannot be continued (another protocol, configuration, seed
    or backend, or a finished run)."""


class HeartbeatBar(tqdm):
    """A tqdm bar that redraws itself every ``heartbeat`` seconds even when nothing updates it, so that its
    elapsed time moves while one long phase runs without counting (a slow run is told from a stuck one)."""

    def __init__(self, *args, heartbeat: float = 5.0, on_close=None, **kwargs):
        self._beat_stop = threading.Event()
        self._on_close = on_close
        super().__init__(*args, **kwargs)
        if not self.disable and heartbeat > 0:
            threading.Thread(target=self._beat, args=(float(heartbeat),), daemon=True,
                             name="progress-heartbeat").start()

    def _beat(self, period: float):
        while not self._beat_stop.wait(period):
            try:
                self.refresh()
            except Exception:  # the bar closed under us: stop beating
                return

    def close(self):
        self._beat_stop.set()
        callback, self._on_close = self._on_close, None   # once, however often the bar is closed
        super().close()
        if callback is not None:
            callback()


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


@dataclass
class RunContext:
    """What a protocol's run function gets besides its parameters."""

    protocol: str
    backend: str
    seed: int
    out: Path | None = None
    resume: Path | None = None
    progress: bool = True
    threads: int = 1
    checkpoint_attrs: dict = field(default_factory=dict)
    #: what the run's earlier segments (``--resume``) took: ``segments`` and ``wall_time_s``
    prior: dict = field(default_factory=lambda: {"segments": 0, "wall_time_s": 0.0})
    title: str | None = None
    started: float = field(default_factory=time.perf_counter)
    #: progress bars of this run open now (:meth:`progress_bar`); :meth:`heartbeat` speaks only while there are none
    open_bars: int = 0

    @property
    def segments(self) -> int:
        """The segments of the run so far, this one included (1 without ``--resume``)."""
        return int(self.prior["segments"]) + 1

    def total_wall(self) -> float:
        """Wall time of every segment of the run so far, this one up to now (s)."""
        return float(self.prior["wall_time_s"]) + (time.perf_counter() - self.started)

    def run_attrs(self) -> dict:
        """Provenance of how the run was made: threads, resumed, segments."""
        return {"threads": int(self.threads), "resumed": int(self.segments > 1), "segments": self.segments}

    @property
    def rng(self) -> np.random.Generator:
        """A fresh generator seeded with the run's seed (same seed, same numbers)."""
        return np.random.default_rng(self.seed)

    def stream(self, name: str) -> np.random.Generator:
        """An independent generator for one use (``'liquid'``, ``'folds'``, ...): a child of
        ``SeedSequence(seed)`` whose spawn key is derived from ``name``, so streams do not depend on
        the order in which they are asked for, and no two names share one."""
        return np.random.default_rng(stream_seed(self.seed, name))

    def progress_bar(self, total=None, desc: str = "", unit: str = "it"):
        """A progress bar on stderr (none with ``progress=False``) that redraws its elapsed time every few
        seconds; while it is open the run's :meth:`heartbeat` is silent."""
        self.open_bars += 1
        return HeartbeatBar(total=total, desc=desc, unit=unit, disable=not self.progress, file=sys.stderr,
                            dynamic_ncols=True, leave=False, on_close=self._bar_closed)

    def _bar_closed(self):
        self.open_bars -= 1

    @contextmanager
    def heartbeat(self, period: float = 30.0, file=None):
        """While the body runs, say every ``period`` seconds that the run goes on and for how long, whenever
        no progress bar of the run is open (a phase without a count: a standalone build, a protocol without
        bars, the crossbar deployment), so that a slow run is told from a stuck one.  Nothing with
        ``progress=False``, and nothing for runs shorter than ``period``."""
        stop = threading.Event()
        out = sys.stderr if file is None else file

        def beat():
            while not stop.wait(period):
                if self.open_bars == 0:
                    print(f"workbench run {self.protocol}: running, {_clock(self.total_wall())} elapsed "
                          "(this phase counts no progress)", file=out, flush=True)

        if self.progress and period > 0:
            threading.Thread(target=beat, daemon=True, name="run-heartbeat").start()
        try:
            yield
        finally:
            stop.set()

    def checkpoint(self, ds: xr.Dataset, params: Params, **state_attrs) -> Path | None:
        """Save a partial result to the output archive (atomically) so ``--resume`` can continue."""
        if self.out is None:
            return None
        ds = ds.copy()
        ds.attrs.update(
            _archive.provenance(protocol=self.protocol, config=params.to_dict(), config_hash=params.hash(),
                                seed=self.seed, backend=self.backend, wall_time=self.total_wall(), title=self.title)
        )
        ds.attrs.update(self.run_attrs())
        ds.attrs["status"] = "checkpoint"
        ds.attrs.update(state_attrs)
        return _archive.save(ds, self.out)

    def load_checkpoint(self, params: Params) -> xr.Dataset | None:
        """The checkpoint archive named by ``--resume``, checked against this run (``None`` without one).

        It must be a checkpoint (``status='checkpoint'``) of the same protocol, made with the same
        configuration, seed and backend; otherwise :class:`ResumeError` says what differs.
        """
        if self.resume is None:
            return None
        ds = _archive.open_archive(self.resume)
        where = f"--resume {self.resume}"
        if ds.attrs.get("protocol") != self.protocol:
            raise ResumeError(f"{where}: archive of protocol {ds.attrs.get('protocol')!r}, not {self.protocol!r}")
        cfg, mine = _archive.config_of(ds), params.to_dict()
        if cfg != mine:
            diff = sorted(k for k in set(cfg) | set(mine) if cfg.get(k) != mine.get(k))
            raise ResumeError(f"{where}: the configuration differs in {diff}; resume with the same --set values")
        if int(ds.attrs.get("seed", -1)) != self.seed or ds.attrs.get("backend") != self.backend:
            raise ResumeError(f"{where}: made with seed {ds.attrs.get('seed')} on {ds.attrs.get('backend')}; "
                              "resume with the same --seed and --backend")
        if ds.attrs.get("status") != "checkpoint":
            raise ResumeError(f"{where}: the archive is {ds.attrs.get('status')!r}, not a checkpoint "
                              "(nothing to resume)")
        wall = float(ds.attrs.get("wall_time_s", 0.0))
        self.prior = {"segments": int(ds.attrs.get("segments", 1)), "wall_time_s": wall if np.isfinite(wall) else 0.0}
        return ds
