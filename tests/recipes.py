"""The hub recipes of docs/workshop.md, as the tests run them.

Each block a test runs is found by the ``<!-- recipe: NAME -->`` line before it. The TLJH recipe's
install block is run line by line on a copy of the repository (tests/installed.py), and its config
snippet is loaded by the test hub as TLJH loads it, from a jupyterhub_config.d folder
(tests/support/hub.py): what a facilitator copies is what the tests run.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKSHOP = ROOT / "docs" / "workshop.md"
CHECKOUT = "/opt/pkce-kit"  # where the recipes put the kit's checkout
USER_BIN = "/opt/tljh/user/bin/"  # TLJH's user environment
_MARKER = re.compile(r"^[ \t]*<!-- recipe: ([\w-]+) -->[ \t]*\n[ \t]*```(\w+)\n(.*?)^[ \t]*```[ \t]*$", re.M | re.S)


def recipe_blocks(markdown: str | None = None) -> dict[str, tuple[str, str]]:
    """Each marked recipe block of the page, by name: (its language, its text, dedented)."""
    markdown = WORKSHOP.read_text(encoding="utf-8") if markdown is None else markdown
    return {name: (language, textwrap.dedent(body)) for name, language, body in _MARKER.findall(markdown)}


def tljh_install_commands(checkout: Path, user_bin: Path) -> list[str]:
    """The TLJH install block's commands for a copy of the repository already in `checkout`.

    The `git clone` and `git checkout` lines are what made that copy; `sudo` goes (the tests run
    as the one user), and the checkout and the user environment's folder are the test's own.
    """
    commands = []
    for line in recipe_blocks()["tljh-install"][1].splitlines():
        if not line.strip() or line.startswith("sudo git "):
            continue
        line = line.replace("sudo ", "").replace(USER_BIN, f"{user_bin}/").replace(CHECKOUT, str(checkout))
        commands.append(line)
    return commands


def tljh_config_snippet(checkout: Path, user_bin: Path) -> str:
    """The TLJH config snippet (for /opt/tljh/config/jupyterhub_config.d/), for the test's checkout and user env."""
    return recipe_blocks()["tljh-config"][1].replace(CHECKOUT, str(checkout)).replace(USER_BIN, f"{user_bin}/")
