"""``DIR/manifest.jsonl``: one JSON line per processed input, appended as each finishes; what a rerun skips.

Only the command's own process writes it, one whole line at a time, flushed and synced, so a
run killed with SIGKILL leaves every finished video recorded and at most the line being written
cut short; that torn line is dropped when the manifest is opened again. A rerun appends: the last
line of a path is its state. An input is done, and skipped, when its last line says ``ok``, was
made with this run's settings (``settings.py``: model, scoring and source options), the scene
files that line names (every kind now asked for) exist, and the source still has the size and
modification time recorded (a URL cannot be checked: an ``ok`` is trusted). An input done again
keeps its formats: its new line lists the scene files of every kind its last ``ok`` line listed
besides those now asked for, all rewritten, so that none is left from other settings.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

from .inputs import Input
from .settings import changes

log = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"


def source_stat(source: str) -> dict:
    """The size and modification time a local file has now ({} for a URL or a missing file)."""
    try:
        st = os.stat(source)
    except (OSError, ValueError):
        return {}
    return {"size": st.st_size, "mtime": st.st_mtime}


@dataclass(frozen=True)
class Todo:
    """An input to process and the kinds of scene files to write; ``why`` it is done again, when it was finished before
    (``changed``: with other settings, so its files are not what this run would make)."""

    item: Input
    kinds: tuple[str, ...]
    why: str | None = None
    changed: bool = False


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

    def plan(self, item: Input, settings: dict, kinds: tuple[str, ...]) -> Todo | None:
        """What to do with ``item`` in a run with ``settings`` that asks for ``kinds`` of scene files; None: it is done."""
        record = self.last.get(item.source)
        if not record or record.get("status") != "ok":
            return Todo(item, kinds)
        had = record.get("outputs") or {}
        exists = {kind for kind, rel in had.items() if os.path.isfile(os.path.join(self.folder, rel))}
        kept = kinds + tuple(kind for kind in had if kind not in kinds and kind in exists)
        now = source_stat(item.source)
        if now and (record.get("size"), record.get("mtime")) != (now["size"], now["mtime"]):
            return Todo(item, kept)  # a new version of the video
        if (record.get("settings") or {}).get("id") != settings["id"]:
            return Todo(item, kept, f"made with other settings ({changes(record.get('settings'), settings)})", changed=True)
        missing = [kind for kind in kinds if kind not in exists]
        return Todo(item, kept, f"no {' or '.join(missing)} scene file yet") if missing else None

    def append(self, record: dict) -> None:
        """One line, on disk before this returns."""
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.last[record["path"]] = record

    def close(self) -> None:
        self._file.close()
