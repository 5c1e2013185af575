"""The bench report as markdown: the tables ``reprocut bench`` prints and BENCHMARKS.md keeps."""

from __future__ import annotations


def _cell(value, fmt: str = "{}") -> str:
    return "–" if value is None else fmt.format(value)


def to_markdown(report: dict) -> str:
    """Every section of ``run_bench``'s report as a markdown table, preceded by the machine and the command."""
    m = report["machine"]
    lines = [f"Measured {report['date']} on {m['cpu']} ({m['cores']} cores, {m['memory_gb']} GB), {m['os']}; "
             f"Python {m['python']}, onnxruntime {m['onnxruntime']}, PyAV {m['av']} (libavcodec {m['libavcodec']}). "
             f"Model: `{report['model']['name']}` (latent {report['model']['latent']}). "
             f"Each figure is the median of {report['config']['repeats']} run(s). Load average (1 min) at the start "
             f"{m.get('load_avg_1min')}, after each section: "
             + ", ".join(f"{k} {v}" for k, v in report.get("load", {}).items()) + ".", ""]
    if report.get("command"):
        lines += ["```", report["command"], "```", ""]
    lines += speed_summary(report)
    t = report["throughput"]
    lines += [f"### Throughput: detect vs decoding alone (source `{t['source']}`, re-encoded to H.264 per size)", "",
              "`reprocut detect FILE --jsonl` as a whole process (start-up included) against PyAV decoding to 64x64 in "
              "process, as the detector decodes (one scaling context) and with PyAV's plain `to_ndarray(width=64, height=64)`; "
              "the pipeline alone (in process, model loaded) beside it, as it runs (encoding only the frames "
              "near a visible change: the share encoded) and with `--every-frame`.", "",
              "| size | frames | decode to 64x64 (fps) | plain `to_ndarray` (fps) | reprocut detect, whole process (fps) "
              "| detect / decode | detect / plain | detect's start-up (s) | pipeline alone (fps) | pipeline / decode "
              "| share encoded | pipeline, every frame / decode |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in t["rows"]:
        lines.append(f"| {r['size']} | {r['frames']} | {_cell(r['decode_fps'])} | {_cell(r['plain_decode_fps'])} "
                     f"| {_cell(r['detect_fps'])} | {_cell(r['ratio'])} | {_cell(r['plain_ratio'])} | {_cell(r.get('startup_s'))} "
                     f"| {_cell(r['pipeline_fps'])} | {_cell(r['pipeline_ratio'])} | {_cell(r['encoded_share'])} "
                     f"| {_cell(r['every_frame_ratio'])} |")
    p = report["pyscenedetect"]
    lines += ["", f"### Against PySceneDetect (`{p['clip']}`, {p['frames']} frames, whole processes, run in turn)", "",
              "| `scenedetect -i FILE -b pyav detect-adaptive list-scenes` (s) | `reprocut detect FILE --jsonl` (s) "
              "| reprocut's speed-up |", "|---:|---:|---:|"]
    if p.get("error"):
        lines.append(f"| {p['error']} | {_cell(p['reprocut_s'])} | – |")
    else:
        lines.append(f"| {_cell(p['pyscenedetect_s'])} | {_cell(p['reprocut_s'])} | {_cell(p['speedup'])}x |")
    lines += ["", "### Encoder alone (ONNX Runtime), by batch size", "",
              "| device | provider | batch | frames/s | ms per batch |", "|---|---|---:|---:|---:|"]
    for r in report["encoder"]:
        if r.get("note"):
            lines.append(f"| {r['device']} | – | – | – | {r['note']} |")
        else:
            lines.append(f"| {r['device']} | {r['provider']} | {r['batch']} | {_cell(r['fps'])} | {_cell(r['ms_per_batch'])} |")
    sc, err = report["scorer"], report["time_to_error"]
    lines += ["", "### Other stages alone", "", "| stage | figure |", "|---|---:|",
              f"| scorer alone (`{sc['clip']}`'s posteriors, {sc['frames']} frames in batches of {sc['batch']}) | "
              f"{_cell(sc['fps'])} frames/s |",
              f"| `{err['command']}`: start to its one-line error | {_cell(err['seconds'])} s |",
              "", "Decoding alone is the throughput table's decode column.", ""]
    lat = report["latency"]
    lines += [f"### Live latency: frame decoded -> its cut event received (`{lat['clip']}`, {lat['frames']} frames "
              f"paced at {lat['fps']} fps)", "", "| measured at | cuts per run | p50 (ms) | p99 (ms) |", "|---|---|---:|---:|"]
    for key in ("websocket", "in_process"):
        v = lat.get(key) or {}
        if v.get("error"):
            lines.append(f"| {key.replace('_', '-')} | not measured: {v['error']} | – | – |")
        elif v:
            lines.append(f"| {v['method']} | {', '.join(map(str, v['cuts_per_run']))} | {_cell(v['cut_p50_ms'])} | {_cell(v['cut_p99_ms'])} |")
    ip = lat.get("in_process") or {}
    if ip.get("frame_p50_ms") is not None:
        lines.append(f"| every frame, decode -> scored (pipeline's own stats) | – | {_cell(ip['frame_p50_ms'])} | {_cell(ip['frame_p99_ms'])} |")
    lines += ["", f"Note: {lat['note']}.", "", "### Peak memory (VmHWM of the process, polled from /proc)", "",
              "| process | clip | peak RSS (MB) |", "|---|---|---:|"]
    for r in report["memory"]:
        lines.append(f"| {r['what']} | {r['clip']} | {_cell(r['peak_rss_mb'])} |")
    lines += accuracy_markdown(report["accuracy"])
    if "archive" in report:
        lines += archive_markdown(report["archive"])
    return "\n".join(lines) + "\n"


def speed_summary(report: dict) -> list[str]:
    """Issue 27's figures in one table, from the same runs as the tables below: whole-process ``detect`` against the
    detector's own decoding at each size, its start-up, and PySceneDetect's whole process on the middle size."""
    rows, p = report["throughput"]["rows"], report["pyscenedetect"]
    lines = ["### Speed at a glance (whole processes against the detector's own decoding and against PySceneDetect)", "",
             "| | " + " | ".join(r["size"] for r in rows) + " |", "|---|" + "---:|" * len(rows)]

    def line(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    line("PyAV decoding to 64x64, one scaling context, in process (s)", [_cell(r.get("decode_s")) for r in rows])
    line("`reprocut detect FILE --jsonl`, whole process (s)", [_cell(r["detect_s"]) for r in rows])
    line("**speed of detect / speed of decoding**", [f"**{_cell(r['ratio'])}x**" for r in rows])
    line("start-up: process start to the first frames at the encoder (s)", [_cell(r.get("startup_s")) for r in rows])
    peer = [r["size"] == p.get("size") for r in rows]
    line("PySceneDetect `detect-adaptive` (PyAV backend, defaults), whole process (s)",
         [(_cell(p.get("pyscenedetect_s")) if not p.get("error") else "not run") if at else "" for at in peer])
    speedup = f"**{p['speedup']}x**" if p.get("speedup") is not None else "–"
    line("**speed of reprocut / speed of PySceneDetect**", [speedup if at else "" for at in peer])
    return lines + [""]


def accuracy_markdown(a: dict) -> list[str]:
    """The accuracy section's tables: each detector's hard-cut and gradual figures, then hard-cut F1 per clip."""
    lines = ["", f"### Accuracy and speed next to the peers ({len(a['clips'])} clips, {a['cuts']} hard cuts, "
             f"+-{a['tolerance']} frames, micro-averaged)", "",
             "| detector | precision | recall | F1 | TP / FP / FN | gradual P / R / F1 | gradual found / FA | "
             "fps (decode included) | peak RSS (MB) |",
             "|---|---:|---:|---:|---|---:|---|---:|---:|"]
    for r in a["rows"]:
        if r.get("error"):
            lines.append(f"| {r['label']} | – | – | – | {r['error']} | – | – | – | – |")
            continue
        g = r["gradual"]
        counts = f"{r['tp']} / {r['fp']} / {r['fn']}" if r["hard_cuts"] else "– (fades only)"
        lines.append(f"| {r['label']} | {_cell(r['precision'], '{:.3f}')} | {_cell(r['recall'], '{:.3f}')} | "
                     f"{_cell(r['f1'], '{:.3f}')} | {counts} | {_cell(g['precision'], '{:.2f}')} / "
                     f"{_cell(g['recall'], '{:.2f}')} / {_cell(g['f1'], '{:.2f}')} | {g['found']}/{g['labelled']} / {g['false_alarms']} | "
                     f"{_cell(r['fps'])} | {_cell(r['peak_rss_mb'])} |")
    if a["per_clip_f1"]:
        names = list(a["per_clip_f1"])
        lines += ["", "F1 per clip (– : nothing to find and nothing found):", "",
                  "| clip | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        for clip in a["clips"]:
            lines.append(f"| {clip} | " + " | ".join(_cell(a["per_clip_f1"][n].get(clip), "{:.2f}") for n in names) + " |")
    return lines


def archive_markdown(a: dict) -> list[str]:
    """The section's table, for ``to_markdown``."""
    lines = ["", f"### Archives: `reprocut batch` over {a['clips']} generated clips ({a['frames_per_clip']} frames, "
             f"{a['size']}), end to end", "",
             "| mode | workers x threads | wall (s) | frames/s | video-hours per hour | one worker busy (frames/s) |",
             "|---|---|---:|---:|---:|---:|"]
    for r in a["rows"]:
        if r.get("error"):
            lines.append(f"| {r['mode']} | – | – | – | – | {r['error']} |")
        else:
            lines.append(f"| {r['mode']} | {r['workers']} x {r['threads']} | {r['wall_s']} | {r['fps']} | "
                         f"{r['video_hours_per_hour']} | {r['busy_fps']} |")
    return lines
