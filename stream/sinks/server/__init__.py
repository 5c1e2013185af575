"""``reprocut serve``'s websocket server: the hub without I/O (``hub.py``), its asyncio face (``server.py``),
who may connect (``access.py``), cut thumbnails (``thumbs.py``), events from the pipeline's thread to the
loop (``loop.py``), the dashboard and overlay pages (``web/``) and the message schemas (``schema/``)."""
