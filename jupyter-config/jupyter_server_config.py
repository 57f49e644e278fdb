"""The kit's Jupyter server settings: kernels a learner has left are shut down, to keep a room small.

The one place these settings live. Every way of running the kit adds this folder to
JUPYTER_CONFIG_PATH, the folders Jupyter reads config from besides its usual ones (`--config=`
would replace those instead); a setting given on the command line still wins. It is added by:

- `make lab` (the Makefile's lab target);
- Binder (binder/start, before the server starts);
- a workshop hub (docs/workshop.md: TLJH's and Zero to JupyterHub's recipes; tests/hub's config).

Why culling: a learner walks notebooks 00 to 10 and usually leaves each tab open, so each
notebook would keep its kernel (59 to 70 MiB) for the whole session: 948 MiB for one learner
instead of 332 (PSS, bench/learner_memory.py). docs/workshop.md, Sizing, has the figures.
"""

c = get_config()  # noqa: F821 (Jupyter provides it)

# A kernel nobody has used for 10 minutes is shut down: no cell run, no widget clicked. A
# learner spends 4 to 12 minutes in a notebook and runs a cell every 51 s on average (00-06:
# 69 code cells in their 59 minutes), so the notebook in use keeps its kernel,
# and the one left behind goes 10 to 11 minutes after its last cell. Nothing saved is lost:
# the app, its registration and the token live in the sandbox, which each notebook's first
# cell finds again. What goes is the kernel's memory of earlier cells: JupyterLab shows
# "No Kernel", and the next cell run starts a fresh kernel (a NameError for names made above
# it); Run > Run All Above Selected Cell brings them back.
# Why not 5 minutes: a learner who leaves every tab open would hold 2 kernels at most instead
# of 3 (bench/learner_memory.py over 00-08: 273 instead of 318 MiB PSS at the peak), but a learner
# who listens to the facilitator for 5 minutes without running a cell would lose theirs.
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60
# Culled even with its tab still open. An open tab keeps a websocket connected to its kernel,
# and learners usually leave their tabs open: with cull_connected off (Jupyter's default) no
# kernel of an open tab would ever go (bench/hub_memory.py, every tab open after 00-08: 9
# kernels). A widget that still talks to its kernel (06's app view while it waits for
# oauthContext) counts as activity, so it keeps its kernel for as long as it waits.
c.MappingKernelManager.cull_connected = True
# Never while a cell runs (Jupyter's default, said here so nobody has to look it up).
c.MappingKernelManager.cull_busy = False
