"""The learners' kernel: IPython's own, without the debugger's debugpy, which nothing in the kit uses.

ipykernel (7.4) imports debugpy into every kernel it starts, to tell the frontend a debugger is
there (`ipykernel.debugger` on the kernel's start and in every `kernel_info` reply), whether or not
anyone debugs: about 8 MiB of each learner's every kernel (bench/notebooks.py). No setting of
ipykernel's keeps it out (an `advertise_debugger` option is proposed upstream, ipython/ipykernel#1545,
not released). `LeanKernel` makes the import of debugpy fail before ipykernel tries it, the way
ipykernel already handles an environment without debugpy: no debugger is advertised, so
JupyterLab shows no debugger switch, and everything else is IPython's kernel unchanged.

It also moves what the kernel made while starting (IPython, ipykernel, zmq, tornado: some 42,000
objects, all kept for the kernel's life) out of the garbage collector's sight once it is ready
(`gc.freeze`, after a collection so no garbage is kept). Every full collection would otherwise walk
them again: each notebook's first cell, importing ipywidgets, httpx and the kit, paid about 15 ms of
collections, 3.5 ms after (bench/notebooks.py, per cell). Objects a learner's cells make are
collected as before.

The server starts it through `workshop.kernel_spec` (the kit's server extension); this module is
imported only in the kernel.
"""

from __future__ import annotations

import gc

from ipykernel.ipkernel import IPythonKernel

from .left_out import leave_out

# Here, at import, rather than in the kernel's __init__: the kernel's `debugger_class` trait imports
# ipykernel.debugger (and so debugpy) as the instance is made, before __init__ runs. IPKernelApp
# imports this module, to find `kernel_class`, before it makes the kernel. Also left out: httpx's
# command-line client (`httpx._main`), which `import httpx` loads whenever rich and click happen to be
# installed (5 MiB: a hub image or the kit's test tools may have them); httpx falls back to a `main`
# that asks for `httpx[cli]`, and nothing in a kernel runs httpx's command line.
leave_out("debugpy", "httpx._main")


class LeanKernel(IPythonKernel):
    """IPython's kernel, with debugpy left out and its start-up objects frozen (see the module's docstring)."""

    def start(self) -> None:
        super().start()
        # IPKernelApp calls this once the kernel, its shell and its startup code are made, just before
        # its event loop runs the first request.
        gc.collect()
        gc.freeze()
