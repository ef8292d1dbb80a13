"""The plain HTTP routes served for real (uvicorn on a loopback port, in a thread), so that tests
talk HTTP to them as a phone or a partner system would: bodies streamed, headers as sent.
Here, not in tests/, because bench/api_ingest.py serves them too (bench never imports tests/)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from web.context import WebContext
from web.routes import public_app


@contextmanager
def serve(
    context: WebContext, timeout_s: float = 10.0, app: ASGIApp | None = None
) -> Iterator[str]:
    """Serve web.routes.public_app(context) (or the given app) until the block ends; yields
    the base URL."""
    # The socket is bound here and handed over, so no other process can take the port between
    # choosing it and listening on it.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app or public_app(context), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)
        sock.close()
