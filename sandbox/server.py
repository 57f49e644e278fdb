"""Serve the world on 127.0.0.1 and announce where, in the data folder; sleep when idle (idle.py).

The server is werkzeug's, one thread a connection, and it closes every connection after one answer.
A server that keeps them (waitress 3.0, HTTP/1.1 keep-alive, 32 threads) was tried on 5 December 2026
and left out: a request on loopback took 0.65 ms instead of 1.14, but the kit's notebooks under nbval
took no less (nine runs each, 11.8 to 13.0 s against 12.0 to 13.0 s: some 300 requests, at most 0.15 s
of them), and with 100 flows at once (bench/sandbox_flow.py) a request took 6 to 20 times longer (p50
0.84 s against 0.13 s, p95 3.8 s against 0.19 s; waitress reads and writes every socket in one thread).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import queue
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from . import idle
from .app import create_app
from .files import ANNOUNCE_FILE, LOG_FILE, LOG_FORMAT, LOGGERS, log_into
from .web import oauth_error_body, stripe_error_body


class QuietHandler(WSGIRequestHandler):
    """The app writes its own access log, with secrets redacted; werkzeug's would print them."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a request the HTTP server refuses before the app sees it (a request line over 64 KiB,
        a header too long) in the error shape of the stand-in its path names, as the app would,
        instead of http.server's HTML page."""
        short, long = self.responses.get(code, ("Error", ""))
        words = (getattr(self, "raw_requestline", b"") or b"").split(b" ", 2)
        path = words[1].decode("latin-1") if len(words) > 1 else ""
        body = json.dumps(error_body(path, f"{message or short}: {explain or long}")).encode()
        self.log_error("code %d, message %s", code, message or short)
        self.send_response(code, message)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code not in (204, 304):
            self.wfile.write(body)


def error_body(path: str, message: str) -> dict[str, Any]:
    """An error in the shape of the stand-in under `path`: OAuth's for the provider, else Stripe's envelope."""
    if path.startswith("/provider"):
        return oauth_error_body("invalid_request", message)
    return stripe_error_body(message)


def serve(data_dir: Path, port: int = 0, idle_exit: float = 0, fd: int | None = None) -> None:
    """Serve until SIGTERM; after `idle_exit` seconds without a request (0: never), sleep (idle.py).

    `fd`: an open listening socket to serve on instead of binding `port` (a sandbox woken from sleep).
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(data_dir / LOG_FILE)
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    # Request threads hand log records to a queue; one thread writes the file,
    # so a hundred requests do not queue on the file handler's lock.
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = logging.handlers.QueueListener(records, file_handler)
    listener.start()
    log_into(logging.handlers.QueueHandler(records))
    for name in LOGGERS:
        logging.getLogger(name).propagate = False

    activity = idle.Activity(create_app(data_dir))
    server = make_server("127.0.0.1", port, activity, threaded=True, request_handler=QuietHandler, fd=fd)
    if fd is not None:
        os.close(fd)  # the server serves on its own duplicate of it
    announce = data_dir / ANNOUNCE_FILE
    tmp = announce.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "port": server.port}))
    tmp.replace(announce)  # atomic: a reader never sees half a file
    logging.getLogger("sandbox").info("listening on http://127.0.0.1:%d (data in %s)", server.port, data_dir)
    # werkzeug closes its socket when serving stops: a duplicate keeps the port open for the keeper.
    listening = os.dup(server.socket.fileno())
    if idle_exit > 0:
        idle.shut_down_when_idle(server, activity, idle_exit)
    try:
        server.serve_forever()  # returns only when idle; SIGTERM raises SystemExit (__main__.py)
    except BaseException:
        server.server_close()
        try:
            if json.loads(announce.read_text()).get("pid") == os.getpid():
                announce.unlink()
        except (OSError, ValueError):
            pass
        listener.stop()
        raise
    # Idle: the port stays open (`listening`) and announced, in this same process, for the keeper to hold.
    idle.wait_for_requests_to_end(activity)
    logging.getLogger("sandbox").info("no request for %g s: asleep until the next one", idle_exit)
    listener.stop()
    idle.hand_over_to_keeper(listening, data_dir, idle_exit)
