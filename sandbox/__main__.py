"""`python -m sandbox --port P --data-dir D`: run the stand-in world in the foreground.

Listens on 127.0.0.1 only. Writes `D/sandbox.json` (pid, port) once it is
listening, so launchers can find it, and logs to `D/sandbox.log`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from .server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    parser.add_argument("--data-dir", type=Path, default=Path(".sandbox"), help="folder for the SQLite file and log")
    args = parser.parse_args(argv)
    # SIGTERM ends the server cleanly (the launcher's stop() sends it).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    logging.basicConfig(level=logging.INFO)
    serve(args.data_dir, args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
