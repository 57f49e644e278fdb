"""One SQLite file for the whole stand-in world.

Every write runs in its own transaction and is committed before the HTTP
response is sent, so anything that returned 200 survives a crash of the
process (SIGKILL included). WAL lets readers run while one writer writes;
`synchronous=NORMAL` in WAL mode keeps every commit across a process crash
(only an operating-system crash could lose the last commits), which is the
failure a learner's laptop or a workshop hub actually sees.

In the browser edition (`mirror`, sandbox/in_process.py) the database works in the kernel's
memory file system and the whole file is copied to `mirror` after each committed write: the
browser keeps the notebooks' folder (JupyterLite's /drive) only as whole files, written when
closed, which SQLite's page writes to an open file are not. A kernel that finds the mirror
changed by another kernel (a second notebook open) reads it again before its next transaction.
The browser's storage has no file lock, so two kernels writing in the same instant would keep
the later copy only: a learner runs one cell at a time, and each kernel catches up first.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FileStamp = tuple[int, int]  # a file's (st_mtime_ns, st_size): changed when another writer wrote it

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

    def __init__(self, path: Path | str, mirror: Path | str | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.mirror = Path(mirror) if mirror is not None else None
        self._mirror_stamp: FileStamp | None = None
        self._pool: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # Reentrant: a read inside a write (same thread) looks at the mirror under it without deadlock.
        self._write_lock = threading.RLock()
        if self.mirror is not None:
            self._start_from_mirror()
        with self._connection() as db:
            # executescript manages its own transaction, so it runs outside write().
            db.executescript(SCHEMA)

    def _start_from_mirror(self) -> None:
        """Work on a fresh copy of the mirror (or an empty database): what this kernel finds at its start."""
        assert self.mirror is not None
        for leftover in (self.path, *(self.path.with_name(self.path.name + end) for end in ("-journal", "-wal"))):
            leftover.unlink(missing_ok=True)
        self.mirror.parent.mkdir(parents=True, exist_ok=True)
        if self.mirror.exists():
            self.path.write_bytes(self.mirror.read_bytes())
            self._mirror_stamp = _stamp(self.mirror)

    def _catch_up(self) -> None:
        """Read the mirror again if another kernel wrote it since this one last read or wrote it."""
        if self.mirror is None or _stamp(self.mirror) in (None, self._mirror_stamp):
            return
        # A private copy first: SQLite reads it as any file, not page by page from the browser's storage.
        incoming_path = self.path.with_name(self.path.name + "-incoming")
        incoming_path.write_bytes(self.mirror.read_bytes())
        self._mirror_stamp = _stamp(self.mirror)
        incoming = sqlite3.connect(incoming_path)
        try:
            with self._connection() as db:
                incoming.backup(db)
        finally:
            incoming.close()
            incoming_path.unlink()

    def _save_mirror(self) -> None:
        """The whole working file into the mirror, in one write (after a COMMIT, it holds every change)."""
        if self.mirror is not None:
            self.mirror.write_bytes(self.path.read_bytes())
            self._mirror_stamp = _stamp(self.mirror)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        # WAL's shared-memory index needs what a browser's kernel lacks; one thread there needs no WAL.
        db.execute("PRAGMA journal_mode=" + ("DELETE" if self.mirror is not None else "WAL"))
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
        if self.mirror is not None:
            with self._write_lock:
                self._catch_up()
        with self._connection() as db:
            db.execute("BEGIN")
            try:
                yield db
            finally:
                db.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            self._catch_up()
            with self._connection() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
                self._save_mirror()


def _stamp(path: Path) -> FileStamp | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size
