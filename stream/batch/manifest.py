"""``DIR/manifest.jsonl``: one JSON line per processed input, appended as each finishes; what a rerun skips.

Only the command's own process writes it, one whole line at a time, flushed and synced, so a
run killed with SIGKILL leaves every finished video recorded and at most the line being written
cut short; that torn line is dropped when the manifest is opened again. A rerun appends: the last
line of a path is its state. An input is done, and skipped, when its last line says ``ok``, the
scene files that line names (every kind now asked for) exist, and the source still has the size
and modification time recorded (a URL cannot be checked: an ``ok`` is trusted).
"""

from __future__ import annotations

import json
import logging
import os

from .inputs import Input

log = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"


def source_stat(source: str) -> dict:
    """The size and modification time a local file has now ({} for a URL or a missing file)."""
    try:
        st = os.stat(source)
    except (OSError, ValueError):
        return {}
    return {"size": st.st_size, "mtime": st.st_mtime}


class Manifest:
    """The manifest of output folder ``folder``: its last line per path, and appending new ones."""

    def __init__(self, folder: str):
        self.folder = folder
        self.path = os.path.join(folder, MANIFEST)
        self.last: dict[str, dict] = {}
        if os.path.exists(self.path):
            self._load()
        self._file = open(self.path, "a")

    def _load(self) -> None:
        with open(self.path, "rb+") as f:
            data = f.read()
            whole = data.rfind(b"\n") + 1
            if whole < len(data):  # the line being written when a run was killed
                log.warning("%s: dropping an unfinished last line (an interrupted run)", self.path)
                f.truncate(whole)
        for n, line in enumerate(data[:whole].splitlines(), 1):
            try:
                record = json.loads(line)
                self.last[record["path"]] = record
            except (ValueError, KeyError, TypeError):
                log.warning("%s:%d: not a manifest line, ignored", self.path, n)

    def done(self, item: Input, kinds: tuple[str, ...]) -> bool:
        """True when ``item`` finished ``ok`` before, its ``kinds`` of scene files exist and its source is unchanged."""
        record = self.last.get(item.source)
        if not record or record.get("status") != "ok":
            return False
        outputs = record.get("outputs") or {}
        if any(kind not in outputs or not os.path.isfile(os.path.join(self.folder, outputs[kind])) for kind in kinds):
            return False
        now = source_stat(item.source)
        return not now or (record.get("size"), record.get("mtime")) == (now["size"], now["mtime"])

    def append(self, record: dict) -> None:
        """One line, on disk before this returns."""
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.last[record["path"]] = record

    def close(self) -> None:
        self._file.close()
