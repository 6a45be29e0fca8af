"""Workers (npeval.workers): real interpreters, kept idle between jobs, reused only where they started alike."""

from __future__ import annotations

import os

import pytest

from npeval import workers


@pytest.fixture(autouse=True)
def no_idle_workers():
    """Each test starts and ends with no idle worker of an earlier one."""
    workers.end_idle()
    yield
    workers.end_idle()


def test_a_finished_worker_takes_the_next_job_and_has_imported_what_its_last_job_named():
    first = workers.start("os:getenv", "HOME", prepare=("colorsys",))
    assert workers.finish(first, "env") == os.getenv("HOME")
    again = workers.start("npeval.workers:imported", ["colorsys", "tabnanny"])
    assert again.process is first.process  # the same interpreter, not a fresh one
    assert workers.finish(again, "imports") == [True, False]


def test_a_worker_is_not_reused_where_the_environment_or_folder_changed(monkeypatch, tmp_path):
    first = workers.start("os.path:abspath", ".")
    assert workers.finish(first, "folder") == os.getcwd()
    monkeypatch.setenv("NPPC_CACHE_DIR", str(tmp_path / "cache"))  # a job may read it: a fresh worker
    other = workers.start("os:getenv", "NPPC_CACHE_DIR")
    assert other.process is not first.process and workers.finish(other, "env") == str(tmp_path / "cache")
    monkeypatch.chdir(tmp_path)  # a job's relative paths: a fresh worker again
    third = workers.start("os.path:abspath", ".")
    assert third.process not in (first.process, other.process) and workers.finish(third, "folder") == str(tmp_path)


def test_a_kept_worker_is_sent_its_next_job_and_is_no_one_elses_meanwhile():
    kept = workers.start("builtins:abs", -1)
    assert workers.finish(kept, "builtins:abs", keep=True) == 1
    other = workers.start("builtins:abs", -2)  # the kept worker is not idle: a fresh one
    assert other.process is not kept.process and workers.finish(other, "builtins:abs") == 2
    again = workers.send(kept, "builtins:abs", -3)
    assert again.process is kept.process and workers.finish(again, "builtins:abs", keep=True) == 3
    workers.release(again)
    assert workers.start("builtins:abs", -4).process is kept.process


def test_a_worker_that_died_is_said_and_never_reused(capsys):
    doomed = workers.start("os:_exit", 5)
    assert workers.finish(doomed, "exiting") is workers.FAILED
    assert "a worker failed (exit 5) on exiting" in capsys.readouterr().err
    fresh = workers.start("builtins:abs", -1)
    assert fresh.process is not doomed.process and workers.finish(fresh, "abs") == 1


def test_an_idle_worker_that_was_stopped_is_not_handed_out():
    worker = workers.start("builtins:abs", -1)
    workers.finish(worker, "abs")
    workers.stop(worker)
    assert worker.process.poll() is not None
    assert workers.start("builtins:abs", -1).process is not worker.process


def test_idle_workers_end_with_their_process():
    worker = workers.start("builtins:abs", -1, prepare=("json",))
    workers.finish(worker, "abs")
    assert worker.process.poll() is None  # idle, waiting for a job
    workers.end_idle()  # what exit does
    assert worker.process.poll() is not None


def test_idle_workers_of_another_environment_are_ended_not_kept(monkeypatch, tmp_path):
    old = workers.start("builtins:abs", -1)
    workers.finish(old, "abs")
    monkeypatch.setenv("NPPC_CACHE_DIR", str(tmp_path))
    new = workers.start("builtins:abs", -2)
    assert old.process.poll() is not None  # ended: it could never be given a job again
    assert workers.finish(new, "abs") == 2 and new.process.poll() is None
