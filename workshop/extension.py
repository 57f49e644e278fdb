"""The kit's Jupyter server extension: what a learner's server does for the kit.

Installing the kit enables it in that environment (etc/jupyter/jupyter_server_config.d/
stripe-apps-pkce-kit.json, from jupyter-config/); `make lab`, Binder and the tests, which install
the kit editable, put jupyter-config/ on JUPYTER_CONFIG_PATH instead. When a server starts, it:

- gives the kernel manager the kit's culling settings that nobody configured (`workshop.settings`);
- starts learners' Python kernels without debugpy, unless configured otherwise (`workshop.kernel_spec`);
- has nbformat check notebooks with jsonschema, unless the environment chose (`workshop.notebook_validator`);
- copies the learner edition named by KIT_LEARNER_EDITION into the learner's home, once
  (`workshop.edition`);
- starts the learner's sandbox, in the background (`sandbox.spawn.start_in_background`), unless it runs: a
  workshop runs notebook 00's first cell all together, and that cell then finds thirty sandboxes
  running rather than starting them all in the same second. The cell still starts it if this failed.

And it serves, under the server's base URL (so only the learner, and on a hub whoever the hub lets
reach that server, such as the facilitator's board with its `access:servers` scope):

- `GET kit/progress`: the steps the learner has reached (`workshop.progress`), the culling in
  effect and the memory limit the hub gave the server, for the board and the pre-flight;
- `POST kit/reset`: a clean slate. Their kernels are shut down, their sandbox stopped, their
  sandbox folder and their copy of the edition moved aside (kept, never deleted), and the
  learner edition copied afresh.

Nothing here may stop a learner's server from starting: a problem is logged, with what to fix.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from sandbox.files import default_data_dir
from sandbox.spawn import start_in_background

from .edition import COPY_NAME, EditionError, edition_folder, move_aside, provide
from .kernel_spec import apply_lean_kernel
from .notebook_validator import apply_notebook_validator
from .progress import report
from .settings import KERNEL_CULLING, apply_kernel_culling


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "workshop.extension"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    log = serverapp.log
    log.info("pkce-kit: notebooks checked with %s", apply_notebook_validator())
    culling = apply_kernel_culling(serverapp.kernel_manager, serverapp.config)
    log.info("pkce-kit: kernel culling %s", culling)
    log.info(
        "pkce-kit: kernels without debugpy: %s", apply_lean_kernel(serverapp.kernel_spec_manager, serverapp.config)
    )
    try:
        edition = edition_folder()
        if edition is not None:
            copied = provide(Path(serverapp.root_dir), edition)
            log.info("pkce-kit: %s %s", "made" if copied.made else "kept the learner's", copied.folder)
    except (EditionError, OSError) as problem:
        log.error("pkce-kit: the learner edition was not copied: %s", problem)
    start_in_background(log, default_data_dir())  # the folder as the learner's kernels find it
    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(
        ".*$",
        [(url_path_join(base, "kit/progress"), ProgressHandler), (url_path_join(base, "kit/reset"), ResetHandler)],
    )


def memory_limit() -> int | None:
    """The memory limit the hub's spawner gave this server, in bytes (MEM_LIMIT, as JupyterHub sets it)."""
    value = os.environ.get("MEM_LIMIT", "")
    return int(value) if value.isdigit() else None


class ProgressHandler(APIHandler):
    @web.authenticated
    def get(self) -> None:
        kernels = self.settings["kernel_manager"]
        self.finish(
            json.dumps(
                {
                    "user": os.environ.get("JUPYTERHUB_USER"),
                    "progress": report(default_data_dir()),
                    "culling": {name: getattr(kernels, name) for name in KERNEL_CULLING},
                    "memory_limit": memory_limit(),
                    "kernels": len(kernels.list_kernel_ids()),
                    "edition": str(edition_folder() or "") or None,
                }
            )
        )


class ResetHandler(APIHandler):
    @web.authenticated
    async def post(self) -> None:
        root = Path(self.settings["server_root_dir"]).expanduser()
        try:
            edition = edition_folder()
        except EditionError as problem:
            raise web.HTTPError(409, str(problem)) from None
        if edition is None:
            raise web.HTTPError(
                409, "KIT_LEARNER_EDITION is not set for this server, so there is no learner edition to restore."
            )
        sessions = self.settings["session_manager"]
        for session in await sessions.list_sessions():
            await sessions.delete_session(session["id"])  # shuts its kernel down
        kernels = self.settings["kernel_manager"]
        for kernel_id in list(kernels.list_kernel_ids()):
            await kernels.shutdown_kernel(kernel_id)
        import sandbox  # the launcher, only now: a server that never resets never loads it

        data_dir = default_data_dir()
        stopped = sandbox.stop(data_dir)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved = [str(path) for path in (move_aside(data_dir, stamp), move_aside(root / COPY_NAME, stamp)) if path]
        copied = provide(root, edition)
        self.log.info("pkce-kit: reset; moved aside %s; copied %s", moved, copied.folder)
        self.finish(json.dumps({"sandbox_stopped": stopped, "moved_aside": moved, "restored": str(copied.folder)}))
