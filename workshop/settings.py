"""The kit's Jupyter server settings: kernels a learner has left are shut down, to keep a room small.

The one place these settings live. The kit's server extension (`workshop.extension`) applies them
when a Jupyter server starts, wherever the kit is installed: `make lab`, Binder, a hub. A setting
the server's own config gives (a config file, the command line, a hub's spawner) wins over the
kit's: the extension sets only what nobody configured.

Why culling: a learner walks notebooks 00 to 10 and usually leaves each tab open, so each
notebook would keep its kernel (49 to 54 MiB) for the whole session: 527 MiB for one learner
instead of 238 (PSS, bench/learner_memory.py). docs/workshop.md, Sizing, has the figures.
"""

from __future__ import annotations

from typing import Any

# A kernel nobody has used for 10 minutes is shut down: no cell run, no widget clicked. A
# learner spends 5 to 23 minutes in a notebook and runs a cell every 67 s on average (00-06:
# 49 core code cells in their 55 minutes), so the notebook in use keeps its kernel,
# and the one left behind goes 10 to 11 minutes after its last cell. Nothing saved is lost:
# the app, its registration and the token live in the sandbox, which each notebook's first
# cell finds again. What goes is the kernel's memory of earlier cells: JupyterLab shows
# "No Kernel", and the next cell run starts a fresh kernel (a NameError for names made above
# it); Run > Run All Above Selected Cell brings them back.
# Why not 5 minutes: a learner who leaves every tab open would hold 2 kernels at most instead
# of 3 (bench/learner_memory.py over 00-08: 273 instead of 318 MiB PSS at the peak), but a learner
# who listens to the facilitator for 5 minutes without running a cell would lose theirs.
#
# cull_connected: culled even with its tab still open. An open tab keeps a websocket connected to
# its kernel, and learners usually leave their tabs open: with cull_connected off (Jupyter's
# default) no kernel of an open tab would ever go (bench/hub_memory.py, every tab open after
# 00-08: 9 kernels). 06's app view waits for oauthContext on the kernel's event loop without a
# message (helpers/waiting.py), so a kernel whose view waits is idle and goes like any other.
#
# cull_busy: never while a cell runs (Jupyter's default, said here so nobody has to look it up).
KERNEL_CULLING: dict[str, Any] = {
    "cull_idle_timeout": 600,
    "cull_interval": 60,
    "cull_connected": True,
    "cull_busy": False,
}


def configured(config: Any, owner: type, name: str) -> bool:
    """Whether the server's config sets `name` for `owner` or any class it inherits from."""
    return any(cls.__name__ in config and name in config[cls.__name__] for cls in owner.__mro__)


def apply_kernel_culling(kernel_manager: Any, config: Any) -> dict[str, Any]:
    """Give the kernel manager the kit's culling settings it was not configured with; return those in effect.

    The culler starts with the first kernel (jupyter_server's `initialize_culler`), after the
    extension has loaded, so settings made here are the ones it runs with.
    """
    for name, value in KERNEL_CULLING.items():
        if not configured(config, type(kernel_manager), name):
            setattr(kernel_manager, name, value)
    return {name: getattr(kernel_manager, name) for name in KERNEL_CULLING}


# The memory limit a learner's server needs: a learner who runs all eleven notebooks within minutes,
# before the culler acts, peaks at 750 MiB (docs/workshop.md, Sizing: bench/learner_memory.py),
# with room to spare. TLJH: `limits.memory`; Z2JH: `singleuser.memory.limit`.
MEMORY_LIMIT_TEXT = "1280M"
MEMORY_LIMIT_BYTES = 1280 * 2**20
