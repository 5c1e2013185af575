"""What ``reprocut detect`` prints: cut lines of a live source, the progress count, the scene table."""

import io

from reprocut.stream.core.events import CutEvent, EndEvent, StatsEvent, TransitionEvent
from reprocut.stream.sinks.base import feed
from reprocut.stream.sinks.files.terminal import CutLines, ProgressBar, SceneTable


def cut(frame: int, score: float) -> CutEvent:
    return CutEvent("0", frame, frame / 25, score, 3.25, 0.0)


EVENTS = [cut(50, 12.5), StatsEvent("0", 75, 25.0, 9.0, 20.0, 0, 3.25), cut(100, 7.0), EndEvent("0", 150, 2, 6.0, 0, "eof")]


def test_cut_lines_as_they_happen():
    out = io.StringIO()
    feed(EVENTS, [CutLines(out)])
    assert out.getvalue() == ("cut  frame      50       2.000 s  score  12.50 (threshold 3.25)\n"
                              "cut  frame     100       4.000 s  score   7.00 (threshold 3.25)\n")


def test_scene_table_at_the_end(capsys):
    feed(EVENTS, [SceneTable()])
    assert capsys.readouterr().out == (
        "scene  start frame         start  end frame (excl.)  length (s)\n"
        "    1            0  00:00:00.000                 50       2.000\n"
        "    2           50  00:00:02.000                100       2.000\n"
        "    3          100  00:00:04.000                150       2.000\n"
        "2 cuts, 150 frames, 6.00 s\n")


def test_a_transition_is_a_line_as_it_ends_and_one_boundary_at_its_middle_in_the_table():
    events = [cut(50, 12.5), TransitionEvent("0", 90, 109, "fade", 3.6, 4.36, 1.5, 0.0), EndEvent("0", 150, 1, 6.0, 0, "eof")]
    out = io.StringIO()
    feed(events, [CutLines(out)])
    assert out.getvalue().splitlines()[1] == "fade     frames 90-109  3.600-4.360 s  score   1.50"
    out = io.StringIO()
    feed(events, [SceneTable(out)])
    lines = out.getvalue().splitlines()
    assert [line.split()[1] for line in lines[1:4]] == ["0", "50", "100"]
    assert lines[-1] == "1 cut, 150 frames, 6.00 s, 1 transition"


def test_scene_table_counts_dropped_frames_and_needs_an_end():
    out = io.StringIO()
    feed([cut(50, 12.5), EndEvent("0", 80, 1, 3.2, 7, "stopped")], [SceneTable(out)])
    assert out.getvalue().splitlines()[-1] == "1 cut, 80 frames, 3.20 s, 7 frames dropped"
    out = io.StringIO()
    feed([cut(50, 12.5)], [SceneTable(out)])
    assert out.getvalue() == ""


def test_a_source_that_failed_before_its_first_frame_has_no_table():
    out = io.StringIO()
    feed([EndEvent("0", 0, 0, 0.0, 0, "failed")], [SceneTable(out)])
    assert out.getvalue() == ""
    feed([EndEvent("0", 0, 0, 0.0, 0, "eof")], [SceneTable(out)])  # an empty file did end: its (empty) table says so
    assert out.getvalue().splitlines()[-1] == "0 cuts, 0 frames, 0.00 s"


def test_progress_follows_the_stats_and_ends_at_the_true_count():
    bar = ProgressBar(total=160)  # the container's estimate; 150 frames were decoded
    for event in EVENTS[:2]:
        bar.on_event(event)
    assert bar.progress.count == 75
    for event in EVENTS[2:]:
        bar.on_event(event)
    bar.close()
    assert (bar.progress.total, bar.progress.count) == (150, 150)
