"""The plain HTTP routes served for real (uvicorn on a loopback port, in a thread), so that tests
talk HTTP to them as a phone or a partner system would: bodies streamed, headers as sent; and
the start and stop of the whole app's server (`streamlit run`) in a process of its own.
Here, not in tests/, because bench/ serves them too (bench never imports tests/)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def free_port() -> int:
    """A loopback port that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(
    url: str, process: subprocess.Popen, timeout_s: float = 120, log: Path | None = None
) -> None:
    """Until the app's server at url answers ok on /_stcore/health (polled, never a fixed wait);
    fails if its process exits or timeout_s passes first, quoting the end of its log if given."""

    def said() -> str:
        return f": {log.read_text()[-2000:]}" if log else ""

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited while starting{said()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling the health endpoint, not waiting for the app
    raise RuntimeError(f"the app did not become healthy{said()}")


def stop_process(process: subprocess.Popen, timeout_s: float = 10) -> None:
    """Ask the process to end; kill it if it has not within timeout_s."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
