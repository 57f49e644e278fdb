"""pyproject.toml is the one list of dependencies; environment.yml must say the same."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def pyproject_requirements(extras: bool = True) -> dict[str, str]:
    """{name: specifier} of pyproject's dependencies, with the optional ones (test extras) unless extras=False."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"]
    if extras:
        names = names + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {Requirement(r).name.lower(): str(Requirement(r).specifier) for r in names}


def conda_requirements(path: Path = ROOT / "environment.yml") -> dict[str, str]:
    """{name: specifier} of a conda environment file's packages (conda's and its pip: section's), less python, pip."""
    requirements = {}
    text = path.read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^(?:  |      )- ([A-Za-z0-9_.\-]+)([<>=!,.\d]*)$", line)
        if match and match.group(1) not in ("python", "pip"):
            requirements[match.group(1).lower()] = str(Requirement(match.group(1) + match.group(2)).specifier)
    return requirements


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    assert conda_requirements() == pyproject_requirements()


def test_environment_yml_installs_the_kit_itself():
    assert "      - -e ." in (ROOT / "environment.yml").read_text().splitlines()
