"""The package layout: where ``split`` and ``batch`` sit, and no import circle anywhere in ``stream/``.

``tools/check_layers.py`` ranks the layer folders (core < sources, runtime < sinks < evaluation <
cli); ``split/`` and ``batch/`` are runners outside that ladder, so their place is held here:

- ``split/`` (one file per scene) imports only core, sources and sinks (and the progress bar,
  ``runtime/progress.py``): it decodes the video again and never runs the detector itself;
- ``batch/`` (archives) imports only core, sources, runtime, sinks, evaluation (its clip runner)
  and split;
- only ``cli/`` imports them (and ``batch/`` may import ``split/``), never trainer/ or export/;
- no circle of imports between any modules of ``stream/``, lazy imports inside functions included.

Imports are read with ``ast``, not run, so a module that is never imported is checked too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import ROOT

RUNNERS = {  # runner package -> the top folders of stream/ it may import (besides itself), and single modules
    "split": ({"core", "sources", "sinks"}, {"runtime.progress"}),
    "batch": ({"core", "sources", "runtime", "sinks", "evaluation", "split"}, set()),
}
IMPORTERS = {"split": {"cli", "batch"}, "batch": {"cli"}}  # who may import each runner


def _module_name(path: Path, stream: Path) -> str:
    """``stream/split/run.py`` -> ``split.run``; a package's ``__init__.py`` is the package (``batch``; ``""``: stream)."""
    parts = list(path.relative_to(stream).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(dotted: list[str], stream: Path) -> str | None:
    """The module of stream/ that ``dotted`` names (a module, a package, or an attribute of one), or None."""
    while dotted:
        base = stream.joinpath(*dotted)
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return ".".join(dotted)
        dotted = dotted[:-1]  # "from .pkg import name": name may be an attribute of pkg
    return None


def _imports(path: Path, stream: Path) -> set[str]:
    """The modules of stream/ that the file at ``path`` imports, at the top or inside functions."""
    inside = path.parent.relative_to(stream).parts if path.is_relative_to(stream) else None
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[list[str]] = []
        if isinstance(node, ast.Import):
            targets = [a.name.split(".")[2:] for a in node.names if a.name.startswith("reprocut.stream.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if inside is None:
                    continue  # trainer/ and export/ import stream/ by absolute names
                package = list(inside[: len(inside) - (node.level - 1)])
                base = package + (node.module.split(".") if node.module else [])
            elif node.module and (node.module + ".").startswith("reprocut.stream."):
                base = node.module.split(".")[2:]
            else:
                continue
            targets = [base + [a.name] for a in node.names if a.name != "*"] or [base]
        for target in targets:
            module = _resolve(target, stream)
            if module is not None:
                found.add(module)
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle that a depth-first walk meets (each reported once, from where it was entered)."""
    circles, done, path, on_path = [], set(), [], set()

    def visit(m: str) -> None:
        path.append(m)
        on_path.add(m)
        for n in sorted(graph.get(m, ())):
            if n in on_path:
                circles.append(path[path.index(n):] + [n])
            elif n not in done:
                visit(n)
        path.pop()
        on_path.discard(m)
        done.add(m)

    for m in sorted(graph):
        if m not in done:
            visit(m)
    return circles


def layout_problems(root: Path) -> list[str]:
    """What breaks the rules above in the project at ``root``: one line each."""
    stream = root / "stream"
    graph = {_module_name(p, stream): _imports(p, stream) - {_module_name(p, stream)} for p in sorted(stream.rglob("*.py"))}
    outside = {str(p.relative_to(root)): _imports(p, stream) for base in ("trainer", "export") if (root / base).is_dir()
               for p in sorted((root / base).rglob("*.py"))}
    problems = []
    for module, imported in graph.items():
        top = _top(module)
        if top in RUNNERS:
            tops, modules = RUNNERS[top]
            for target in sorted(imported):
                if _top(target) != top and _top(target) not in tops and target not in modules:
                    problems.append(f"{module} ({top}) imports {target}")
    for importer, imported in [*graph.items(), *outside.items()]:
        for target in sorted(imported):
            runner = _top(target)
            if runner in IMPORTERS and _top(importer) != runner and _top(importer) not in IMPORTERS[runner]:
                problems.append(f"{importer or 'stream'} imports {target} (only {' and '.join(sorted(IMPORTERS[runner]))} may)")
    problems += ["import circle: " + " -> ".join(c) for c in _circles(graph)]
    return problems


def test_split_and_batch_keep_their_place_and_nothing_imports_in_a_circle():
    assert (ROOT / "stream" / "split").is_dir() and (ROOT / "stream" / "batch").is_dir()
    assert layout_problems(ROOT) == []


def test_the_check_finds_each_kind_of_problem(tmp_path):
    def write(path: str, text: str = "") -> None:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)

    for package in ("", "core", "sinks", "evaluation", "split", "batch", "cli", "runtime"):
        write(f"stream/{package}/__init__.py".replace("//", "/"))
    write("stream/core/a.py", "from . import b\n")
    write("stream/core/b.py", "def f():\n    from .a import x\n")  # a lazy import closes the circle
    write("stream/evaluation/report.py")
    write("stream/runtime/progress.py")
    write("stream/runtime/ring.py")
    write("stream/split/run.py", "from ..runtime.progress import Progress\nfrom ..evaluation.report import r\n")
    write("stream/batch/run.py", "from ..split.run import split_video\nfrom ..evaluation import report\n")
    write("stream/sinks/files.py", "from reprocut.stream.batch.run import run_batch\n")
    write("stream/cli/batch.py", "from ..batch.run import run_batch\nfrom ..split import run\n")
    write("trainer/train.py", "from reprocut.stream.split.run import split_video\nfrom reprocut.stream.runtime.ring import R\n")
    assert sorted(layout_problems(tmp_path)) == sorted([
        "split.run (split) imports evaluation.report",
        "sinks.files imports batch.run (only cli may)",
        "trainer/train.py imports split.run (only batch and cli may)",
        "import circle: core.a -> core.b -> core.a",
    ])
