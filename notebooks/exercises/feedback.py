"""What a check says back: passed or not, and the specific points to fix."""

from __future__ import annotations

import functools
import html
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.files import default_data_dir
from workshop.progress import record


@dataclass(frozen=True)
class Feedback:
    passed: bool
    points: tuple[str, ...] = ()
    praise: str = "Correct."

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        if self.passed:
            return f"✓ {self.praise}"
        return "\n".join(["✗ Not yet:", *(f"  - {point}" for point in self.points)])

    def _repr_html_(self) -> str:
        color = "#09825d" if self.passed else "#df1b41"
        if self.passed:
            body = f"<b>✓ {html.escape(self.praise)}</b>"
        else:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in self.points)
            body = f"<b>✗ Not yet:</b><ul>{items}</ul>"
        return f"<div style='border-left:4px solid {color};padding-left:8px'>{body}</div>"


def check(points: list[str], praise: str) -> Feedback:
    """Feedback from a list of problems found: none means passed."""
    return Feedback(not points, tuple(points), praise)


def not_started(what: str) -> Feedback:
    return Feedback(False, (f"Replace the ... with {what}, then run the cell again.",))


def not_a_function(
    value: object,
    not_callable: str,
    *,
    call: tuple[tuple[Any, ...], Mapping[str, Any]] | None = None,
    wrong_signature: str = "",
) -> Feedback | None:
    """Feedback when ``value`` is no function, or one that cannot take the check's call; else None.

    ``not_callable`` is said with the type's name appended; ``call`` is the (args, kwargs) the
    check will pass, and ``wrong_signature`` what to say when the function cannot take them.
    """
    if not callable(value):
        return Feedback(False, (f"{not_callable}, not {type(value).__name__}.",))
    if call is not None:
        args, kwargs = call
        try:
            inspect.signature(value).bind(*args, **kwargs)
        except (TypeError, ValueError):
            return Feedback(False, (wrong_signature,))
    return None


def records_pass(notebook: str) -> Callable[[Callable[..., Feedback]], Callable[..., Feedback]]:
    """The check of a notebook's exercise, which notes a pass for the facilitator's board (workshop.progress).

    The note goes in the sandbox's data folder, as the sandbox's own notes do: a name and a time.
    """

    def decorate(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
        @functools.wraps(check)
        def checked(*args: Any, **kwargs: Any) -> Feedback:
            feedback = check(*args, **kwargs)
            if feedback.passed:
                try:
                    record(default_data_dir(), f"exercise {notebook}")
                except OSError:
                    pass  # the board misses a pass; the learner's check still says it passed
            return feedback

        return checked

    return decorate
