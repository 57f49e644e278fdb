"""The learners' kernel: IPython's own, without the debugger's debugpy, which nothing in the kit uses.

ipykernel (7.4) imports debugpy into every kernel it starts, to tell the frontend a debugger is
there (`ipykernel.debugger` on the kernel's start and in every `kernel_info` reply), whether or not
anyone debugs: about 8 MiB of each learner's every kernel (bench/notebooks.py). No setting of
ipykernel's keeps it out (an `advertise_debugger` option is proposed upstream, ipython/ipykernel#1545,
not released). `LeanKernel` makes the import of debugpy fail before ipykernel tries it, the way
ipykernel already handles an environment without debugpy: no debugger is advertised, so
JupyterLab shows no debugger switch, and everything else is IPython's kernel unchanged.

The server starts it through `workshop.kernel_spec` (the kit's server extension); this module is
imported only in the kernel.
"""

from __future__ import annotations

import sys

from ipykernel.ipkernel import IPythonKernel

# Here, at import, rather than in the kernel's __init__: the kernel's `debugger_class` trait imports
# ipykernel.debugger (and so debugpy) as the instance is made, before __init__ runs. IPKernelApp
# imports this module, to find `kernel_class`, before it makes the kernel. None in sys.modules makes
# `import debugpy` raise ImportError; a debugpy already imported is left alone.
sys.modules.setdefault("debugpy", None)  # type: ignore[arg-type]


class LeanKernel(IPythonKernel):
    """IPython's kernel, with debugpy left out (see the module's docstring)."""
