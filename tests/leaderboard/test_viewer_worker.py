"""The site's sample viewer written in a worker (its own module: test_viewer.py shrinks the viewer's chunk sizes
for its module, which a worker's fresh interpreter would not see)."""


def test_the_sites_viewer_written_in_a_worker_is_the_one_written_here(stores, tmp_path, monkeypatch, capsys,
                                                                     workers_for_any_board):
    """On a big board the site's sample viewer is written by a worker while the analysis runs; its files are
    the ones the build writes itself (here forced for a small board, with one build clock for both)."""
    from leaderboard import viewer

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    started = viewer.start_site_viewer(stores, tmp_path / "worker")
    assert started is not None
    in_worker = viewer.finish_site_viewer(started, stores, tmp_path / "worker")
    assert "worker failed" not in capsys.readouterr().err  # the worker wrote it, not the fallback
    here = viewer.finish_site_viewer(None, stores, tmp_path / "here")
    assert (in_worker.records, in_worker.files) == (here.records, here.files) and here.records > 0
    worker_files = sorted(p.relative_to(tmp_path / "worker") for p in (tmp_path / "worker").rglob("*") if p.is_file())
    here_files = sorted(p.relative_to(tmp_path / "here") for p in (tmp_path / "here").rglob("*") if p.is_file())
    assert worker_files == here_files
    for relative in here_files:
        assert (tmp_path / "worker" / relative).read_bytes() == (tmp_path / "here" / relative).read_bytes()
