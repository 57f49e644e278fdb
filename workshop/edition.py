"""The learner's own copy of the learner edition, made by their Jupyter server before it answers.

On a hub the facilitator builds the learner edition once (`make workshop`, or
`python -m tools.learner_edition` in the kit's checkout) and names its folder in the learners'
environment: `KIT_LEARNER_EDITION=/opt/pkce-kit/build/workshop`. When a learner's server starts,
the kit's server extension copies that folder to `pkce-kit/` in the learner's home (the server's
root folder) if it is not there yet. This happens while the server starts, before it serves a
page, so the first page (`/lab/tree/pkce-kit/notebooks/00-index.ipynb`) never races the copy, as
Z2JH's asynchronous postStart hook would; and it reaches learners created before the folder was
made, which /etc/skel does not. A copy that exists is the learner's: it is never overwritten.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

ENV_EDITION = "KIT_LEARNER_EDITION"
COPY_NAME = "pkce-kit"
FIRST_PAGE = f"{COPY_NAME}/notebooks/00-index.ipynb"
_SKIP = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")


class EditionError(RuntimeError):
    """The learner edition named by KIT_LEARNER_EDITION cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Copied:
    """What `provide` did: the learner's copy, and whether it was made now (False: it was there)."""

    folder: Path
    made: bool


def edition_folder(environ: dict[str, str] | None = None) -> Path | None:
    """The learner edition the environment names, checked; None when it names none."""
    named = (os.environ if environ is None else environ).get(ENV_EDITION, "")
    if not named:
        return None
    folder = Path(named).expanduser()
    if not (folder / "notebooks" / "00-index.ipynb").is_file():
        raise EditionError(
            f"{ENV_EDITION}={named} is not a learner edition (no notebooks/00-index.ipynb in it). "
            "Build it in the kit's checkout with `python -m tools.learner_edition` (make workshop) and "
            f"set {ENV_EDITION} to the folder it prints, without /notebooks."
        )
    return folder


def provide(root_dir: Path, edition: Path) -> Copied:
    """Copy the learner edition to `root_dir/pkce-kit` unless the learner has a copy already."""
    target = root_dir / COPY_NAME
    if target.exists():
        return Copied(target, made=False)
    # Copied beside the target, then renamed: a server stopped halfway leaves no half copy behind.
    partial = root_dir / f".{COPY_NAME}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(edition, partial, ignore=_SKIP)
    partial.rename(target)
    return Copied(target, made=True)


def move_aside(path: Path, stamp: str | None = None) -> Path | None:
    """Rename `path` to `path.reset-<time>` (kept, never deleted); None when there was nothing to move."""
    if not path.exists():
        return None
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.reset-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.reset-{stamp}-{n}")
    path.rename(aside)
    return aside
