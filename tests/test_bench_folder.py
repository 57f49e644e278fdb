"""The benches' hub folders (tests/support/hub.py `bench_folder`): about 0.5 GB each, gone when a bench ends."""

from __future__ import annotations

import shutil

import pytest

from tests.support.hub import bench_folder


def test_the_folder_is_removed_when_the_bench_is_done():
    with bench_folder("kit-test-") as folder:
        (folder / "venv").mkdir()
        (folder / "venv" / "file").write_text("x")
    assert not folder.exists()


def test_the_folder_is_kept_and_named_when_the_bench_fails(capsys):
    with pytest.raises(RuntimeError), bench_folder("kit-test-") as folder:
        raise RuntimeError("the hub did not start")
    try:
        assert folder.is_dir()
        assert str(folder) in capsys.readouterr().err
    finally:
        shutil.rmtree(folder)
