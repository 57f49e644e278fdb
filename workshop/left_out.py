"""Make imports fail, in this process, as if the packages were not installed.

For what the learners' kernel (`workshop.kernel`) and server commands (`workshop.server`) load and never
use: None in sys.modules makes `import name` raise ImportError, which the libraries importing them
already handle as "not installed". A module imported before is left alone.
"""

from __future__ import annotations

import sys


def leave_out(*names: str) -> None:
    for name in names:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
