"""nbval runs the notebooks in the kernel learners get, and formats its debug log only when it is shown.

A pytest plugin, named by the root conftest.py (so every pytest run in the checkout has it, `make test`'s
nbval among them), and given with ``-p tests.notebooks.nbval_plugin`` by bench/notebooks.py to both its
sides (the kit's notebooks and the trivial ones, which live outside the checkout), so that the bench times
what `make test` runs.

1. The learners' kernel. With ``--nbval-current-env`` nbval starts IPython's kernel as installed,
   from a spec its own kernel spec manager makes (``nbval.kernel.NbvalKernelspecManager``). Learners'
   servers start it as ``workshop.kernel.LeanKernel`` (workshop/kernel_spec.py): no debugpy, and no
   httpx command-line client (rich and click), which the stock kernel loads with every ``import httpx``
   where the test tools have installed them (about 40 ms a notebook). The committed outputs are
   checked in the kernel that learners run them in.
2. nbval's debug log. nbval logs every kernel message at debug level and formats it with pprint
   first, whether or not debug logging is on (``get_message`` in nbval/kernel.py): the kit's
   notebooks send some 1,200 messages, widget states and pages among them. Here the log gets a value
   formatted only when a handler emits the line; with ``--log-level=DEBUG`` it reads as before.

Both reach into nbval's module by name; if a release of nbval renames them, the plugin says so.
"""

from __future__ import annotations

from pprint import pformat
from typing import Any

import nbval.kernel
from jupyter_client.kernelspec import KernelSpec
from traitlets import Type

from workshop.kernel_spec import LeanKernelSpec

_NAMES = ("NbvalKernelspecManager", "pformat")


class LearnersKernelspecManager(nbval.kernel.NbvalKernelspecManager):
    """nbval's kernel spec manager, its specs made as the learners' server makes them."""

    kernel_spec_class = Type(LeanKernelSpec, klass=KernelSpec, config=True)


class FormattedWhenShown:
    """pprint's text of a value, made when the log line is emitted rather than when it is logged."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return pformat(self.value)


def pytest_configure(config) -> None:
    missing = [name for name in _NAMES if not hasattr(nbval.kernel, name)]
    if missing:
        raise RuntimeError(
            f"nbval {getattr(nbval, '__version__', '?')} has no {', '.join(missing)} in nbval.kernel: "
            "update tests/notebooks/nbval_plugin.py for it, or pin the nbval it was written for."
        )
    nbval.kernel.NbvalKernelspecManager = LearnersKernelspecManager
    nbval.kernel.pformat = FormattedWhenShown
