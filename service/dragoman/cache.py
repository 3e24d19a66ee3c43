"""A persistent cache for model outputs (sentence embeddings, translations, NER results), shared
by the server and `dragoman batch`: an embedded SQLite database, keyed by model + revision +
the input's hash, with a size cap and least-recently-used eviction. A hit returns the exact
bytes stored, so cached and fresh runs give byte-identical output.

Safe across threads (one connection per thread) and processes (SQLite's own locking, WAL mode).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    size INTEGER NOT NULL,
    used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entry_used ON entry (used);
"""


def cache_key(model: str, revision: str, text: str) -> str:
    """One key per model, revision and input text."""
    h = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return f"{model}@{revision}:{h}"


class Cache:
    """get/put bytes by key; the database never grows past `max_bytes` (values' total)."""

    def __init__(self, path: Path, max_bytes: int = 1 << 30) -> None:
        self.path = path
        self.max_bytes = max_bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.hits = 0
        self.misses = 0
        with self._db() as db:
            db.executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        """The stored values of those keys that are present (and marks them used)."""
        if not keys:
            return {}
        db = self._db()
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = db.execute(f"SELECT key, value FROM entry WHERE key IN ({marks})", part)
            found.update((k, bytes(v)) for k, v in rows)
        if found:
            now = time.time()
            db.executemany("UPDATE entry SET used = ? WHERE key = ?", [(now, k) for k in found])
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def get(self, key: str) -> bytes | None:
        return self.get_many([key]).get(key)

    def put_many(self, items: dict[str, bytes]) -> None:
        if not items:
            return
        db = self._db()
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT OR REPLACE INTO entry (key, value, size, used) VALUES (?, ?, ?, ?)",
                [(k, v, len(v), now) for k, v in items.items()],
            )
            self._evict(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def put(self, key: str, value: bytes) -> None:
        self.put_many({key: value})

    def _evict(self, db: sqlite3.Connection) -> None:
        (total,) = db.execute("SELECT COALESCE(SUM(size), 0) FROM entry").fetchone()
        if total <= self.max_bytes:
            return
        # Oldest first until 90% of the cap: eviction runs rarely, not on every write.
        excess = total - int(self.max_bytes * 0.9)
        rows = db.execute("SELECT key, size FROM entry ORDER BY used, key")
        doomed: list[tuple[str]] = []
        for key, size in rows:
            if excess <= 0:
                break
            doomed.append((key,))
            excess -= size
        db.executemany("DELETE FROM entry WHERE key = ?", doomed)

    def size(self) -> tuple[int, int]:
        """(entries, bytes of values)."""
        n, total = (
            self._db().execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM entry").fetchone()
        )
        return int(n), int(total)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
