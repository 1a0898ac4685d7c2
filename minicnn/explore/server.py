"""The explorer's web server: the page's own files and a small JSON API (stdlib only).

Routes::

    GET  /                     the page (static/index.html)
    GET  /static/NAME          one of the page's files (only those; nothing else on disk)
    GET  /api/model            layers, shapes, conv filters, classes     Network.describe
    POST /api/forward          {"image": [[...]], "preprocess": true}   -> every layer's output
    POST /api/receptive-field  {"layer": L, "y": i, "x": j}             -> input box
    POST /api/conv-steps       {"image": 28×28, "layer": L, "channel": k} -> im2col, filter, output
    POST /api/backward         {"image": [[...]], "label": y or null}   -> every gradient
    POST /api/conv-backward-steps  {"image": 28×28, "layer": L, "channel": k, "label": y}
                               or {"example": "lecture-002", "dy": 2×2} -> dK, dX, dB laid out
    POST /api/train-step       {"image": 28×28, "label": y or null, "lr": 0.01} -> what moved
    POST /api/reset            {}                                       -> the starting weights

``image`` is a 2-D list of numbers in [0, 1], white ink on black. With ``preprocess``
(the default) it may be any size from 8×8 to 512×512 and is made MNIST-like first
([`minicnn.explore.preprocess.mnist_style`][]); without, it must be 28×28. ``label``
is a class index, or null (or absent) for the network's own prediction. Gradients are
those of the cross-entropy loss, computed by the layers' backward and minicnn's
functional pairs in float64 (``network.py``, ``backward.py``).

Every bad request (unknown route, wrong method, body too large, malformed JSON of any
shape, a wrong field) gets a 4xx answer ``{"error": "what was wrong and what to send"}``
and the server goes on serving. It binds to 127.0.0.1 unless told otherwise.

It stays up and stays ours ([`ExplorerServer`][minicnn.explore.server.ExplorerServer]):

- **Host allow-list**: a request whose ``Host`` is not localhost, 127.0.0.1, [::1],
  the address the server was told to bind or a name given in ``allow_hosts`` gets
  403. A web page elsewhere that points its own name at 127.0.0.1 (DNS rebinding)
  sends its own name as the Host, so it cannot read the API. A POST whose ``Origin``
  is another site gets 403.
- **A bounded worker pool**: ``WORKERS`` threads answer connections; while all are
  busy, new connections wait in the kernel's listen queue (``request_queue_size``),
  not in a thread of their own, so 1,000 clients cost 1,000 sockets, not 1,000 threads.
- **Timeouts**: a connection that sends nothing for ``IDLE_TIMEOUT`` seconds is closed,
  and a request must arrive whole within ``REQUEST_DEADLINE`` seconds, however slowly
  it drips (a watchdog shuts the socket down), so a slow client holds a worker briefly.
  While other connections wait for a worker, the deadline shrinks to ``BUSY_DEADLINE``:
  slow clients are cut off sooner, and the queue moves.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib import resources
from urllib.parse import urlsplit

import numpy as np

from .network import INPUT_SHAPE, Network
from .preprocess import mnist_style

MAX_BODY = 1 << 20  # 1 MiB: a 512×512 drawing as JSON fits; anything larger is refused
DRAIN_LIMIT = 16 * MAX_BODY  # a larger body is not even read: the connection is closed
MIN_SIDE, MAX_SIDE = 8, 512
WORKERS = 16  # threads answering connections; the rest wait in the listen queue
LISTEN_QUEUE = 1024  # connections the kernel holds while every worker is busy
IDLE_TIMEOUT = 10.0  # seconds a connection may send nothing (a keep-alive that idles)
REQUEST_DEADLINE = 30.0  # seconds to receive one whole request, or to send one answer
BUSY_DEADLINE = 1.0  # the same while connections are waiting for a worker
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")  # the Host names always allowed
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


def _label(payload: dict) -> int | None:
    label = payload.get("label")
    if label is not None and (not isinstance(label, int) or isinstance(label, bool)):
        raise BadRequest(f"field 'label' must be a class index or null, got {label!r}")
    return label


def _number(payload: dict, name: str) -> float:
    value = _field(payload, name, object)
    try:
        if isinstance(value, bool):
            raise TypeError
        return float(value)
    except (TypeError, ValueError, OverflowError):  # a string, a list, 10**400
        raise BadRequest(f"field {name!r} must be a number, got {str(value)[:40]!r}") from None


def parse_image(payload: dict) -> tuple[np.ndarray, np.ndarray]:
    """(the image as sent, the (28, 28) network input) from a request's JSON."""
    raw = _field(payload, "image", object)
    preprocess = payload.get("preprocess", True)
    if not isinstance(preprocess, bool):
        raise BadRequest(f"field 'preprocess' must be true or false, got {preprocess!r}")
    try:
        image = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError, RecursionError):  # 10**400 is too big
        raise BadRequest(
            "field 'image' must be a 2-D list of numbers (rows of equal length)"
        ) from None
    if image.ndim != 2 or image.size == 0:
        raise BadRequest(
            f"field 'image' must be 2-D (rows of numbers), got {image.ndim}-D of shape "
            f"{image.shape}"
        )
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
    """One connection's requests. The server object carries ``network``, ``files``,
    ``quiet``, the allowed hosts and the timeouts."""

    server: ExplorerServer  # the server that made this handler, as socketserver does
    protocol_version = "HTTP/1.1"  # keep-alive: the page sends a request per stroke
    server_version = "minicnn-explore"

    def setup(self) -> None:
        super().setup()
        # No read or write waits longer than this (http.server then closes the connection).
        self.connection.settimeout(self.server.idle_timeout)

    def handle_one_request(self) -> None:
        # The request (line, headers, body) by the deadline, however slowly the client
        # sends: past it the watchdog shuts the socket down. Disarmed while computing.
        self.server.watchdog.arm(self.connection)
        try:
            super().handle_one_request()
        finally:
            self.server.watchdog.disarm(self.connection)

    def parse_request(self) -> bool:
        """The stdlib's parsing, then the Host and Origin checks (see ExplorerServer.refuse)."""
        if not super().parse_request():
            return False
        problem = self.server.refuse(self.command, self.headers)
        if problem is not None:
            self._error(problem, close=True)
            return False
        return True

    # -- answers ------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, close: bool = False) -> None:
        self.server.watchdog.arm(self.connection)  # the answer, too, by the deadline
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
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            raise BadRequest(
                f"the body did not arrive within {self.server.idle_timeout:g} s",
                HTTPStatus.REQUEST_TIMEOUT,
            ) from None
        if len(body) < length:  # the client stopped sending, or the deadline cut it off
            raise BadRequest(f"the body ended after {len(body):,} of {length:,} bytes")
        try:
            payload = json.loads(body)
        except RecursionError:
            raise BadRequest("the body is not valid JSON: nested too deeply") from None
        except ValueError as err:  # JSONDecodeError, UnicodeDecodeError, a 5,000-digit number
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
        self.server.watchdog.disarm(self.connection)  # the request is in: computing is ours
        try:
            answer = route(self.server.network, payload)
        except BadRequest as err:
            return self._error(err)
        except ValueError as err:  # the network's own checks (layer, channel, unit)
            return self._error(BadRequest(str(err), HTTPStatus.UNPROCESSABLE_ENTITY))
        except Exception as err:  # a bug, not the client's fault: say so, keep serving
            self.log_error("%s failed: %r", path, err)
            message = f"{path} failed: {type(err).__name__}: {err}"
            return self._error(BadRequest(message, HTTPStatus.INTERNAL_SERVER_ERROR))
        self._json(200, answer)


