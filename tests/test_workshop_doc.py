"""docs/workshop.md, the facilitator's page: its hub recipes and its agendas.

The recipes: each block that tests/hub runs is found by the ``<!-- recipe: NAME -->`` line before it
(``tests.recipes.recipe_blocks`` is how); the Python snippet is valid hub config whose passwords pass JupyterHub's own
checks, the YAML parses to the chart's keys, and no block names what the installed kit made obsolete
(JUPYTER_CONFIG_PATH, ``sudo -E pip``, a copy into /etc/skel). The agendas: every row starts when the
one before ends, each ends on the hour or the hour and a half, and a notebook's minutes are the time it
states (less its exercise, as tools.learner_time weighs it, when that is homework), so a notebook whose time
changes fails here until its agenda row is planned again. "How long it takes" gives each notebook's two
times as the notebooks state them.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml
from traitlets.config import Config

from tests.recipes import recipe_blocks
from tools.learner_time import estimates, has_required_exercise, stated_minutes, stated_times
from tools.run_notebooks import NOTEBOOKS, notebook_paths

ROOT = Path(__file__).resolve().parents[1]
WORKSHOP = ROOT / "docs" / "workshop.md"
RECIPES = {"tljh-install": "bash", "tljh-config": "python", "z2jh-dockerfile": "dockerfile", "z2jh-config": "yaml"}
LANDING = "/lab/tree/pkce-kit/notebooks/00-index.ipynb"
EDITION = "/opt/pkce-kit/build/workshop"
_FENCED = re.compile(r"^[ \t]*```\w*\n(.*?)^[ \t]*```", re.M | re.S)


def section(markdown: str, title: str) -> str:
    return markdown.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def page() -> str:
    return WORKSHOP.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def recipes(page) -> dict[str, tuple[str, str]]:
    return recipe_blocks(page)


def test_every_recipe_block_is_marked_once_with_its_language(page, recipes):
    assert {name: language for name, (language, _) in recipes.items()} == RECIPES
    for name in RECIPES:
        assert page.count(f"<!-- recipe: {name} -->") == 1, name


def test_the_install_uses_the_user_environments_pip_and_makes_the_learner_edition(recipes):
    install = recipes["tljh-install"][1]
    assert "sudo /opt/tljh/user/bin/pip install /opt/pkce-kit\n" in install
    assert "sudo /opt/tljh/user/bin/python -m tools.learner_edition" in install
    dockerfile = recipes["z2jh-dockerfile"][1]
    assert "pip install --no-cache-dir /opt/pkce-kit" in dockerfile and "python -m tools.learner_edition" in dockerfile


def run_snippet(snippet: str) -> Config:
    """The snippet as a hub would load it: ``c = get_config()`` is already there."""
    config = Config()
    exec(compile(snippet, "pkce-kit.py", "exec"), {"c": config, "get_config": lambda: config})
    return config


def shared_password_authenticator(config: Config, admins: set[str]):
    """JupyterHub's SharedPasswordAuthenticator with this config: it refuses passwords it would refuse at start."""
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

    config.Authenticator.admin_users = admins
    return SharedPasswordAuthenticator(config=config)


def test_the_tljh_snippet_is_hub_config_with_passwords_jupyterhub_accepts(recipes):
    snippet = recipes["tljh-config"][1]
    config = run_snippet(snippet)
    assert config.Spawner.environment.get_value({}) == {"KIT_LEARNER_EDITION": EDITION}
    assert config.Spawner.default_url == LANDING
    assert config.JupyterHub.authenticator_class == "shared-password" and config.Authenticator.allow_all is True
    # TLJH always sets admin_users (tljh/configurer.py), so the admins need admin_password.
    authenticator = shared_password_authenticator(config, {"facilitator"})
    assert authenticator.admin_password and authenticator.user_password
    # The checkout and the user environment are the only paths tests/recipes.py substitutes.
    assert set(re.findall(r"/opt/[\w./-]*", snippet)) == {
        EDITION,
        "/opt/tljh/user/bin/python",
        "/opt/tljh/user/bin/pkce-kit-singleuser",
    }
    assert config.Spawner.cmd == ["/opt/tljh/user/bin/pkce-kit-singleuser"]
    (board,) = config.JupyterHub.services.get_value([])
    assert board["name"] == "kit-board" and board["command"][1:] == ["-m", "workshop.board"]
    (role,) = config.JupyterHub.load_roles.get_value([])
    assert role["services"] == ["kit-board"] and not any(scope.startswith("admin") for scope in role["scopes"])


def test_the_z2jh_config_parses_to_the_charts_keys(recipes):
    values = yaml.safe_load(recipes["z2jh-config"][1])
    singleuser, hub = values["singleuser"], values["hub"]["config"]
    assert singleuser["extraEnv"] == {"KIT_LEARNER_EDITION": EDITION}
    assert singleuser["defaultUrl"] == LANDING
    assert singleuser["cmd"] == "pkce-kit-singleuser"
    assert "lifecycleHooks" not in singleuser, "postStart races the first page: KIT_LEARNER_EDITION copies instead"
    assert singleuser["memory"]["limit"] == "1280M", "the Sizing section's limit"
    assert hub["JupyterHub"]["authenticator_class"] == "shared-password"
    admins = set(hub["Authenticator"]["admin_users"])
    assert admins, "a facilitator must be able to reach /hub/admin"
    config = Config(hub)
    authenticator = shared_password_authenticator(config, admins)
    assert authenticator.admin_password and authenticator.user_password
    assert values["cull"]["timeout"] >= 3600


