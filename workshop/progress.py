"""How far a learner has come on the core path: the steps the kit records as they run them.

The learner's sandbox records the flow's steps as it serves them (sandbox.progress): the app
registered, a link built, the user's approval landed at the Dashboard, the code exchanged, the
token saved, the token found. The exercises' checks record a pass (notebooks/exercises). Each is
a line in `progress.jsonl` in the sandbox's data folder: a step's name and when, never a value.
The learner's Jupyter server reads it for the facilitator's board (workshop.extension).

Pure standard library: the learner's server, the sandbox and a kernel all import it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROGRESS_FILE = "progress.jsonl"


@dataclass(frozen=True)
class Step:
    name: str  # what is recorded
    label: str  # what the board shows
    notebook: str  # where the core path does it first


STEPS = (
    Step("registered", "registered", "01"),
    Step("link", "link built", "02"),
    Step("approved", "approved", "02"),
    Step("exchanged", "exchanged", "03"),
    Step("saved", "saved", "04"),
    Step("found", "found", "05"),
)
# The core path's required exercises, one a notebook.
EXERCISES = tuple(Step(f"exercise {n}", f"exercise {n}", n) for n in ("01", "02", "03", "04", "05", "06"))
KNOWN = {step.name for step in (*STEPS, *EXERCISES)}


def record(data_dir: Path | str, step: str) -> None:
    """Note that the learner reached `step` now. Appends one line; a step may be noted many times."""
    if step not in KNOWN:
        raise ValueError(f"unknown step {step!r}: one of {sorted(KNOWN)}")
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"step": step, "at": round(time.time(), 3)}) + "\n"
    # One write of one short line in append mode: lines from the sandbox and a kernel never interleave.
    with open(folder / PROGRESS_FILE, "a", encoding="utf-8") as file:
        file.write(line)


def reached(data_dir: Path | str) -> dict[str, float]:
    """Each step reached, with the first time it was (seconds since the epoch); nothing recorded: {}."""
    first: dict[str, float] = {}
    try:
        lines = (Path(data_dir) / PROGRESS_FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return first
    for line in lines:
        try:
            entry = json.loads(line)
            step, at = entry["step"], float(entry["at"])
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a crash: the others still count
        if step in KNOWN and (step not in first or at < first[step]):
            first[step] = at
    return first


def report(data_dir: Path | str) -> dict[str, Any]:
    """What the board shows of one learner: every step and exercise, reached or not, and the furthest step."""
    times = reached(data_dir)

    def rows(steps: tuple[Step, ...]) -> list[dict[str, Any]]:
        return [{"name": s.name, "label": s.label, "notebook": s.notebook, "at": times.get(s.name)} for s in steps]

    furthest = next((s for s in reversed(STEPS) if s.name in times), None)
    return {
        "steps": rows(STEPS),
        "exercises": rows(EXERCISES),
        "furthest": furthest.label if furthest else None,
        "last_at": max(times.values(), default=None),
    }
