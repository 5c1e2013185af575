"""``reprocut split``: one file per scene, re-encoded frame-exact or stream-copied, and a manifest.

Not a sink: it decodes the video again, after detection (or from a scene list). ``shots.py``
plans the files, ``encode.py`` and ``copy.py`` write them, ``run.py`` ties them together::

    manifest = split_video("match.mp4", scenes, SplitConfig(out="shots/"))  # from .run
"""
