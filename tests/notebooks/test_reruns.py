"""What a learner does in a live room, run in a real kernel: a cell run again, then the next one.

Each test runs a notebook as committed, then runs cells again (or a line the learner's
browser stands for) in the same kernel, and reads what the learner would see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tools.run_notebooks import NOTEBOOKS, fresh_sandbox

pytestmark = pytest.mark.slow  # a kernel and a sandbox, and a notebook run in them


class Session:
    """A notebook open in a kernel: run its cells by what they hold, or a new cell; read their outputs."""

    def __init__(self, client: NotebookClient, notebook: nbformat.NotebookNode) -> None:
        self.client, self.notebook = client, notebook

    def index(self, fragment: str) -> int:
        (found,) = [i for i, c in enumerate(self.notebook.cells) if c.cell_type == "code" and fragment in c.source]
        return found

    def run(self, index: int) -> list[dict]:
        cell = self.notebook.cells[index]
        self.client.execute_cell(cell, index)
        return cell.outputs

    def run_through(self, fragment: str) -> None:
        """Run every cell from the top to the one holding ``fragment``, as a learner has; none may fail."""
        for index in range(self.index(fragment) + 1):
            if self.notebook.cells[index].cell_type == "code":
                assert not errors(self.run(index)), self.notebook.cells[index].source

    def code(self, source: str) -> str:
        """Run ``source`` as a new cell; return what it printed."""
        cell = nbformat.v4.new_code_cell(source)
        self.notebook.cells.append(cell)
        outputs = self.run(len(self.notebook.cells) - 1)
        assert not errors(outputs), errors(outputs)
        return "".join(o.get("text", "") for o in outputs)


def errors(outputs: list[dict]) -> list[dict]:
    return [o for o in outputs if o["output_type"] == "error"]


@contextmanager
def opened(path: Path) -> Iterator[Session]:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.allow_errors = True  # an error is what the learner sees: the test reads it
    with fresh_sandbox(), client.setup_kernel():
        yield Session(client, notebook)


def test_03_the_app_view_cell_run_again_then_the_next_says_what_to_do():
    with opened(NOTEBOOKS / "03-token-exchange.ipynb") as session:
        session.run_through("context.code_and_verifier()")
        view = session.index("app_view = AppView(")
        (error,) = errors(session.run(view))  # the link it approves was answered in the first run
        assert error["ename"] == "DashboardError", error
        assert "No oauthContext has arrived" in error["evalue"] and "Run All Above Selected Cell" in error["evalue"]
        # What it says: run the cells above again (a fresh link), then this one; the next cell then works.
        for index in range(view):
            if session.notebook.cells[index].cell_type == "code":
                assert not errors(session.run(index))
        assert not errors(session.run(view))
        assert not errors(session.run(session.index("context.code_and_verifier()")))
        assert session.code("print(len(code) > 20, len(verifier) >= 43)") == "True True\n"


def test_06_your_turn_gets_its_context_after_an_earlier_app_cell_ran_again():
    with opened(NOTEBOOKS / "06-the-whole-app.ipynb") as session:
        session.run_through('yours = kit.example_app(title="Your turn")')
        assert not errors(session.run(session.index("app = kit.example_app()")))  # an earlier cell, again
        assert session.code("print(kit.world.consent(yours.model.link).outcome)") == "handed_over\n"  # the browser
        # The kernel idle between cells, as a learner reads: the newest view, waiting on the kernel's
        # event loop, hears of the context and takes it for "Your turn".
        session.code(
            "import asyncio\n"
            "for _ in range(200):\n"
            "    if yours.model.status == 'signed_in':\n"
            "        break\n"
            "    await asyncio.sleep(0.05)"
        )
        assert session.code("print(yours.model.status, app.model.status)") == "signed_in signed_out\n"


def test_10_the_paste_box_follows_the_link_cell_run_again():
    # A provider's code lives 60 seconds; the learner runs the link cell again and pastes the new answer in the
    # box made before: it is taken (issue 20). An answer to the older link is refused as such.
    with opened(NOTEBOOKS / "10-your-own-provider.ipynb") as session:
        session.run_through("paste = PasteBack(")
        first = session.code("first = link; print(paste)")
        assert first == "PasteBack(waiting)\n"
        assert not errors(session.run(session.index("oauth_state, link = start_authorization(dashboard")))
        approve = "paste.submit(kit.world.consent({}, follow=False).redirect_url); print(paste)"
        said = session.code(approve.format("first") + "; print(paste.status.value)")
        assert "PasteBack(refused: state_mismatch)" in said and "answers an older link" in said
        assert session.code(approve.format("link")) == "PasteBack(code received)\n"
