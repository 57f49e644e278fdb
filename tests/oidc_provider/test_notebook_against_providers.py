"""Notebook 10 itself, every cell, with its issuer pointed at a provider the kit did not write.

This is what a learner does with a real provider: change ISSUER and SCOPE, register (over RFC 7591,
or in the provider's console and then set CLIENT_ID), approve in the browser, paste the address
back. The test changes the same lines and puts a user where the learner's browser is: after the
paste box is shown it approves and submits the address, and before the loopback cell waits it
approves and follows the redirect to the kernel's listener. Every other cell runs as committed.

- panva's oidc-provider: RFC 7591, its metadata only where OpenID Connect puts it;
- Django OAuth Toolkit: the console route (its own "Register a new application" pages), and
  metadata from two documents: the revocation endpoint is only in the second.

After log out, the provider itself is asked whether each grant is over: its protected API must
answer 401 to both access tokens (and DOT's introspection say they are inactive).
"""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from tools.run_notebooks import NOTEBOOKS, ROOT, fresh_sandbox

pytestmark = pytest.mark.slow  # a kernel, a sandbox and a provider

NOTEBOOK = NOTEBOOKS / "10-your-own-provider.ipynb"
PLAY = "from tests.oidc_provider import user"
ASKED_AT_THE_PROVIDER = """
from helpers import OAuthError, call_api_at
for grant in (token, loop_token):
    try:
        call_api_at(API, access_token=grant.access_token, http=kit.http)
        print("alive")
    except OAuthError as error:
        print("dead:", error.error, error.status_code)
"""


def cell_index(notebook, fragment: str) -> int:
    (index,) = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and fragment in c.source]
    return index


def pointed_at(issuer: str, scope: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    settings = notebook.cells[cell_index(notebook, "ISSUER = ")]
    settings.source = f'ISSUER = "{issuer}"\nSCOPE = "{scope}"'
    # The learner's browser: approve, then paste the address landed on (paste-back) ...
    after_box = cell_index(notebook, "paste = PasteBack(")
    notebook.cells.insert(after_box + 1, nbformat.v4.new_code_cell(f"{PLAY}\npaste.submit(user.act(link))"))
    # ... and approve, then follow the redirect to the loopback listener.
    before_wait = cell_index(notebook, "catcher.wait(")
    follow = f"{PLAY}\nimport httpx\nhttpx.get(user.act(loop_link))"
    notebook.cells.insert(before_wait, nbformat.v4.new_code_cell(follow))
    return notebook


def run(notebook: nbformat.NotebookNode) -> None:
    with fresh_sandbox():
        # The kernel runs in notebooks/, and the cells this test adds import the played user from tests/:
        # the top of the checkout on the kernel's PYTHONPATH, as pytest has it on its own sys.path.
        pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        NotebookClient(
            notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
        ).execute(env={**os.environ, "PYTHONPATH": pythonpath})


def ask_the_provider(notebook: nbformat.NotebookNode, api: str, extra: str = "") -> None:
    notebook.cells.append(nbformat.v4.new_code_cell(f"API = {api}\n{ASKED_AT_THE_PROVIDER}{extra}"))


def printed(notebook, fragment: str) -> str:
    cell = notebook.cells[cell_index(notebook, fragment)]
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def test_every_cell_runs_against_oidc_provider(oidc_issuer):
    notebook = pointed_at(oidc_issuer, "openid")
    ask_the_provider(notebook, 'found.metadata["userinfo_endpoint"]')
    run(notebook)
    report = printed(notebook, "print(found.report())")
    assert "The provider gave: openid-configuration (OpenID Connect Discovery §4)" in report
    assert f"✗ {oidc_issuer.removesuffix('/oidc')}/.well-known/oauth-authorization-server/oidc: HTTP 404" in report
    assert "one without it is refused" in report  # oidc-provider sends iss (RFC 9207), and the kit checks it
    assert "PasteBack(code received)" in printed(notebook, "print(paste)")
    assert "refresh_token='…" in printed(notebook, "print(token)")
    assert "found again: True" in printed(notebook, "find_token(")
    assert "caught 1" in printed(notebook, "print(catcher)")
    assert "secret deleted; 2 grants revoked at the provider (RFC 7009)" in printed(notebook, "delete_secret(")
    assert "invalid_grant" in printed(notebook, "except OAuthError as error:\n    print(error)")
    assert printed(notebook, "API = ") == "dead: invalid_token 401\n" * 2


def test_every_cell_runs_against_django_oauth_toolkit_registered_in_its_console(dot):
    notebook = pointed_at(dot.issuer, "read")
    # The learner registers the printed URLs in DOT's console, then types the client id it shows.
    printed_urls = cell_index(notebook, "catcher = LoopbackCatcher()")
    console = (
        f"{PLAY}\nfrom tests.dot_provider.console import register_in_console\n"
        f"console_client_id = register_in_console({dot.issuer!r}, {dot.user!r}, 'PKCE Kit',\n"
        "    [dashboard_urls.test, dashboard_urls.live, catcher.redirect_uri])"
    )
    notebook.cells.insert(printed_urls + 1, nbformat.v4.new_code_cell(console))
    registration = notebook.cells[cell_index(notebook, 'CLIENT_ID = ""')]
    registration.source = registration.source.replace('CLIENT_ID = ""', "CLIENT_ID = console_client_id")
    introspect = (
        "\nimport httpx\nfor grant in (token, loop_token):\n"
        "    asked = {'token': grant.access_token}\n"
        f"    answer = httpx.post(found.metadata['introspection_endpoint'], data=asked, auth={dot.introspection!r})\n"
        "    print('active:', answer.json()['active'])"
    )
    ask_the_provider(notebook, repr(dot.issuer.removesuffix("/o") + "/api/me"), introspect)
    run(notebook)
    report = printed(notebook, "print(found.report())")
    oauth = f"{dot.issuer}/.well-known/oauth-authorization-server"
    assert f"✓ {oauth}: HTTP 200, issuer matches: fills in revocation_endpoint, registration_endpoint" in report
    assert "The provider gave: [1] openid-configuration (OpenID Connect Discovery §4)" in report
    assert f"revocation_endpoint     {dot.issuer}/revoke_token/  [2]" in report
    assert "one without it is refused" in report
    assert printed(notebook, "CLIENT_ID = console_client_id").startswith("Registration(client_id=")
    assert "PasteBack(code received)" in printed(notebook, "print(paste)")
    assert "caught 1" in printed(notebook, "print(catcher)")
    assert "secret deleted; 2 grants revoked at the provider (RFC 7009)" in printed(notebook, "delete_secret(")
    assert printed(notebook, "API = ") == "dead: invalid_token 401\n" * 2 + "active: False\n" * 2
