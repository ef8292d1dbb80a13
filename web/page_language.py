"""Streamlit's own messages in Vietnamese: its "Connection error" box (what an unattended wall
screen shows while the server restarts) and its "Page not found" box are English only. The
dashboard's page gets one small script of ours (web/static/streamlit-vi.js) that rewrites those
texts as Streamlit draws them; ?lang=en keeps English."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCRIPT = b'<script src="/declare/static/streamlit-vi.js"></script>'
# Paths Streamlit serves that are not its page (assets, its API, its sign-on), and ours.
NOT_PAGES = (
    "/_stcore", "/static/", "/component/", "/media/", "/app/", "/auth/", "/oauth2callback",
    "/session/", "/declare", "/api/",
)  # fmt: skip
# Asked of Streamlit without these, its page comes back whole and uncompressed, to be changed.
DROPPED_HEADERS = (b"accept-encoding", b"if-none-match", b"if-modified-since")


def is_page_request(scope: Scope) -> bool:
    """A browser loading the dashboard at some page path (not an asset, not an API)."""
    path = scope.get("path", "")
    return (
        scope["type"] == "http"
        and scope.get("method") == "GET"
        and not path.startswith(NOT_PAGES)
        and "." not in path.rsplit("/", 1)[-1]
    )


async def with_vietnamese_messages(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> None:
    """Serve Streamlit's page with our script added to its <head>."""
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() not in DROPPED_HEADERS]
    start: Message | None = None
    chunks: list[bytes] = []

    async def add_script(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = b"".join(chunks)
        content_type = dict(start.get("headers", [])).get(b"content-type", b"")
        if start["status"] == 200 and content_type.startswith(b"text/html"):
            body = body.replace(b"</head>", SCRIPT + b"</head>", 1)
        response_headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
        response_headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})

    await app({**scope, "headers": headers}, receive, add_script)
