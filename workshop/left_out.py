"""Make imports fail, or wait until first use, in this process.

For what the learners' kernel (`workshop.kernel`) and server commands (`workshop.server`) load and never
use: None in sys.modules makes `import name` raise ImportError, which the libraries importing them
already handle as "not installed". A module imported before is left alone.

For what a server extension imports at load but uses only on a path the kit never takes, `defer` puts a
stand-in in sys.modules: `import name` gives it at once, and the package itself is imported when one of
its names is first read (or a submodule imported). Nothing breaks if that path is taken after all; it
only pays the import then. (The standard library's `importlib.util.LazyLoader` cannot do this: every
`import name` after the first reads the module's `__spec__`, which makes it load at once.)
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType


def leave_out(*names: str) -> None:
    for name in names:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


class Deferred(ModuleType):
    """Stands in for a package until a name it lacks is read: then the package is imported and answers.

    It has what the import system and `inspect` read of every module (`__spec__`, `__file__`, `__loader__`),
    so those do not load it; it has no `__path__`, so importing a submodule loads the package first.
    """

    def __getattr__(self, attr: str) -> object:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]  # the next import, just below, is the real one
        return getattr(importlib.import_module(name), attr)


def defer(*names: str) -> None:
    """Leave each package's import until first use (see the module's docstring); one imported already stays."""
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:  # not installed: `import name` fails as it would have
            continue
        stand_in = Deferred(name)
        stand_in.__spec__ = spec
        stand_in.__loader__ = spec.loader
        stand_in.__file__ = spec.origin
        stand_in.__package__ = name
        sys.modules[name] = stand_in
