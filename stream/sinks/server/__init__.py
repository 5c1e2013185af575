"""``reprocut serve``'s websocket server: the hub without I/O (``hub.py``) and what it keeps of a whole run
(``history.py``: the score trace, the scene count), its asyncio face (``server.py``),
who may connect (``access.py``), cut thumbnails (``thumbs.py``), events from the pipeline's thread to the
loop (``loop.py``), the dashboard and overlay pages (``web/``) and the message schemas (``schema/``)."""
