"""Where the administration page keeps an import's error report, and for how long.

The report repeats each rejected row as read (names, phones, ID numbers), so it is personal
data: it is written under the data folder (``data/import-reports/``, beside the SQLite database
and ``secret.key``), readable by the app's account only (file 0600, folder 0700), offered as a
download, and deleted once older than the setting ``import_reports_keep_hours``. The
command-line import writes its report where ``--errors`` says; that file is the operator's.
"""

from __future__ import annotations

import os
import secrets
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.settings import DEFAULT_SQLITE_PATH

REPORTS_FOLDER = DEFAULT_SQLITE_PATH.parent / "import-reports"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def new_report_file(folder: Path | None = None, now: datetime | None = None) -> Path:
    """A new, empty report file, 0600, in the reports folder (made 0700 when missing). Its name
    says when it was made (UTC) and nothing about the import."""
    folder = folder or REPORTS_FOLDER
    _private_folder(folder)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{stamp}-{secrets.token_hex(8)}.csv"
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    return path


def delete_old_reports(
    keep_hours: int, folder: Path | None = None, now: datetime | None = None
) -> int:
    """Delete the reports last written more than keep_hours ago; return how many went."""
    folder = folder or REPORTS_FOLDER
    oldest_kept = (now or datetime.now(UTC)) - timedelta(hours=keep_hours)
    deleted = 0
    for path in folder.glob("*.csv"):
        try:
            written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            if written < oldest_kept:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # deleted meanwhile by another session
            continue
    return deleted


def _private_folder(folder: Path) -> None:
    """The reports folder 0700 (made so, or narrowed); missing parents (the data folder) are
    made 0700 as well."""
    missing = []
    parent = folder
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for new in reversed(missing):
        new.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
        new.chmod(PRIVATE_FOLDER)  # mkdir's mode is cut by the umask
    if stat.S_IMODE(folder.stat().st_mode) & 0o077:
        folder.chmod(PRIVATE_FOLDER)
