"""`pkce-kit-singleuser` and `pkce-kit-lab`: JupyterHub's single-user server and JupyterLab, started lighter.

Each is the usual command (`jupyterhub-singleuser`, `jupyter-lab`), same arguments, same process, with two
imports left out. The first is `rfc3987_syntax`. jupyter-events asks for `jsonschema[format-nongpl]`, and jsonschema
imports that package, when it is installed, to check the `iri` formats; at import it builds some 35 Lark
parsers. jsonschema is imported with jupyter_server (by jupyter_events), before any config file or server
extension is read, so only the command itself can keep it out. Measured in a hub's user environment (the
TLJH recipe's install): `import jsonschema` takes 44.0 MiB and 0.79 s with it, 23.8 MiB and 0.07 s
without. A learner's server on the hub (bench/learner_memory.py) held 148 MiB after the notebooks, 133 with
this import left out (132 with both). No schema of Jupyter's uses
an `iri` format; jsonschema, without the package, leaves those formats unchecked, as it does wherever the
package is not installed. Known upstream: jupyter-server/jupyter_server#1559, python-jsonschema/jsonschema#1428.

The second is httpx's command-line client, `httpx._main`: JupyterLab imports httpx for its extension manager
(`jupyterlab.extensions.pypi`), and `import httpx` loads the client with it whenever click and rich are
installed, or click alone before it fails on rich (a hub's user environment has click: the sandbox's Flask
needs it). httpx then offers a `main` that asks for `httpx[cli]`; no server runs httpx's command line.
Measured: 0.9 MiB of a hub learner's server (click), 5 MiB where rich is installed too (the kit's test tools).

Side by side, each started idle: a hub learner's server 129 MiB with `jupyterhub-singleuser`, 112 with
`pkce-kit-singleuser`; `make lab`'s 96 MiB with `jupyter-lab` (answering in 1.7 s), 75 with `pkce-kit-lab` (0.8 s).

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
