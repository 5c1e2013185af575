"""Scene files: PySceneDetect-compatible CSV, CMX3600 EDL and JSON, written atomically by the sink at close."""

import csv
import io
import json
import time

import pytest
from reprocut.stream.core.events import (
    CutEvent,
    EndEvent,
    SourceEvent,
    StatsEvent,
    TransitionEvent,
)
from reprocut.stream.core.scenes import scenes_from_cuts
from reprocut.stream.sinks.base import feed
from reprocut.stream.sinks.files.scene_files import (
    SceneFiles,
    read_json,
    to_csv,
    to_edl,
    to_json,
    write_atomic,
)
from reprocut.stream.sources import open_source

CSV = """\
Timecode List:,00:00:01.000,00:00:02.500
Scene Number,Start Frame,Start Timecode,Start Time (seconds),End Frame,End Timecode,End Time (seconds),Length (frames),Length (timecode),Length (seconds)
1,1,00:00:00.000,0.000,24,00:00:01.000,1.000,24,00:00:01.000,1.000
2,25,00:00:01.000,1.000,60,00:00:02.500,2.500,36,00:00:01.500,1.500
3,61,00:00:02.500,2.500,96,00:00:04.000,4.000,36,00:00:01.500,1.500
"""
EDL = """\
TITLE: clip.mp4
FCM: NON-DROP FRAME

001  AX       V     C        00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00
002  AX       V     C        00:00:01:00 00:00:02:12 00:00:01:00 00:00:02:12
003  AX       V     C        00:00:02:12 00:00:04:00 00:00:02:12 00:00:04:00
"""
SCENES = [{"scene": 1, "start_frame": 0, "end_frame": 24, "start_time": 0.0, "end_time": 1.0},
          {"scene": 2, "start_frame": 24, "end_frame": 60, "start_time": 1.0, "end_time": 2.5},
          {"scene": 3, "start_frame": 60, "end_frame": 96, "start_time": 2.5, "end_time": 4.0}]


def cut(frame: int) -> CutEvent:
    return CutEvent("0", frame, frame / 24, 9.0, 3.0, time.time(), {"kl": 9.0})


def run(tmp_path, end: EndEvent) -> dict:
    """Feed a stream with cuts at frames 24 and 60 (24 fps) to a SceneFiles sink; the files it left."""
    paths = {k: tmp_path / f"scenes.{k}" for k in ("csv", "edl", "json")}
    sink = SceneFiles("clips/clip.mp4", open_source("demo://?frames=96"), **{k: str(p) for k, p in paths.items()})
    events = [SourceEvent("0", "connected"), cut(24), StatsEvent("0", 48, 24.0, 5.0, 9.0, 0, 3.0), cut(60), end]
    feed(events, [sink])
    return {p.name: p.read_text() for p in sorted(tmp_path.iterdir())}


def test_csv_has_pyscenedetect_layout():
    scenes = scenes_from_cuts([(30, 1.25)], frames=48, duration=2.0)
    rows = list(csv.reader(io.StringIO(to_csv(scenes))))
    assert rows[0] == ["Timecode List:", "00:00:01.250"]
    assert rows[1][:5] == ["Scene Number", "Start Frame", "Start Timecode", "Start Time (seconds)", "End Frame"]
    # PySceneDetect numbers frames from 1 in its CSV; the end frame is the last frame of the scene
    assert rows[2] == ["1", "1", "00:00:00.000", "0.000", "30", "00:00:01.250", "1.250", "30", "00:00:01.250", "1.250"]
    assert rows[3][:2] == ["2", "31"] and rows[3][4] == "48"


def test_edl_and_json_parse_back():
    scenes = scenes_from_cuts([(24, 1.0), (60, 2.5)], frames=96, duration=4.0)
    assert to_edl(scenes, 24, "clip.mp4") == EDL
    data = json.loads(to_json(scenes, "clip.mp4", 24))
    assert data == {"source": "clip.mp4", "fps": 24, "scenes": SCENES, "transitions": []}


def test_edl_at_29_97_uses_drop_frame_timecode():
    # cuts at one minute (frame 1800) and at ten minutes (frame 17982) of 29.97 fps footage
    scenes = scenes_from_cuts([(1800, 1800 * 1.001 / 30), (17982, 600.0)], frames=18000, duration=18000 * 1.001 / 30)
    lines = to_edl(scenes, 30000 / 1001, "clip.mp4").splitlines()
    assert lines[1] == "FCM: DROP FRAME"
    assert lines[3].split()[-4:] == ["00:00:00;00", "00:01:00;02"] * 2
    assert lines[4].split()[-4:] == ["00:01:00;02", "00:10:00;00"] * 2
    assert lines[5].split()[-2:] == ["00:10:00;00", "00:10:00;18"]


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "scenes.csv"
    write_atomic(str(path), "a\n")
    write_atomic(str(path), "b\n")
    assert path.read_text() == "b\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scenes.csv"]


def test_sink_writes_every_file_at_the_end(tmp_path):
    files = run(tmp_path, EndEvent("0", 96, 2, 4.0, 0, "eof"))
    assert list(files) == ["scenes.csv", "scenes.edl", "scenes.json"]  # and no temporary file
    assert files["scenes.csv"] == CSV and files["scenes.edl"] == EDL
    assert json.loads(files["scenes.json"]) == {"source": "clips/clip.mp4", "fps": 24.0, "scenes": SCENES, "transitions": []}


