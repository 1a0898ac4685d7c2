"""The explorer's web server: the page's own files and a small JSON API (stdlib only).

Routes::

    GET  /                     the page (static/index.html)
    GET  /static/NAME          one of the page's files (only those; nothing else on disk)
    GET  /api/model            layers, shapes, conv filters, classes     Network.describe
    POST /api/forward          {"image": [[...]], "preprocess": true}   -> every layer's output
    POST /api/receptive-field  {"layer": L, "y": i, "x": j}             -> input box
    POST /api/conv-steps       {"image": 28×28, "layer": L, "channel": k} -> im2col, filter, output

``image`` is a 2-D list of numbers in [0, 1], white ink on black. With ``preprocess``
(the default) it may be any size from 8×8 to 512×512 and is made MNIST-like first
([`minicnn.explore.preprocess.mnist_style`][]); without, it must be 28×28.

Every bad request (unknown route, wrong method, body too large, malformed JSON, a
wrong field) gets a 4xx answer ``{"error": "what was wrong and what to send"}`` and
the server goes on serving. It binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import json
import socket
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import urlsplit

import numpy as np

from .network import INPUT_SHAPE, Network
from .preprocess import mnist_style

MAX_BODY = 1 << 20  # 1 MiB: a 512×512 drawing as JSON fits; anything larger is refused
DRAIN_LIMIT = 16 * MAX_BODY  # a larger body is not even read: the connection is closed
MIN_SIDE, MAX_SIDE = 8, 512
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
# The page may load only its own files and draw into canvases: no CDN, no network.
CSP = "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'"


class BadRequest(Exception):
    """A request the API cannot answer; ``status`` and the message go back to the client."""

    def __init__(self, message: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST):
        super().__init__(message)
        self.status = status


def static_files() -> dict[str, tuple[bytes, str]]:
    """Every file of the package's static/ folder by name, read once at start-up.

    Requests are looked up in this table by exact name, never joined to a path on
    disk, so '..', encoded slashes or absolute paths cannot reach any other file.
    """
    files = {}
    for entry in resources.files(__package__).joinpath("static").iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in CONTENT_TYPES:
            files[entry.name] = (entry.read_bytes(), CONTENT_TYPES[suffix])
    return files


def _field(payload: dict, name: str, kind: type = int):
    if name not in payload:
        raise BadRequest(f"missing field {name!r}")
    value = payload[name]
    if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise BadRequest(f"field {name!r} must be an integer, got {value!r}")
    return value


def parse_image(payload: dict) -> tuple[np.ndarray, np.ndarray]:
    """(the image as sent, the (28, 28) network input) from a request's JSON."""
    raw = _field(payload, "image", object)
    preprocess = payload.get("preprocess", True)
    if not isinstance(preprocess, bool):
        raise BadRequest(f"field 'preprocess' must be true or false, got {preprocess!r}")
    try:
        image = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise BadRequest(
            "field 'image' must be a 2-D list of numbers (rows of equal length)"
        ) from None
    if image.ndim != 2:
        raise BadRequest(f"field 'image' must be 2-D (rows of numbers), got {image.ndim}-D")
    if not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
        raise BadRequest("field 'image' must hold finite numbers in [0, 1] (white ink = 1)")
    if not preprocess:
        if image.shape != INPUT_SHAPE[1:]:
            raise BadRequest(
                f"without preprocessing the image must be 28×28, got "
                f"{image.shape[0]}×{image.shape[1]}"
            )
        return image, image.astype(np.float32)
    if not (MIN_SIDE <= min(image.shape) and max(image.shape) <= MAX_SIDE):
        raise BadRequest(
            f"image must be between {MIN_SIDE}×{MIN_SIDE} and {MAX_SIDE}×{MAX_SIDE} pixels, "
            f"got {image.shape[0]}×{image.shape[1]}"
        )
    return image, mnist_style(image)


