"""Serve the world on 127.0.0.1 and announce where, in the data folder."""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import queue
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_app
from .files import ANNOUNCE_FILE, LOG_FILE


class QuietHandler(WSGIRequestHandler):
    """The app writes its own access log, with secrets redacted; werkzeug's would print them."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def serve(data_dir: Path, port: int = 0) -> None:
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    file_handler = logging.FileHandler(data_dir / LOG_FILE)
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    # Request threads hand log records to a queue; one thread writes the file,
    # so a hundred requests do not queue on the file handler's lock.
    records: queue.SimpleQueue = queue.SimpleQueue()
    listener = logging.handlers.QueueListener(records, file_handler)
    listener.start()
    for name in ("sandbox", "werkzeug"):
        logging.getLogger(name).addHandler(logging.handlers.QueueHandler(records))
        logging.getLogger(name).propagate = False
    logging.getLogger("sandbox").setLevel(logging.INFO)

    server = make_server("127.0.0.1", port, create_app(data_dir), threaded=True, request_handler=QuietHandler)
    announce = data_dir / ANNOUNCE_FILE
    tmp = announce.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "port": server.server_port}))
    tmp.replace(announce)  # atomic: a reader never sees half a file
    logging.getLogger("sandbox").info("listening on http://127.0.0.1:%d (data in %s)", server.server_port, data_dir)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        listener.stop()
        try:
            if json.loads(announce.read_text()).get("pid") == os.getpid():
                announce.unlink()
        except (OSError, ValueError):
            pass
