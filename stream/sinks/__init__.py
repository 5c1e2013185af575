"""Where detector events go: ``base.py`` (the ``Sink`` protocol and ``feed``, the loop every command uses),
``files/`` (JSON lines, the terminal, scene lists, timelines) and ``server/`` (the websocket hub and server,
its pages in ``web/`` and message schemas in ``schema/``)."""
