"""CPU of the PostgreSQL backends serving one database, and the sessions opened to it: the
database's share of a load that the server's own CPU does not show."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.proc_stats import own_cpu_s


class BackendWatch:
    """CPU of the PostgreSQL backends connected to the database (found by their titles,
    'postgres: user database host(port) state'), backends that come and go included: /proc is
    scanned every SCAN_S seconds and each backend counts from the CPU it had when the watch
    began (0 for a backend born later) to the last value seen. A backend living less than
    SCAN_S, and a backend's last SCAN_S before it exits, are missed."""

    SCAN_S = 0.2

    def __init__(self, database: str | None) -> None:
        self.marker = f" {database} ".encode() if database else None
        self.base: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def _scan(self) -> dict[int, float]:
        found: dict[int, float] = {}
        if self.marker is None:
            return found
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                title = (entry / "cmdline").read_bytes()
                if not title.startswith(b"postgres:") or self.marker not in title:
                    continue
                found[int(entry.name)] = own_cpu_s(int(entry.name))
            except OSError:
                continue
        return found

    def _update(self) -> None:
        seen = self._scan()
        with self.lock:
            self.last.update(seen)

    def start(self) -> None:
        self.base = self._scan()
        self.last = dict(self.base)
        if self.marker is not None:
            self.thread = threading.Thread(target=self._loop, daemon=True)
            self.thread.start()

    def _loop(self) -> None:
        while not self.stopped.wait(self.SCAN_S):
            self._update()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()

    def cpu_s(self) -> tuple[float, int]:
        """(CPU seconds so far, backends seen so far)."""
        self._update()
        with self.lock:
            total = sum(cpu - self.base.get(pid, 0.0) for pid, cpu in self.last.items())
            return total, len(self.last)


def pg_sessions(admin_url: str | None, database: str | None) -> int | None:
    """Sessions ever established to the database (pg_stat_database.sessions, PostgreSQL 14+),
    read through the admin database so as not to add one."""
    if admin_url is None or database is None:
        return None
    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
            value = connection.execute(
                text("SELECT sessions FROM pg_stat_database WHERE datname = :name"),
                {"name": database},
            ).scalar()
        return None if value is None else int(value)
    finally:
        engine.dispose()
