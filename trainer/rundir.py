"""The run directory's rules, checked before torch loads (~2.5 s), so a mistake is said at once."""

from __future__ import annotations

import os

from reprocut.stream.core.errors import UsageError


def check_run_dir(out: str, resume: bool, force: bool) -> bool:
    """Whether ``out`` already holds files; an existing one is refused unless resumed or forced."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"{out}: exists and is not a directory")
    exists = os.path.isdir(out) and bool(os.listdir(out))
    if exists and not resume and not force:
        raise UsageError(f"{out}: output directory exists; use --resume to continue it or --force to overwrite it")
    return exists