def test_no_recipe_uses_what_the_installed_kit_made_obsolete(page):
    blocks = "\n".join(_FENCED.findall(page))
    assert "sudo -E pip" not in blocks, "sudo -E pip finds the user environment's pip only in a hub terminal"
    for obsolete in ("JUPYTER_CONFIG_PATH", "/etc/skel", "lifecycleHooks"):
        assert obsolete not in blocks, obsolete
    assert "JUPYTER_CONFIG_PATH" not in page and "/etc/skel" not in page


def test_each_recipe_sets_up_the_board_and_names_its_sources(page):
    for title in ("The Littlest JupyterHub (one machine)", "Zero to JupyterHub (Kubernetes, for larger rooms)"):
        recipe = section(page, title)
        assert "workshop.board" in recipe and "KIT_BOARD_HUB_URL" in recipe, title
        for scope in ("list:users", "read:users", "read:servers", "access:servers"):
            assert scope in recipe, (title, scope)
    assert "[recipe-sources.md](recipe-sources.md)" in page
    sources = (ROOT / "docs" / "recipe-sources.md").read_text(encoding="utf-8")
    for commit in re.findall(r"`([0-9a-f]{40})`", sources):
        assert len(commit) == 40
    assert len(set(re.findall(r"`([0-9a-f]{40})`", sources))) >= 6


# The agendas ---------------------------------------------------------------------------------------

CORE = [path for path in notebook_paths() if path.name[:2] <= "06"]


def agenda(page: str, title: str) -> list[dict[str, str]]:
    rows = [line for line in section(page, title).splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    return [dict(zip(header, (cell.strip() for cell in row.strip("|").split("|")), strict=True)) for row in rows[2:]]


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def planned_minutes(number: str, how: str) -> int:
    """A notebook's time as it states it, less its exercise when the exercise is homework."""
    path = next(NOTEBOOKS.glob(f"{number}-*.ipynb"))
    homework = "homework" in how and has_required_exercise(nbformat.read(path, as_version=4))
    if homework:
        return next(found for found in estimates() if found.name == path.name).minutes_without_exercise
    return stated_minutes(path)


@pytest.mark.parametrize("title, length", [("A 60-minute session", 60), ("A 90-minute session", 90)])
def test_the_agenda_keeps_time_with_the_notebooks(page, title, length):
    rows = agenda(page, title)
    assert rows[0]["start"] == "0:00" and rows[0]["how"] == "logins", "a slot for logging in comes first"
    for before, after in zip(rows, rows[1:], strict=False):
        assert minutes(after["start"]) == minutes(before["start"]) + int(before["min"]), after
    assert minutes(rows[-1]["start"]) + int(rows[-1]["min"]) == length
    covered = []
    for row in rows:
        numbers = re.findall(r"\d\d", row["notebooks"])
        covered += numbers
        if numbers:
            expected = sum(planned_minutes(number, row["how"]) for number in numbers)
            assert int(row["min"]) == expected, (
                f"{title}, {row['start']}: notebooks {', '.join(numbers)} now take {expected} minutes "
                f"({row['how']}), the row gives {row['min']}: plan the row again"
            )
    assert covered == [path.name[:2] for path in CORE], "each notebook of 00 to 06 once, in order"


def test_the_hour_has_00_to_03_hands_on_and_06s_turn_together(page):
    rows = {row["notebooks"]: row["how"] for row in agenda(page, "A 60-minute session") if row["notebooks"]}
    assert all(rows[number] == "hands-on" for number in ("00", "01", "02", "03"))
    assert "homework" in rows["04, 05"] and "together" in rows["06"]


def test_the_90_minutes_have_every_notebook_hands_on_and_a_break(page):
    rows = agenda(page, "A 90-minute session")
    assert all(row["how"] == "hands-on" for row in rows if row["notebooks"])
    assert any(row["how"] == "break" for row in rows)


def test_how_long_it_takes_gives_the_notebooks_stated_times(page):
    table = section(page, "How long it takes")
    for path in notebook_paths():
        found = re.search(rf"^\| {path.name[:2]} [^|]+\| (\d+) min \| (\d+) min \|$", table, re.M)
        assert found and (int(found.group(1)), int(found.group(2))) == stated_times(path), path.name
    median = sum(stated_times(path)[0] for path in CORE)
    slowest = sum(stated_times(path)[1] for path in CORE)
    assert f"| **00 to 06, the core path** | **{median} min** | **{slowest} min** |" in table


def slower_by(numbers: list[str]) -> int:
    """How many minutes more the slowest quarter needs than the median for these notebooks, as they state."""
    times = [stated_times(next(NOTEBOOKS.glob(f"{number}-*.ipynb"))) for number in numbers]
    return sum(slowest - median for median, slowest in times)


def test_the_hour_says_how_far_behind_the_slowest_quarter_is(page):
    rows = agenda(page, "A 60-minute session")
    hands_on = [number for row in rows if row["how"] == "hands-on" for number in re.findall(r"\d\d", row["notebooks"])]
    after = next(row["start"] for row in rows if row["notebooks"] and row["how"] != "hands-on")
    said = " ".join(section(page, "A 60-minute session").split())
    assert f"some {slower_by(hands_on)} minutes more by {after}" in said


def test_the_90_minutes_leave_the_slowest_quarter_the_time_it_needs(page):
    rows = agenda(page, "A 90-minute session")
    spare = sum(int(row["min"]) for row in rows if row["how"] in ("buffer", "break"))
    needed = slower_by([path.name[:2] for path in CORE])
    assert spare >= needed, (
        f"the slowest quarter needs {needed} minutes more than the median; buffer and break: {spare}"
    )
    assert f"{needed} more than the median" in " ".join(section(page, "A 90-minute session").split())