class Handler(BaseHTTPRequestHandler):
    """One request. The server object carries ``network``, ``files`` and ``quiet``."""

    server: ExplorerServer  # the server that made this handler, as socketserver does
    protocol_version = "HTTP/1.1"  # keep-alive: the page sends a request per stroke
    server_version = "minicnn-explore"

    # -- answers ------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: dict, close: bool = False) -> None:
        self._send(status, json.dumps(value).encode(), "application/json", close)

    def _error(self, err: BadRequest, close: bool = False) -> None:
        self._json(err.status, {"error": str(err)}, close)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the stdlib's name)
        if not self.server.quiet:
            super().log_message(format, *args)

    # -- GET ----------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        path = urlsplit(self.path).path
        if path == "/api/model":
            return self._json(200, self.server.network.describe())
        name = "index.html" if path in ("/", "/index.html") else None
        if path.startswith("/static/"):
            name = path[len("/static/") :]
        if name in self.server.files:
            body, content_type = self.server.files[name]
            return self._send(200, body, content_type)
        if path in ROUTES:
            return self._error(
                BadRequest(
                    f"{path} takes POST with a JSON body (see minicnn/explore/server.py)",
                    HTTPStatus.METHOD_NOT_ALLOWED,
                )
            )
        if path.startswith("/api/"):
            return self._error(BadRequest(f"no such API route: {path}", HTTPStatus.NOT_FOUND))
        self._error(BadRequest(f"no such page: {path}", HTTPStatus.NOT_FOUND))

    do_HEAD = do_GET

    # -- POST ---------------------------------------------------------------------------

    def _read_json(self) -> dict:
        header = self.headers.get("Content-Length")
        if header is None:
            raise BadRequest("send a Content-Length header", HTTPStatus.LENGTH_REQUIRED)
        try:
            length = int(header)
        except ValueError:
            raise BadRequest(f"bad Content-Length {header!r}") from None
        if length < 0:
            raise BadRequest(f"bad Content-Length {length}")
        if length > MAX_BODY:
            if length <= DRAIN_LIMIT:
                # Read the body and throw it away, so the client (which is still sending)
                # gets the answer instead of a reset connection.
                left = length
                while left > 0 and (chunk := self.rfile.read(min(left, 1 << 16))):
                    left -= len(chunk)
            raise BadRequest(
                f"request body of {length:,} bytes is over the limit of {MAX_BODY:,}; "
                f"send a smaller image (at most {MAX_SIDE}×{MAX_SIDE})",
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
        body = self.rfile.read(length)
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise BadRequest(f"the body is not valid JSON: {err}") from None
        if not isinstance(payload, dict):
            raise BadRequest('the body must be a JSON object, e.g. {"image": [[0, 1], ...]}')
        return payload

    def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
        path = urlsplit(self.path).path
        route = ROUTES.get(path)
        if route is None:
            # The body is not read: close the connection rather than parse it as a request.
            return self._error(
                BadRequest(f"no such API route: {path}", HTTPStatus.NOT_FOUND), close=True
            )
        try:
            payload = self._read_json()
        except BadRequest as err:
            # An unread or unparsable body: the connection cannot be reused.
            return self._error(err, close=True)
        try:
            answer = route(self.server.network, payload)
        except BadRequest as err:
            return self._error(err)
        except ValueError as err:  # the network's own checks (layer, channel, unit)
            return self._error(BadRequest(str(err), HTTPStatus.UNPROCESSABLE_ENTITY))
        self._json(200, answer)


def _forward(network: Network, payload: dict) -> dict:
    _, image = parse_image(payload)
    return {"input": np.round(image.astype(np.float64), 4).tolist(), **network.forward(image)}


def _receptive_field(network: Network, payload: dict) -> dict:
    return network.receptive_field(
        _field(payload, "layer"), _field(payload, "y"), _field(payload, "x")
    )


def _conv_steps(network: Network, payload: dict) -> dict:
    _, image = parse_image({"preprocess": False, **payload})
    return network.conv_steps(image, _field(payload, "layer"), _field(payload, "channel"))


ROUTES = {
    "/api/forward": _forward,
    "/api/receptive-field": _receptive_field,
    "/api/conv-steps": _conv_steps,
}


class ExplorerServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its network and the page's files."""

    daemon_threads = True
    network: Network  # what the API routes compute with
    files: dict[str, tuple[bytes, str]]  # the page's files by name: (content, content type)
    quiet: bool  # True: no request log on stderr

    def __init__(
        self, network: Network, host: str = "127.0.0.1", port: int = 0, quiet: bool = True
    ):
        self.network = network
        self.files = static_files()
        self.quiet = quiet
        if ":" in host:  # an IPv6 address such as ::1
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes | bytearray):  # socketserver's type allows bytes
            host = host.decode()
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    return host in ("localhost", "::1") or host.startswith("127.")
