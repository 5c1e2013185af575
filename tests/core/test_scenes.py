"""Scene lists: PySceneDetect-compatible CSV, CMX3600 EDL and JSON, written atomically."""

import csv
import io
import json

from reprocut.stream.core.scenes import (
    Scene,
    scenes_from_cuts,
    smpte,
    timecode,
    to_csv,
    to_edl,
    to_json,
    write_atomic,
)


def test_scenes_span_the_media_between_cuts():
    scenes = scenes_from_cuts([(30, 1.25), (75, 3.125)], frames=100, duration=100 / 24)
    assert scenes == [Scene(0, 30, 0.0, 1.25), Scene(30, 75, 1.25, 3.125), Scene(75, 100, 3.125, 100 / 24)]
    assert scenes_from_cuts([], frames=10, duration=1.0) == [Scene(0, 10, 0.0, 1.0)]


def test_csv_has_pyscenedetect_layout():
    scenes = scenes_from_cuts([(30, 1.25)], frames=48, duration=2.0)
    rows = list(csv.reader(io.StringIO(to_csv(scenes))))
    assert rows[0] == ["Timecode List:", "00:00:01.250"]
    assert rows[1][:5] == ["Scene Number", "Start Frame", "Start Timecode", "Start Time (seconds)", "End Frame"]
    # PySceneDetect numbers frames from 1 in its CSV; the end frame is the last frame of the scene
    assert rows[2] == ["1", "1", "00:00:00.000", "0.000", "30", "00:00:01.250", "1.250", "30", "00:00:01.250", "1.250"]
    assert rows[3][:2] == ["2", "31"] and rows[3][4] == "48"


def test_timecodes():
    assert timecode(3725.5) == "01:02:05.500"
    assert smpte(61.5, 24) == "00:01:01:12"


def test_edl_and_json_parse_back():
    scenes = scenes_from_cuts([(24, 1.0), (60, 2.5)], frames=96, duration=4.0)
    edl = to_edl(scenes, 24, "clip.mp4").splitlines()
    assert edl[0] == "TITLE: clip.mp4" and edl[1] == "FCM: NON-DROP FRAME"
    events = [line.split() for line in edl[3:]]
    assert [e[0] for e in events] == ["001", "002", "003"]
    assert events[1][4:6] == ["00:00:01:00", "00:00:02:12"]
    data = json.loads(to_json(scenes, "clip.mp4", 24))
    assert [s["start_frame"] for s in data["scenes"]] == [0, 24, 60]


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "scenes.csv"
    write_atomic(str(path), "a\n")
    write_atomic(str(path), "b\n")
    assert path.read_text() == "b\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scenes.csv"]