def test_sink_writes_the_scenes_up_to_a_stop(tmp_path):
    files = run(tmp_path, EndEvent("0", 80, 2, 80 / 24, 0, "stopped"))  # Ctrl-C at frame 80
    assert [row.split(",")[4] for row in files["scenes.csv"].splitlines()[2:]] == ["24", "60", "80"]
    assert [s["end_frame"] for s in json.loads(files["scenes.json"])["scenes"]] == [24, 60, 80]


def test_sink_writes_nothing_without_an_end(tmp_path):
    def events():
        yield cut(24)
        raise RuntimeError("encoder died")

    sink = SceneFiles("clip.mp4", open_source("demo://?frames=96"), csv=str(tmp_path / "scenes.csv"))
    with pytest.raises(RuntimeError, match="encoder died"):
        feed(events(), [sink])
    assert list(tmp_path.iterdir()) == []


def test_sink_writes_nothing_for_a_source_that_failed_before_its_first_frame(tmp_path):
    """A camera that never connected has no scene list, not an empty one; a stream that ended with no frame has."""
    sink = SceneFiles("rtsp://camera/1", open_source("demo://?frames=96"), csv=str(tmp_path / "scenes.csv"))
    feed([SourceEvent("0", "failed", "connection refused"), EndEvent("0", 0, 0, 0.0, 0, "failed")], [sink])
    assert list(tmp_path.iterdir()) == []
    sink = SceneFiles("empty.ts", open_source("demo://?frames=96"), csv=str(tmp_path / "scenes.csv"))
    feed([EndEvent("0", 0, 0, 0.0, 0, "eof")], [sink])
    assert (tmp_path / "scenes.csv").read_text().startswith("Timecode List:")


def dissolve(start: int, end: int, kind: str = "dissolve") -> TransitionEvent:
    return TransitionEvent("0", start, end, kind, start / 24, end / 24, 1.6, time.time())


def test_a_transition_is_one_boundary_at_its_cut_or_middle_in_every_file_and_its_span_is_kept(tmp_path):
    """A cut at 24, a dissolve over frames 50-69 with a cut inside it (at 58: the boundary is that cut, where the
    picture switches), and a fade 84-91 holding no cut (its middle, 88): the CSV has three boundaries, the JSON lists
    the transitions with their boundaries, the EDL writes each as D with its length."""
    paths = {k: tmp_path / f"scenes.{k}" for k in ("csv", "edl", "json")}
    sink = SceneFiles("clips/clip.mp4", open_source("demo://?frames=96"), **{k: str(p) for k, p in paths.items()})
    feed([cut(24), dissolve(50, 69), cut(58), dissolve(84, 91, "fade"), EndEvent("0", 96, 2, 4.0, 0, "eof")], [sink])

    rows = list(csv.reader(io.StringIO(paths["csv"].read_text())))
    assert rows[0] == ["Timecode List:", "00:00:01.000", "00:00:02.417", "00:00:03.667"]
    assert [(r[1], r[4]) for r in rows[2:]] == [("1", "24"), ("25", "58"), ("59", "88"), ("89", "96")]  # 1-based, inclusive

    data = json.loads(paths["json"].read_text())
    assert [(s["start_frame"], s["end_frame"]) for s in data["scenes"]] == [(0, 24), (24, 58), (58, 88), (88, 96)]
    assert data["scenes"][2]["start_time"] == pytest.approx(58 / 24)
    assert data["transitions"] == [
        {"kind": "dissolve", "start_frame": 50, "last_frame": 69, "boundary_frame": 58, "start_time": round(50 / 24, 6),
         "last_time": round(69 / 24, 6)},
        {"kind": "fade", "start_frame": 84, "last_frame": 91, "boundary_frame": 88, "start_time": 3.5,
         "last_time": round(91 / 24, 6)}]
    scenes, transitions = read_json(str(paths["json"]))  # what split --scenes reads back
    assert [(s.start_frame, s.end_frame) for s in scenes] == [(0, 24), (24, 58), (58, 88), (88, 96)]
    assert [(t.start, t.end, t.kind, t.middle) for t in transitions] == [(50, 69, "dissolve", 60), (84, 91, "fade", 88)]

    events = [line.split() for line in paths["edl"].read_text().splitlines()[3:] if not line.startswith("*")]
    by_number: dict[str, list[list[str]]] = {}
    for e in events:
        by_number.setdefault(e[0], []).append(e)
    assert list(by_number) == ["001", "002", "003", "004"]  # one event per scene
    assert by_number["002"] == [["002", "AX", "V", "C", "00:00:01:00", "00:00:02:02", "00:00:01:00", "00:00:02:02"]]
    # the dissolve: a zero-length cut line at its first frame (50 = 2 s 2 frames), then D with 20 frames from there
    assert by_number["003"] == [["003", "AX", "V", "C", "00:00:02:02", "00:00:02:02", "00:00:02:02", "00:00:02:02"],
                                ["003", "AX", "V", "D", "020", "00:00:02:02", "00:00:03:12", "00:00:02:02", "00:00:03:12"]]
    assert by_number["004"][1][3:6] == ["D", "008", "00:00:03:12"]  # the fade: 8 frames from frame 84
    assert by_number["004"][1][-1] == "00:00:04:00"
    assert "* TRANSITION: fade, frames 84-91" in paths["edl"].read_text()
