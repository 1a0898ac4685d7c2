"""The explorer's server under load, slow clients and requests from elsewhere:
a Host allow-list and an Origin check, a bounded worker pool, timeouts and a deadline,
and a 400 for malformed JSON of any shape. Loopback only; every client is closed.

With MINICNN_SERVER_FIGURES_JSON=path the load tests write what they measured there
(for the notes; never asserted on as times).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minicnn as mc
from minicnn import explore
from minicnn.explore import ExplorerServer, Network
from minicnn.explore.server import ROUTES, WORKERS, is_loopback


@pytest.fixture(scope="module")
def network():
    mc.manual_seed(0)
    return Network(mc.zoo.lenet5(), "random LeNet-5")


def serving(server: ExplorerServer) -> ExplorerServer:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def server(network):
    server = serving(ExplorerServer(network, idle_timeout=1.0, request_deadline=2.0))
    yield server
    server.shutdown()
    server.server_close()


def request(server, method, path, body=None, headers=None, host=None):
    """(status, JSON answer) of one request on a fresh connection."""
    address, port = server.server_address[:2]
    conn = http.client.HTTPConnection(address, port, timeout=30)
    data = json.dumps(body).encode() if isinstance(body, dict | list) else body
    conn.putrequest(method, path, skip_host=host is not None)
    if host is not None:
        conn.putheader("Host", host)
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    if data is not None:
        conn.putheader("Content-Length", str(len(data)))
    conn.endheaders(data)
    response = conn.getresponse()
    status, answer = response.status, response.read()
    conn.close()
    return status, json.loads(answer) if answer.startswith(b"{") else answer


def figures(**numbers) -> None:
    path = os.environ.get("MINICNN_SERVER_FIGURES_JSON")
    if path:
        old = json.loads(Path(path).read_text()) if Path(path).exists() else {}
        Path(path).write_text(json.dumps({**old, **numbers}, indent=2))


# -- who may ask --------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil", "[bad"])
def test_a_foreign_host_is_refused(server, host):
    status, answer = request(server, "GET", "/api/model", host=host)
    assert status == 403 and "answers only requests for" in answer["error"]


def test_requests_without_a_host_are_refused(server):
    with socket.create_connection(server.server_address[:2], timeout=30) as sock:
        sock.sendall(b"GET /api/model HTTP/1.0\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 403")


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST"])
def test_this_machines_names_are_served(server, name):
    status, answer = request(server, "GET", "/api/model", host=f"{name}:{server.port}")
    assert status == 200 and answer["parameters"] == 61_706


def test_the_bound_address_is_allowed_as_a_host(network):
    server = serving(ExplorerServer(network, host="127.0.0.2"))
    try:
        assert request(server, "GET", "/api/model", host="127.0.0.2")[0] == 200
        assert request(server, "GET", "/api/model", host="127.0.0.3")[0] == 403
    finally:
        server.shutdown()
        server.server_close()


def test_names_given_with_allow_host_are_served(network):
    server = serving(ExplorerServer(network, allow_hosts=("teacher.local",)))
    try:
        assert request(server, "GET", "/api/model", host="teacher.local:8000")[0] == 200
        assert request(server, "GET", "/api/model", host="student.local")[0] == 403
    finally:
        server.shutdown()
        server.server_close()
    assert explore.parse_args(["--allow-host", "a", "--allow-host", "b"]).allow_host == ["a", "b"]


def test_a_post_from_another_origin_is_refused(server):
    body = {"layer": 3, "y": 0, "x": 0}
    own = f"http://127.0.0.1:{server.port}"
    assert request(server, "POST", "/api/receptive-field", body, {"Origin": own})[0] == 200
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{server.port + 1}",
                   "http://127.0.0.1:x"):  # fmt: skip
        status, answer = request(server, "POST", "/api/receptive-field", body, {"Origin": origin})
        assert status == 403 and "other sites" in answer["error"], origin


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("127.evil.example", False),
        ("127.0.0.1.nip.io", False),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("::", False),
    ],
)
def test_is_loopback_judges_addresses_not_name_prefixes(host, loopback):
    assert is_loopback(host) is loopback


# -- malformed JSON of any shape --------------------------------------------------------------


@pytest.mark.parametrize(
    "body, message",
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"image": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "nested too deeply"),
        (b'{"image": [[' + b"9" * 400 + b"]]}", "2-D list of numbers"),
        (b'{"image": [[' + b"9" * 5000 + b"]]}", "not valid JSON"),
        (b'{"image": [[1e400]]}', "finite numbers"),
        (b'{"image": [[NaN]]}', "finite numbers"),
        (b'{"image": {"a": 1}}', "2-D"),
        (b'{"image": "picture"}', "2-D"),
        (b'{"image": [[{"a": 1}]]}', "2-D list of numbers"),
        (b'{"image": ' + b"[" * 70 + b"0" + b"]" * 70 + b"}", "2-D list of numbers"),
        (b'{"image": [[0]], "preprocess": 1}', "true or false"),
    ],
)
def test_malformed_json_of_any_shape_gets_a_400(server, body, message):
    status, answer = request(server, "POST", "/api/forward", body)
    assert status == 400 and message in answer["error"], answer


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)
FIELDS = ["image", "preprocess", "label", "layer", "channel", "y", "x", "lr", "example", "dy"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(sorted(ROUTES)),
    payload=st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=5) | JSON,
)
def test_any_json_gets_an_answer_never_a_500_or_a_dropped_connection(server, route, payload):
    status, answer = request(server, "POST", route, json.dumps(payload).encode())
    assert status == 200 or 400 <= status < 500, (status, answer)
    if status != 200:
        assert answer["error"]


def test_huge_integers_in_integer_fields_get_a_4xx(server):
    body = b'{"layer": ' + b"9" * 400 + b', "y": 0, "x": 0}'
    status, answer = request(server, "POST", "/api/receptive-field", body)
    assert status == 422 and "no feature maps" in answer["error"]


# -- timeouts ----------------------------------------------------------------------------------


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server closes the connection (the client waits up to 20 s)."""
    sock.settimeout(20)
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    return True


