"""Archive provenance is cheap per archive: the git state is cached per process (and invalidated
by commits, staging and age), and a save costs one fsync of the file and one of its folder."""
import os
import shutil
import subprocess

import numpy as np
import pytest
import xarray as xr

from workbench import archive

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@x")
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout.strip()


def _ds():
    ds = xr.Dataset({"rate": ("neuron", np.arange(3.0), {"units": "Hz", "long_name": "firing rate"})})
    ds.attrs.update(archive.provenance(protocol="demo", config={"a": 1}, config_hash="abc", seed=0,
                                       backend="numpy"))
    return ds


@pytest.fixture
def repo(tmp_path):
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "model.py").write_text("tau = 10\n")
    _git(tmp_path, "add", "model.py")
    _git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


@pytest.fixture
def git_calls(monkeypatch):
    calls = []
    real = subprocess.run

    def counting(cmd, *a, **k):
        if cmd and cmd[0] == "git":
            calls.append(cmd)
        return real(cmd, *a, **k)

    monkeypatch.setattr(archive.subprocess, "run", counting)
    return calls


def test_git_commit_is_computed_once_then_cached(repo, git_calls):
    head = _git(repo, "rev-parse", "HEAD")
    before = len(git_calls)
    assert archive.git_commit(repo) == head
    n = len(git_calls)
    assert n - before == 2  # rev-parse and status
    for _ in range(5):
        assert archive.git_commit(repo) == head
    assert len(git_calls) == n  # cached: no more git processes
    # the dirty check never takes .git/index.lock (people commit in the same checkout)
    assert any("--no-optional-locks" in c for c in git_calls)


def test_a_commit_or_staging_invalidates_the_cache_at_once(repo, git_calls):
    first = archive.git_commit(repo)
    (repo / "model.py").write_text("tau = 20\n")
    _git(repo, "add", "model.py")  # the index changes: re-checked now, not after the cache's age
    assert archive.git_commit(repo) == first + "-dirty"
    _git(repo, "commit", "-q", "-m", "second")
    second = archive.git_commit(repo)
    assert second == _git(repo, "rev-parse", "HEAD") and second != first


def test_unstaged_edits_show_up_when_the_cache_expires(repo, git_calls, monkeypatch):
    clean = archive.git_commit(repo)
    (repo / "model.py").write_text("tau = 30\n")  # not staged: index, HEAD and refs unchanged
    assert archive.git_commit(repo) == clean  # within the cache's age
    assert archive.git_commit(repo, max_age=0) == clean + "-dirty"
    monkeypatch.setattr(archive, "GIT_CACHE_SECONDS", 0.0)
    (repo / "model.py").write_text("tau = 10\n")
    assert archive.git_commit(repo) == clean


def test_outside_a_repository_it_is_unknown(tmp_path):
    assert archive.git_commit(tmp_path, max_age=0) == "unknown"


def test_save_fsyncs_the_file_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", os.path.basename(dst)))
        return real_replace(src, dst)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to name the fsynced file")
    monkeypatch.setattr(archive.os, "fsync", fsync)
    monkeypatch.setattr(archive.os, "replace", replace)
    archive.save(_ds(), tmp_path / "run.nc")
    kinds = [e[0] for e in events]
    assert kinds == ["fsync", "replace", "fsync"], events
    assert events[0][1].startswith(".run.nc.") and events[0][1].endswith(".tmp")  # the temporary file
    assert events[1][1] == "run.nc" and events[2][1] == tmp_path.name  # then the folder
