"""The learner's copy of the learner edition, and the kit's culling settings on a server that has its own."""

from __future__ import annotations

import pytest
from traitlets import Bool, Integer
from traitlets.config import Config, Configurable

from workshop.edition import COPY_NAME, ENV_EDITION, EditionError, edition_folder, move_aside, provide
from workshop.settings import KERNEL_CULLING, apply_kernel_culling


@pytest.fixture
def edition(tmp_path):
    folder = tmp_path / "edition"
    (folder / "notebooks").mkdir(parents=True)
    (folder / "notebooks" / "00-index.ipynb").write_text("{}")
    return folder


def test_the_edition_is_copied_once_and_a_learners_copy_is_never_overwritten(tmp_path, edition):
    home = tmp_path / "home"
    home.mkdir()
    first = provide(home, edition)
    assert first.made and (home / COPY_NAME / "notebooks" / "00-index.ipynb").read_text() == "{}"
    (home / COPY_NAME / "notebooks" / "00-index.ipynb").write_text("the learner's edits")
    again = provide(home, edition)
    assert not again.made and (home / COPY_NAME / "notebooks" / "00-index.ipynb").read_text() == "the learner's edits"
    assert sorted(path.name for path in home.iterdir()) == [COPY_NAME]  # no partial copy left behind


def test_a_folder_that_is_no_edition_says_how_to_make_one(tmp_path, edition):
    assert edition_folder({}) is None
    assert edition_folder({ENV_EDITION: str(edition)}) == edition
    with pytest.raises(EditionError, match="tools.learner_edition"):
        edition_folder({ENV_EDITION: str(edition / "notebooks")})


def test_moving_aside_keeps_everything_under_a_new_name(tmp_path):
    folder = tmp_path / "pkce-kit"
    folder.mkdir()
    (folder / "work.ipynb").write_text("mine")
    first = move_aside(folder, "20261202-0900")
    folder.mkdir()
    second = move_aside(folder, "20261202-0900")
    assert first.name == "pkce-kit.reset-20261202-0900" and second.name == "pkce-kit.reset-20261202-0900-2"
    assert (first / "work.ipynb").read_text() == "mine" and move_aside(folder) is None


class KernelManager(Configurable):
    """Jupyter's kernel manager's culling traits, with its defaults, configurable the same way."""

    cull_idle_timeout = Integer(0).tag(config=True)
    cull_interval = Integer(300).tag(config=True)
    cull_connected = Bool(False).tag(config=True)
    cull_busy = Bool(False).tag(config=True)


class AsyncKernelManager(KernelManager):
    pass


def test_the_kits_culling_fills_in_what_the_servers_config_does_not_say():
    config = Config()
    config.KernelManager.cull_idle_timeout = 30  # the server's own, on a parent class: it wins
    manager = AsyncKernelManager(config=config)
    assert apply_kernel_culling(manager, config) == {**KERNEL_CULLING, "cull_idle_timeout": 30}
