"""`python -m sandbox --port P --data-dir D [--idle-exit S] [--no-cors]`: run the stand-in world in the foreground.

Listens on 127.0.0.1 only. Writes `D/sandbox.json` (pid, port) once it is
listening, so launchers can find it, and logs to `D/sandbox.log`. After S seconds
without a request (default: $KIT_SANDBOX_IDLE_EXIT, else 600; 0: never) it sleeps
in a small keeper process that holds the port, and wakes at the next request
(sandbox/idle.py). With --no-cors the provider answers no CORS (sandbox/provider/cors.py) until
switched back (World.set_cors); the setting stays in the data folder.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

if __name__ == "__main__":
    # The sandbox serves plain HTTP on 127.0.0.1 and calls nothing over TLS, so OpenSSL stays out of its
    # process: `ssl`, which http.client, werkzeug and Flask import only where it is present, and `_hashlib`,
    # OpenSSL's hashes, in whose place hashlib takes Python's own (SHA-256 for PKCE among them). 4.5 MiB of
    # each learner's sandbox (41.2 MiB after notebooks 00-06, 36.7 without). Only as `python -m sandbox`:
    # a process that imports this module (a test) keeps its TLS.
    for _name in ("ssl", "_ssl", "_hashlib"):
        sys.modules.setdefault(_name, None)  # type: ignore[arg-type]  # how Python marks a module as absent

from .files import DATABASE_FILE  # noqa: E402  (after the leave-out above, which must come first)
from .idle import DEFAULT_IDLE_EXIT, ENV_IDLE_EXIT  # noqa: E402
from .provider.cors import set_enabled  # noqa: E402
from .server import serve  # noqa: E402
from .storage import Storage  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    parser.add_argument("--data-dir", type=Path, default=Path(".sandbox"), help="folder for the SQLite file and log")
    parser.add_argument(
        "--idle-exit",
        type=float,
        default=os.environ.get(ENV_IDLE_EXIT, str(DEFAULT_IDLE_EXIT)),
        metavar="SECONDS",
        help=f"sleep after this long without a request, 0 for never (default: ${ENV_IDLE_EXIT}, else %(default)s)",
    )
    parser.add_argument(
        "--no-cors", action="store_true", help="the provider answers no CORS, as one configured for no browser"
    )
    # Set by the keeper that wakes a sleeping sandbox: serve on this inherited listening socket.
    parser.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # SIGTERM ends the server cleanly (the launcher's stop() sends it).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    logging.basicConfig(level=logging.INFO)
    if args.no_cors:
        set_enabled(Storage(args.data_dir / DATABASE_FILE), False)
    serve(args.data_dir, args.port, idle_exit=args.idle_exit, fd=args.fd)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
