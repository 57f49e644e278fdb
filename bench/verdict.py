"""One verdict line a figure, the same in every bench: `PASS nbval time ratio 1.21 ≤ 1.3`.

`make bench` gathers these lines at its end. A verdict reports a measurement of one run on the
machine at hand (its load is printed beside it); it is never asserted.
"""

from __future__ import annotations

import os


def load() -> str:
    """The machine's load average (1, 5, 15 minutes): the context a figure was measured in."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def verdict(figure: str, value: float, target: float, unit: str = "", digits: int = 2) -> str:
    """Print and return the verdict line for `figure` at most `target`."""
    line = f"{'PASS' if value <= target else 'MISS'} {figure} {value:.{digits}f}{unit} ≤ {target:g}{unit}   ({load()})"
    print(line, flush=True)
    return line
