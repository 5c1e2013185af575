"""Event files and the terminal: JSON lines (``jsonl.py``), what a person sees (``terminal.py``), scene lists
as CSV, EDL and JSON (``scene_files.py``) and editor timelines (``timeline.py``, ``otio.py``, ``fcpxml.py``)."""