def _rounded_input(image: np.ndarray) -> list:
    return np.round(image.astype(np.float64), 4).tolist()


def _forward(network: Network, payload: dict) -> dict:
    _, image = parse_image(payload)
    return {"input": _rounded_input(image), **network.forward(image)}


def _receptive_field(network: Network, payload: dict) -> dict:
    return network.receptive_field(
        _field(payload, "layer"), _field(payload, "y"), _field(payload, "x")
    )


def _conv_steps(network: Network, payload: dict) -> dict:
    _, image = parse_image({"preprocess": False, **payload})
    return network.conv_steps(image, _field(payload, "layer"), _field(payload, "channel"))


def _network_input(payload: dict) -> np.ndarray:
    """The 28×28 network input the page already has (it sends back what forward gave)."""
    return parse_image({"preprocess": False, **payload})[1]


def _backward(network: Network, payload: dict) -> dict:
    _, image = parse_image(payload)
    return {"input": _rounded_input(image), **network.backward(image, _label(payload))}


def _conv_backward_steps(network: Network, payload: dict) -> dict:
    example = payload.get("example")
    if example is not None:
        if example != "lecture-002":
            raise BadRequest(f"field 'example' must be \"lecture-002\", got {example!r}")
        dy = payload.get("dy")
        if dy is None:
            return network.lecture_002()
        try:
            dy = np.asarray(dy, dtype=np.float64)
        except (TypeError, ValueError, OverflowError, RecursionError):
            dy = np.zeros(0)
        if dy.shape != (2, 2) or not np.isfinite(dy).all():
            raise BadRequest("field 'dy' must be 2×2 finite numbers, e.g. [[1, 0], [0, 1]]")
        return network.lecture_002(dy)
    return network.conv_backward_steps(
        _network_input(payload),
        _field(payload, "layer"),
        _field(payload, "channel"),
        _label(payload),
    )