def test_an_idle_connection_is_closed(server):
    with socket.create_connection(server.server_address[:2]) as sock:
        assert closed_by_server(sock)  # nothing sent: the idle timeout (1 s) closes it


def test_a_request_that_drips_is_cut_off_at_the_deadline(server):
    head = b"POST /api/forward HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n"
    with socket.create_connection(server.server_address[:2]) as sock:
        sock.sendall(head)
        sock.settimeout(0.5)
        cut = False
        for _ in range(60):  # a byte every 0.3 s keeps resetting the idle timeout...
            try:
                sock.sendall(b" ")
                if sock.recv(65536) == b"":
                    cut = True
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
        assert cut  # ...but the 2 s deadline cuts the request off


# -- load ----------------------------------------------------------------------------------


def test_50_concurrent_requests_are_all_answered(server):
    drawing = np.zeros((112, 112))
    drawing[10:100, 50:62] = 1
    body = {"image": drawing.tolist()}
    statuses: list[int | str] = []
    start = threading.Barrier(50)

    def client():
        start.wait()
        try:
            statuses.append(request(server, "POST", "/api/forward", body)[0])
        except OSError as err:  # a reset connection, as an overloaded server gave
            statuses.append(type(err).__name__)

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    figures(concurrent_50={"answered": statuses.count(200), "seconds": time.perf_counter() - began})
    assert statuses == [200] * 50


def test_a_request_behind_slow_clients_is_answered_while_they_hold(network):
    """While connections wait for a worker, requests get the short busy deadline: 100
    clients that send half a request and hold are cut off in turn, and a real request
    queued behind them is answered before any of them gives up."""
    server = serving(ExplorerServer(network, idle_timeout=30, busy_deadline=0.5))
    head = b"POST /api/forward HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n"
    clients = []
    try:
        for _ in range(100):
            sock = socket.create_connection(server.server_address[:2], timeout=10)
            sock.sendall(head + b" " * 500)
            clients.append(sock)
        began = time.perf_counter()
        status, answer = request(server, "GET", "/api/model")  # waits 30 s at most
        figures(behind_100_slow_clients={"seconds": time.perf_counter() - began})
        assert status == 200 and answer["parameters"] == 61_706
    finally:
        for sock in clients:
            sock.close()
        server.shutdown()
        server.server_close()


SERVER_SCRIPT = """
import sys
import minicnn as mc
from minicnn.explore import ExplorerServer, Network
mc.manual_seed(0)
server = ExplorerServer(Network(mc.zoo.lenet5(), "random"), idle_timeout=2, request_deadline=5)
print(server.port, flush=True)
server.serve_forever()
"""


def status_of(pid: int) -> dict[str, int]:
    """Threads and resident memory (MiB) of a process, from /proc (Linux)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return {"threads": int(fields["Threads"]), "rss_mib": int(fields["VmRSS"].split()[0]) // 1024}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux only)")
def test_1000_slow_clients_cost_neither_threads_nor_memory(tmp_path):
    """1,000 connections that send the headers and most of a 100 kB body, then hold. The
    server (in its own process, so its threads and memory can be read) keeps its worker
    count, its memory stays bounded, and it answers again once they are gone."""
    env = {**os.environ, "PYTHONPATH": str(Path(mc.__file__).parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT], stdout=subprocess.PIPE, text=True, env=env
    )
    clients: list[socket.socket] = []
    try:
        port = int(proc.stdout.readline())
        before = status_of(proc.pid)
        length = 100_000
        head = (
            f"POST /api/forward HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length}\r\n\r\n"
        ).encode()
        began = time.perf_counter()
        for _ in range(1000):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.setblocking(False)
            try:
                sock.send(head + b" " * (length * 9 // 10))  # what fits; the rest never comes
            except BlockingIOError:
                pass
            clients.append(sock)
        time.sleep(1.0)
        held = status_of(proc.pid)
        for sock in clients:
            sock.close()
        clients.clear()
        # Served again: the workers drop the closed connections and take a new request.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/api/model")
        assert conn.getresponse().status == 200
        conn.close()
        after = status_of(proc.pid)
        figures(
            slow_clients_1000={
                "before": before,
                "held": held,
                "after": after,
                "seconds": time.perf_counter() - began,
            }
        )
        assert held["threads"] <= before["threads"] and after["threads"] <= before["threads"]
        # WORKERS requests of at most 100 kB each are being read: a few MiB, not 1 GB.
        assert held["rss_mib"] - before["rss_mib"] < 50 + WORKERS
        assert after["rss_mib"] - before["rss_mib"] < 50 + WORKERS
    finally:
        for sock in clients:
            sock.close()
        proc.kill()
        proc.wait()
