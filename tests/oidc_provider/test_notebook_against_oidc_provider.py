"""Notebook 10 itself, every cell, with its issuer pointed at oidc-provider instead of the sandbox.

This is what a learner does with a real provider: change ISSUER and SCOPE, approve in the browser, paste
the address back. The test changes the same two lines and puts a user where the learner's browser is:
after the paste box is shown it approves and submits the address, and before the loopback cell waits it
approves and follows the redirect to the kernel's listener. Every other cell runs as committed.
"""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from tools.run_notebooks import NOTEBOOKS, ROOT, fresh_sandbox

pytestmark = pytest.mark.slow  # a kernel, a sandbox and oidc-provider

NOTEBOOK = NOTEBOOKS / "10-your-own-provider.ipynb"
PLAY = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from tests.oidc_provider import user"


def cell_index(notebook, fragment: str) -> int:
    (index,) = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and fragment in c.source]
    return index


def pointed_at(issuer: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    settings = notebook.cells[cell_index(notebook, "ISSUER = ")]
    settings.source = f'ISSUER = "{issuer}"\nSCOPE = "openid"'
    # The learner's browser: approve, then paste the address landed on (paste-back) ...
    after_box = cell_index(notebook, "paste = PasteBack(")
    notebook.cells.insert(after_box + 1, nbformat.v4.new_code_cell(f"{PLAY}\npaste.submit(user.act(link))"))
    # ... and approve, then follow the redirect to the loopback listener.
    before_wait = cell_index(notebook, "catcher.wait(")
    follow = f"{PLAY}\nimport httpx\nhttpx.get(user.act(loop_link))"
    notebook.cells.insert(before_wait, nbformat.v4.new_code_cell(follow))
    return notebook


def printed(notebook, fragment: str) -> str:
    cell = notebook.cells[cell_index(notebook, fragment)]
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def test_every_cell_runs_against_oidc_provider(oidc_issuer):
    notebook = pointed_at(oidc_issuer)
    with fresh_sandbox():
        NotebookClient(
            notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
        ).execute()
    report = printed(notebook, "print(found.report())")
    assert "The provider gave: openid-configuration (OpenID Connect Discovery §4)" in report
    assert f"✗ {oidc_issuer.removesuffix('/oidc')}/.well-known/oauth-authorization-server/oidc: HTTP 404" in report
    assert "PasteBack(code received)" in printed(notebook, "print(paste)")
    assert "refresh_token='…" in printed(notebook, "print(token)")
    assert "found again: True" in printed(notebook, "find_token(")
    assert "caught 1" in printed(notebook, "print(catcher)")
    assert "secret deleted; both grants revoked" in printed(notebook, "delete_secret(")
    assert "invalid_grant" in printed(notebook, "except OAuthError as error")