def _train_step(network: Network, payload: dict) -> dict:
    return network.train_step(_network_input(payload), _label(payload), _number(payload, "lr"))


def _reset(network: Network, payload: dict) -> dict:
    return network.reset()


ROUTES = {
    "/api/forward": _forward,
    "/api/receptive-field": _receptive_field,
    "/api/conv-steps": _conv_steps,
    "/api/backward": _backward,
    "/api/conv-backward-steps": _conv_backward_steps,
    "/api/train-step": _train_step,
    "/api/reset": _reset,
}


class Watchdog:
    """Shuts down the sockets armed longer ago than ``limit()`` seconds. A read blocked
    on such a socket returns at once, so a client that drips its request a byte at a
    time cannot hold a worker past the limit (the socket timeout alone restarts at
    every byte). ``limit`` is asked at every round, so the server can tighten it while
    it is busy."""

    def __init__(self, limit: Callable[[], float], period: float = 0.25) -> None:
        self._armed: dict[socket.socket, float] = {}  # socket -> when it was armed
        self._limit = limit
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        thread = threading.Thread(target=self._run, args=(period,), daemon=True)
        thread.start()

    def arm(self, sock: socket.socket) -> None:
        with self._lock:
            self._armed[sock] = time.monotonic()

    def disarm(self, sock: socket.socket) -> None:
        with self._lock:
            self._armed.pop(sock, None)

    def stop(self) -> None:
        self._stopped.set()

    def _run(self, period: float) -> None:
        while not self._stopped.wait(period):
            oldest = time.monotonic() - self._limit()
            with self._lock:
                late = [sock for sock, armed in self._armed.items() if armed < oldest]
                for sock in late:
                    del self._armed[sock]
            for sock in late:
                with contextlib.suppress(OSError):  # closed meanwhile: nothing to cut off
                    sock.shutdown(socket.SHUT_RDWR)


def _hostname(host: str) -> str | None:
    """'localhost:8000' -> 'localhost', '[::1]:8000' -> '::1'; None if it is no host."""
    try:
        return urlsplit("//" + host).hostname
    except ValueError:  # '[bad'
        return None


