"""The kit's Jupyter server extension: what a learner's server does for the kit when it starts.

Installing the kit enables it in that environment (etc/jupyter/jupyter_server_config.d/
stripe-apps-pkce-kit.json, from jupyter-config/); `make lab`, Binder and the tests, which install
the kit editable, put jupyter-config/ on JUPYTER_CONFIG_PATH instead. When a server starts, it:

- gives the kernel manager the kit's culling settings that nobody configured (`workshop.settings`);
- copies the learner edition named by KIT_LEARNER_EDITION into the learner's home, once
  (`workshop.edition`).

Nothing here may stop a learner's server from starting: a problem is logged, with what to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .edition import EditionError, edition_folder, provide
from .settings import apply_kernel_culling


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "workshop.extension"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    log = serverapp.log
    culling = apply_kernel_culling(serverapp.kernel_manager, serverapp.config)
    log.info("pkce-kit: kernel culling %s", culling)
    try:
        edition = edition_folder()
        if edition is not None:
            copied = provide(Path(serverapp.root_dir), edition)
            log.info("pkce-kit: %s %s", "made" if copied.made else "kept the learner's", copied.folder)
    except (EditionError, OSError) as problem:
        log.error("pkce-kit: the learner edition was not copied: %s", problem)
