"""`pkce-kit-singleuser` and `pkce-kit-lab`: JupyterHub's single-user server and JupyterLab, started lighter.

Each is the usual command (`jupyterhub-singleuser`, `jupyter-lab`), same arguments, same process, with
imports it never uses left out (`LEFT_OUT`: they fail as if not installed, which each importer handles) or
deferred to their first use (`DEFERRED`: workshop/left_out.py `defer`). Only the command itself can do it:
these are imported with jupyter_server or its extensions, before any config file is read.

Left out:
- `rfc3987_syntax`. jupyter-events asks for `jsonschema[format-nongpl]`, and jsonschema imports that
  package, when it is installed, to check the `iri` formats; at import it builds some 35 Lark parsers.
  In a hub's user environment (the TLJH recipe's install) `import jsonschema` takes 44.0 MiB and 0.79 s
  with it, 23.8 MiB and 0.07 s without. No schema of Jupyter's uses an `iri` format; without the package,
  jsonschema leaves those formats unchecked, as wherever it is not installed. Known upstream:
  jupyter-server/jupyter_server#1559, python-jsonschema/jsonschema#1428.
- httpx's command-line client, `httpx._main`. JupyterLab imports httpx for its extension manager, and
  `import httpx` loads the client whenever click is installed (a hub's user environment has it: the
  sandbox's Flask needs it); httpx then offers a `main` that asks for `httpx[cli]`. 0.9 MiB of a hub
  learner's server, 5 MiB where rich is installed too (the kit's test tools).
- `cryptography`, 6.6 MiB: jupyterhub.crypto imports it to encrypt users' auth_state, which only the hub
  does; JupyterHub handles its absence (no auth_state encryption), and nothing else in a learner's server
  imports it.

Deferred (imported at their first use, so nothing breaks if that use comes):
- `requests`, 4.3 MiB with urllib3 and charset_normalizer: jupyterlab_server's extension listings
  handler calls it only when listings URLs are configured, which the kit does not do.
- `aiohttp`, 8 MiB with yarl, multidict and pycares: jupyter-server-proxy checks with it whether a
  process it launched is ready; the kit uses only its `/proxy/<port>/`. JupyterHub's own single-user
  code uses aiohttp to talk to the hub, so this saves memory only in `pkce-kit-lab`.

Side by side, each started idle (10 s after its start, three starts each, on 3 December 2026, before node was
left out): a hub learner's server 130.5 MiB with `jupyterhub-singleuser` (answering in 2.2 s), 103.0 with
`pkce-kit-singleuser` (1.2 s), in the TLJH recipe's user environment. After the notebooks, a hub learner's server
holds 123 MiB (bench/learner_memory.py). `make lab`'s server, from its start to the Lab page loaded in Chromium
(`python -m bench.server_start`, medians of three starts on a slow 2-core machine, 3 December 2026, at 3534a5c):
`jupyter-lab` answers in 3.2 s, uses 4.6 s of CPU and runs node 4 times, 103 MiB; `pkce-kit-lab` 0.74 s, 1.6 s of
CPU (the learner's sandbox, which it starts as it starts, included), node once (jupyter-lsp's `npm prefix -g`),
72 MiB. Leaving node out had taken `pkce-kit-lab` from 1.6 s to answer, 3.0 s of CPU and 4 node runs to 0.85 s,
1.6 s of CPU and one node run (before it started the sandbox).

Node left out: JupyterLab asks yarn for its npm registry whenever it reads its application's state
(`_AppHandler`): once as `jupyterlab.labapp` is imported (for the version it prints), and again on each Lab
page's load (the extension listing, and the build check where one is made), each time with a new `node
yarn.js config --json`: 0.7 s of CPU and 90 MiB, on the way to the server's first answer. The registry is
used only to fetch npm packages' metadata when JupyterLab is built or a source extension installed, which a
learner's server never does (the kit ships no build check: jupyter-config/labconfig/page_config.json). So
these servers read yarn's configuration as JupyterLab does where node is not installed: empty, the default
registry (`_yarn_defaults`). Node itself stays available to everything else (09-your-stripe-app builds with it).

nbconvert left out of the Lab page: as it opens a notebook, JupyterLab's page asks `api/nbconvert` for the
export formats (File > Save and Export Notebook As, and a raw cell's format in the property inspector), and
the server imports nbconvert and every exporter to answer: 0.5 s of CPU and 10.5 MiB in each learner's server
(82.0 against 71.4 MiB RSS after the page's requests, 4 December 2026). The kit's page config
(jupyter-config/labconfig/page_config.json) turns those two plugins off, so the page never asks; File >
Download still saves a notebook, and the server still answers `api/nbconvert` if asked. docs/workshop.md says
how to bring the menu back.

The hub recipes (docs/workshop.md) start learners' servers with `pkce-kit-singleuser`, and `make lab`
starts `pkce-kit-lab`.
"""

from __future__ import annotations

import sys

from .left_out import defer, leave_out

# Imports that fail in these servers, as if the package were not installed.
LEFT_OUT = ("rfc3987_syntax", "httpx._main", "cryptography")
# Imports whose code runs only when first used (workshop/left_out.py).
DEFERRED = ("requests", "aiohttp")


def _leave_out() -> None:
    leave_out(*LEFT_OUT)
    defer(*DEFERRED)
    _no_yarn_config()


def _yarn_defaults(logger: object) -> dict[str, dict[str, object]]:
    """What `jupyterlab.commands._yarn_config` returns where node is not found: no configuration of yarn's or npm's."""
    return {"yarn config": {}, "npm config": {}}


def _no_yarn_config() -> None:
    """JupyterLab reads yarn's configuration without starting node (see the module's docstring).

    A JupyterLab without `_yarn_config` (renamed in a release) is left as it is: the server starts as
    usual, only slower; tests/workshop/test_server.py then fails, as a server starts node.
    """
    try:
        from jupyterlab import commands
    except ImportError:  # the single-user server of an environment without JupyterLab
        return
    if hasattr(commands, "_yarn_config"):
        commands._yarn_config = _yarn_defaults


def singleuser() -> None:
    """`jupyterhub-singleuser`, lighter: what a hub starts for each learner (the recipes' `Spawner.cmd`)."""
    _leave_out()
    try:
        from jupyterhub.singleuser import main
    except ImportError:
        raise SystemExit(
            "pkce-kit-singleuser runs JupyterHub's single-user server, and JupyterHub is not installed in "
            f"this environment ({sys.prefix}): install the kit into the hub's user environment (docs/workshop.md)."
        ) from None
    sys.exit(main())


def lab() -> None:
    """`jupyter-lab`, lighter: what `make lab` starts."""
    _leave_out()
    from jupyterlab.labapp import main

    sys.exit(main())
