"""One SQLite file for the whole stand-in world.

Every write runs in its own transaction and is committed before the HTTP
response is sent, so anything that returned 200 survives a crash of the
process (SIGKILL included). WAL lets readers run while one writer writes;
`synchronous=NORMAL` in WAL mode keeps every commit across a process crash
(only an operating-system crash could lose the last commits), which is the
failure a learner's laptop or a workshop hub actually sees.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY,
    issued_at INTEGER NOT NULL,
    metadata TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_codes (
    code TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    user_id TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    auth_time INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    access_token TEXT PRIMARY KEY,
    refresh_token TEXT UNIQUE,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_in INTEGER NOT NULL,
    from_code TEXT,
    access_revoked INTEGER NOT NULL DEFAULT 0,
    refresh_revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tokens_from_code ON tokens(from_code);
CREATE TABLE IF NOT EXISTS installs (
    api_key TEXT PRIMARY KEY,
    install_id TEXT UNIQUE NOT NULL,
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    permissions TEXT NOT NULL,
    manifest TEXT NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE (app_id, user_id, mode)
);
CREATE TABLE IF NOT EXISTS oauth_states (
    state TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    verifier TEXT NOT NULL,
    challenge TEXT NOT NULL,
    custom_state TEXT NOT NULL,
    created INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS oauth_contexts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    context TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    livemode INTEGER NOT NULL,
    scope_type TEXT NOT NULL,
    scope_user TEXT NOT NULL,
    name TEXT NOT NULL,
    payload TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires_at INTEGER,
    UNIQUE (app_id, livemode, scope_type, scope_user, name)
);
"""


class Storage:
    """Thread-safe access to the sandbox's SQLite file.

    Connections come from a pool, since the server runs each request on a
    new thread and opening a connection costs more than most requests.
    `write()` holds the database's write lock for the whole block (BEGIN
    IMMEDIATE), so read-then-write sequences such as "is this code used? then
    mark it used" cannot interleave between two requests. Writers of this
    process queue on a lock first: SQLite's own busy wait sleeps in growing
    steps instead of waking when the lock frees, which made writers under load
    wait a hundred times longer than the writes took.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._pool: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._write_lock = threading.Lock()
        with self._connection() as db:
            # executescript manages its own transaction, so it runs outside write().
            db.executescript(SCHEMA)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=30000")  # other processes (tests, a second launcher) may write too
        return db

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            db = self._pool.get_nowait()
        except queue.Empty:
            db = self._open()
        try:
            yield db
        finally:
            self._pool.put(db)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN")
            try:
                yield db
            finally:
                db.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock, self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
