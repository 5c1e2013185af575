"""Command-line options generated from the config dataclasses, so that each default is declared once.

A field becomes ``--field-name`` (``_`` -> ``-``) with the field's type (``X | None``: ``X``;
``bool``: a switch, ``--no-field-name`` for one that is on by default) and the default of the
dataclass; the command supplies the help text, where ``%(default)s`` shows that default, or a
dict of further ``argparse`` keywords (``"default": argparse.SUPPRESS`` leaves an option that is
not given out of the parsed options, and so the dataclass's default applies). The parsed
options build the config back by the same names, so an option keeps one name from the
command line to the code::

    add_options(parser, ScorerConfig, {"warmup": "seconds of scores that calibrate the first threshold",
                                       "threshold_mode": {"choices": ["online", "paper"]}})
    scorer = config_from(args, ScorerConfig)
"""

from __future__ import annotations

import argparse
import difflib
import os
import typing
from dataclasses import fields
from typing import Any, TypeVar

from ..core.errors import UsageError

Spec = str | dict[str, Any] | None  # help text, or argparse keywords (None: no help)
Config = TypeVar("Config")


def _field_type(hint: Any) -> type:
    """The type an option converts to: ``float | None`` -> float."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args else hint


def add_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, cls: type, specs: dict[str, Spec]) -> None:
    """Add ``--field`` for each field of ``cls`` named in ``specs``, in that order."""
    defaults = cls()
    hints = typing.get_type_hints(cls)
    for name, spec in specs.items():
        kwargs = dict(spec) if isinstance(spec, dict) else {"help": spec}
        kind = _field_type(hints[name])
        default = None if kwargs.get("required") else getattr(defaults, name)  # a required option has none
        if kwargs.get("default", argparse.SUPPRESS) is not argparse.SUPPRESS:
            raise ValueError(f"--{name}: its default is the dataclass's (a spec may only give argparse.SUPPRESS)")
        default = kwargs.pop("default", default)
        flag = "--" + name.replace("_", "-")
        if kind is bool and default is True:  # on unless switched off
            flag = "--no-" + name.replace("_", "-")
            kwargs.update(action="store_false", dest=name)
        elif kind is bool:
            kwargs.setdefault("action", "store_true")
        else:
            kwargs.setdefault("type", kind)
        parser.add_argument(flag, default=default, **kwargs)


class HelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default, unless it already says it (or there is none: off, unset)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        takes_value = action.option_strings and action.nargs != 0  # a switch's default is off
        if takes_value and action.default not in (None, "", argparse.SUPPRESS) and "default" not in text:
            text += " (default: %(default)s)"
        return text


def config_from(args: argparse.Namespace, cls: type[Config], **overrides: Any) -> Config:
    """``cls`` from the parsed options named after its fields; ``overrides`` for those parsed otherwise."""
    given = {f.name: getattr(args, f.name) for f in fields(cls) if hasattr(args, f.name)}
    return cls(**{**given, **overrides})


def check_output_folders(*paths: str | None) -> None:
    """Each output file's folder must exist (None: not asked for): say so before any long work starts."""
    for path in paths:
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise UsageError(f"{path}: folder does not exist")


def suggestion(unknown: list[str], parser: argparse.ArgumentParser) -> str:
    """`` (did you mean --csv?)`` for the first of the ``unknown`` options close to one of ``parser``'s, else ``""``.

    Python 3.14's argparse suggests sub-commands and choices (``suggest_on_error``) but never options.
    """
    options = [flag for action in parser._actions for flag in action.option_strings if flag.startswith("--")]
    for word in unknown:
        if word.startswith("--"):
            close = difflib.get_close_matches(word.split("=", 1)[0], options, n=1, cutoff=0.6)
            if close:
                return f" (did you mean {close[0]}?)"
    return ""
