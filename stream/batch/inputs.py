"""What ``reprocut batch INPUT...`` stands for: video files, folders searched for videos, ``@list.txt``.

Every input gets a ``name``, the stem of its scene files in the output folder: its path relative
to the folder it was found in (``s01/ep01`` for ``series/s01/ep01.mkv`` given as ``series``), or
its base name for a file, URL or list entry given on its own. Names that would collide (the same
episode name in two folders given apart, ``ep01.mkv`` beside ``ep01.mp4``) get a short hash of the
input's path, which stays the same from one run to the next, whatever the order of the inputs.

Nothing is opened here: a path that does not exist is an input like any other and fails on its
own when it is processed, so one typo never stops an archive run.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlparse

from ..core.errors import UsageError
from ..sources.decode import VIDEO_EXTENSIONS


@dataclass(frozen=True)
class Input:
    source: str  # what is opened: an absolute path, or a URL as given
    name: str  # stem of its output files, relative to the output folder ('/'-separated)


def _is_url(text: str) -> bool:
    return len(urlparse(text).scheme) > 1  # one letter: a Windows drive


def _stem(relative: str) -> str:
    return os.path.splitext(relative)[0].replace(os.sep, "/")


def _one(text: str) -> Input:
    """A file or URL given on its own: named after its base name."""
    if _is_url(text):
        base = os.path.basename(urlparse(text).path.rstrip("/")) or urlparse(text).netloc or "video"
        return Input(text, _stem(base))
    path = os.path.abspath(text)
    return Input(path, _stem(os.path.basename(path)) or "video")


def _folder(path: str) -> list[Input]:
    """Every video under ``path`` (recursively, in a stable order), named relative to ``path``."""
    found = []
    for top, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            if os.path.splitext(name)[1].lower() in VIDEO_EXTENSIONS:
                full = os.path.abspath(os.path.join(top, name))
                found.append(Input(full, _stem(os.path.relpath(full, os.path.abspath(path)))))
    return found


def _list_file(path: str) -> list[str]:
    """The entries of ``@list.txt``: one path or URL a line; blank lines and ``#`` comments skipped.
    Relative paths are relative to the list's folder, so a list can travel with its videos."""
    try:
        with open(path) as f:
            lines = [line.strip() for line in f]
    except OSError as exc:
        raise UsageError(f"@{path}: cannot read the list ({exc.strerror or exc})") from None
    base = os.path.dirname(os.path.abspath(path))
    return [line if _is_url(line) else os.path.join(base, line) for line in lines if line and not line.startswith("#")]


def expand(items: list[str]) -> list[Input]:
    """The inputs ``items`` stand for, each once (the first time it is named), with unique names."""
    inputs: list[Input] = []
    for item in items:
        if item.startswith("@"):
            for entry in _list_file(item[1:]):
                inputs += _folder(entry) if os.path.isdir(entry) else [_one(entry)]
        elif os.path.isdir(item):
            inputs += _folder(item)
        else:
            inputs.append(_one(item))
    first: dict[str, Input] = {}
    for i in inputs:
        first.setdefault(i.source, i)
    unique = list(first.values())
    taken = Counter(i.name for i in unique)
    return [Input(i.source, f"{i.name}.{hashlib.sha1(i.source.encode()).hexdigest()[:8]}") if taken[i.name] > 1 else i
            for i in unique]