class ExplorerServer(HTTPServer):
    """An HTTP server that knows its network and the page's files, answers with a
    bounded pool of worker threads, and only for this machine's names (module docstring).

    The accept loop hands each connection to a queue of ``workers`` places; while it is
    full the loop waits, and new connections wait in the kernel's listen queue of
    ``LISTEN_QUEUE``, costing no thread and no memory of this process.
    """

    request_queue_size = LISTEN_QUEUE
    network: Network  # what the API routes compute with
    files: dict[str, tuple[bytes, str]]  # the page's files by name: (content, content type)
    quiet: bool  # True: no request log on stderr

    def __init__(
        self,
        network: Network,
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = True,
        workers: int = WORKERS,
        idle_timeout: float = IDLE_TIMEOUT,
        request_deadline: float = REQUEST_DEADLINE,
        busy_deadline: float = BUSY_DEADLINE,
        allow_hosts: tuple[str, ...] = (),
    ):
        self.network = network
        self.files = static_files()
        self.quiet = quiet
        self.idle_timeout, self.request_deadline = idle_timeout, request_deadline
        self.busy_deadline = busy_deadline
        names = (host, *allow_hosts)  # e.g. the machine's name, for --host 0.0.0.0
        self.allowed_hosts = {*LOCAL_NAMES, *((_hostname(name) or name) for name in names)}
        if ":" in host:  # an IPv6 address such as ::1
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
        self._closing = threading.Event()
        self._handover: queue.Queue = queue.Queue(maxsize=workers)
        self.watchdog = Watchdog(self.deadline)
        self._workers = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for thread in self._workers:
            thread.start()

    def refuse(self, method: str, headers) -> BadRequest | None:
        """Why a request is not for us, or None. The Host must be one of this machine's
        names or the bound address; a POST's Origin, when the browser sends one, must be
        such a host on our port (a page elsewhere may not use the API)."""
        host = headers.get("Host")
        if host is None or _hostname(host) not in self.allowed_hosts:
            names = ", ".join(sorted(self.allowed_hosts))
            return BadRequest(
                f"this server answers only requests for {names} (got Host: {host!r}); "
                f"open {self.url}, or start it with --allow-host NAME to add a name",
                HTTPStatus.FORBIDDEN,
            )
        origin = headers.get("Origin")
        if method == "POST" and origin is not None:
            try:
                parts = urlsplit(origin)
                ours = parts.hostname in self.allowed_hosts and parts.port == self.port
            except ValueError:  # a port that is not a number
                ours = False
            if not ours:
                return BadRequest(
                    f"requests from other sites are refused (Origin: {origin!r})",
                    HTTPStatus.FORBIDDEN,
                )
        return None

    def deadline(self) -> float:
        """Seconds a request may take to arrive: shorter while others wait for a worker."""
        return self.busy_deadline if self._handover.qsize() else self.request_deadline

    # -- the worker pool ----------------------------------------------------------------

    def process_request(self, request, client_address) -> None:
        """Hand the connection to a worker, waiting while every place is taken."""
        while not self._closing.is_set():
            try:
                self._handover.put((request, client_address), timeout=0.2)
                return
            except queue.Full:
                continue
        self.shutdown_request(request)

    def _work(self) -> None:
        while True:
            try:
                request, client_address = self._handover.get(timeout=0.5)
            except queue.Empty:
                if self._closing.is_set():
                    return
                continue
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        # A client that hung up, or one the deadline cut off, is not worth a traceback.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def shutdown(self) -> None:
        self._closing.set()
        super().shutdown()

    def server_close(self) -> None:
        self._closing.set()
        self.watchdog.stop()
        super().server_close()

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes | bytearray):  # socketserver's type allows bytes
            host = host.decode()
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach: 'localhost' and
    the loopback addresses (127.0.0.0/8, ::1), judged as addresses, so that a name such
    as '127.evil.example' is not taken for one."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name, not an address
        return False
