"""The kit's kernel spec: the Python kernel started as `workshop.kernel.LeanKernel` (no debugpy).

The kit's server extension sets this class as the server's `KernelSpecManager.kernel_spec_class`
when the server's config does not set one, so it applies wherever the extension runs (`make lab`,
Binder, a hub's single-user servers) and to nothing else; a learner who wants JupyterLab's debugger
back starts the server with `--KernelSpecManager.kernel_spec_class=jupyter_client.kernelspec.KernelSpec`.
The benches start their kernels with it too (bench/notebooks.py), so they measure what learners run.

Only the Python kernel of the server's own environment is changed (argv `python -m ipykernel_launcher`,
which jupyter_client runs with the server's Python, where the kit is installed): a kernel from
another environment may not have the kit to import.
"""

from __future__ import annotations

import sys
from typing import Any

from jupyter_client.kernelspec import KernelSpec

KERNEL_CLASS = "workshop.kernel.LeanKernel"
# The names jupyter_client replaces with the server's own Python when it starts a kernel.
_OWN_PYTHON = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2]), sys.executable}


def is_own_ipykernel(argv: list[str]) -> bool:
    """Whether `argv` starts IPython's kernel with the server's own Python."""
    return len(argv) >= 3 and argv[0] in _OWN_PYTHON and argv[1:3] == ["-m", "ipykernel_launcher"]


class LeanKernelSpec(KernelSpec):
    """A kernel spec that starts the server's own IPython kernel as `LeanKernel`; any other spec as it is."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if is_own_ipykernel(self.argv) and not any(arg.startswith("--IPKernelApp.kernel_class") for arg in self.argv):
            self.argv = [*self.argv, f"--IPKernelApp.kernel_class={KERNEL_CLASS}"]
            # What JupyterLab reads to offer its debugger switch: none here.
            self.metadata = {**self.metadata, "debugger": False}


def apply_lean_kernel(kernel_spec_manager: Any, config: Any) -> bool:
    """Use `LeanKernelSpec` unless the server's config chose a kernel spec class; True if it is used."""
    from .settings import configured

    if configured(config, type(kernel_spec_manager), "kernel_spec_class"):
        return False
    kernel_spec_manager.kernel_spec_class = LeanKernelSpec
    return True
