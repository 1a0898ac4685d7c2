"""The explorer without a browser: preprocessing, what the network answers, and the
server's handling of good and bad requests (4xx, path traversal, loopback)."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading

import numpy as np
import pytest

import minicnn as mc
from minicnn import explore
from minicnn.explore import ExplorerServer, Network, mnist_style
from minicnn.explore.preprocess import resize_area
from minicnn.explore.server import MAX_BODY

# -- preprocessing ----------------------------------------------------------------------------


def test_mnist_style_crops_scales_to_20_and_centres_the_mass():
    drawing = np.zeros((200, 300))
    drawing[20:120, 200:250] = 1.0  # a 100×50 bar in the top right corner
    image = mnist_style(drawing)
    assert image.shape == (28, 28) and image.dtype == np.float32
    rows, cols = np.nonzero(image > 0.01)
    assert rows.max() - rows.min() + 1 == 20  # the longer side fills the 20-pixel box
    assert cols.max() - cols.min() + 1 == 10  # the aspect ratio is kept
    ys, xs = np.indices(image.shape)
    centre = (ys * image).sum() / image.sum(), (xs * image).sum() / image.sum()
    np.testing.assert_allclose(centre, 14.0, atol=0.5)  # where MNIST has it (digits.CENTRE)
    np.testing.assert_array_equal(mnist_style(np.zeros((50, 50))), np.zeros((28, 28)))


def test_resize_area_keeps_the_mean_ink():
    rng = np.random.default_rng(0)
    image = rng.random((112, 56))
    small = resize_area(image, 28, 14)
    assert small.shape == (28, 14)
    np.testing.assert_allclose(small.mean(), image.mean())
    np.testing.assert_allclose(small[0, 0], image[:4, :4].mean())


@pytest.mark.parametrize("bad", [np.zeros((2, 3, 4)), np.array([[np.nan, 1.0]])])
def test_mnist_style_rejects_what_is_not_a_finite_2d_image(bad):
    with pytest.raises(ValueError, match="mnist_style"):
        mnist_style(bad)


# -- the network ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def network():
    mc.manual_seed(0)
    return Network(mc.zoo.lenet5(), "random LeNet-5")


@pytest.fixture(scope="module")
def digit():
    image = np.zeros((28, 28), dtype=np.float32)
    image[4:24, 12:16] = 1.0  # a '1'
    return image


def test_forward_gives_every_layer_and_the_probabilities(network, digit):
    answer = network.forward(digit)
    shapes = [np.array(y).shape for y in answer["outputs"]]
    assert shapes == [s for s in network.shapes]
    assert shapes[0] == (6, 28, 28) and shapes[-1] == (10,)
    scores = network.model.forward(digit[None, None])[0]
    np.testing.assert_allclose(answer["outputs"][-1], scores, atol=1e-4)
    assert sum(answer["probabilities"]) == pytest.approx(1, abs=1e-3)
    assert answer["prediction"] == int(np.argmax(scores))


def test_receptive_fields_agree_with_the_summary(network):
    summary = network.model.summary((1, 28, 28), print_table=False)
    for layer, (row, shape) in enumerate(zip(summary.rows, network.shapes, strict=True)):
        if len(shape) != 3:
            continue
        _, H, W = shape
        for y, x in ((0, 0), (H // 2, W // 2), (H - 1, W - 1)):
            box = network.receptive_field(layer, y, x)
            assert tuple(box["size"]) == tuple(row.receptive_field)
            assert 0 <= box["top"] <= box["bottom"] <= 27
    # conv2's unit (0, 0) sees rows -2..11 of the input: 14 pixels, 12 of them inside.
    assert network.receptive_field(3, 0, 0) == {
        "top": 0,
        "left": 0,
        "bottom": 11,
        "right": 11,
        "size": [14, 14],
    }
    with pytest.raises(ValueError, match="outside"):
        network.receptive_field(3, 10, 0)
    with pytest.raises(ValueError, match="no feature maps"):
        network.receptive_field(7, 0, 0)


@pytest.mark.parametrize("layer, channel", [(0, 0), (0, 5), (3, 11)])
def test_conv_steps_rebuild_the_layer_output_from_im2col(network, digit, layer, channel):
    steps = network.conv_steps(digit, layer, channel)
    conv = network.model[layer]
    C, kh, kw = conv.weight.data.shape[1:]
    _, OH, OW = network.shapes[layer]
    cols = np.array(steps["cols"])
    assert cols.shape == (C * kh * kw, OH * OW)
    # Window t of the padded input, flattened, is column t.
    padded = np.array(steps["input"])
    t = 2 * OW + 1
    np.testing.assert_allclose(cols[:, t], padded[:, 2:7, 1:6].reshape(-1), atol=1e-4)
    expected = network._outputs(digit)[layer][channel]
    np.testing.assert_allclose(steps["output"], expected, atol=1e-3)
    np.testing.assert_allclose(
        np.array(steps["weight"]) @ cols + steps["bias"], np.ravel(expected), atol=1e-3
    )


def test_conv_steps_of_a_dilated_grouped_convolution_are_the_layers_own(digit):
    """The stepper's matrix is F.im2col, the one conv2d_forward multiplies: with
    dilation 2 a window's taps are 2 pixels apart, and a filter of group 1 reads input
    channels 2 and 3 only (before: an im2col of its own, blind to both)."""
    model = mc.Sequential(
        mc.Conv2D(1, 4, 3, padding=1, seed=0),
        mc.ReLU(),
        mc.Conv2D(4, 6, 3, padding=2, dilation=2, groups=2, seed=1),
        mc.Flatten(),
    )
    network = Network(model, "dilated, grouped")
    steps = network.conv_steps(digit, 2, 4)  # filters 3, 4, 5 form group 1
    cols, padded = np.array(steps["cols"]), np.array(steps["input"])
    assert cols.shape == (2 * 3 * 3, 28 * 28) and padded.shape == (2, 32, 32)
    relu = network._outputs(digit)[1]
    np.testing.assert_allclose(padded[:, 2:-2, 2:-2], relu[2:4], atol=1e-4)
    t = 5 * 28 + 7  # output pixel (5, 7) reads rows 5, 7, 9 and columns 7, 9, 11
    np.testing.assert_allclose(cols[:, t], padded[:, 5:10:2, 7:12:2].reshape(-1), atol=1e-4)
    expected = network._outputs(digit)[2][4]
    np.testing.assert_allclose(steps["output"], expected, atol=1e-3)
    np.testing.assert_allclose(
        np.array(steps["weight"]) @ cols + steps["bias"], np.ravel(expected), atol=1e-3
    )
    assert steps["dilation"] == [2, 2]
    # a unit of the dilated layer sees 5×5 of the ReLU maps (span 2·(3 − 1) + 1), so 7×7
    # of the image, as mc's summary says
    box = {"top": 7, "left": 7, "bottom": 13, "right": 13, "size": [7, 7]}
    assert network.receptive_field(2, 10, 10) == box
    assert model.summary((1, 28, 28), print_table=False).rows[2].receptive_field == (7, 7)


def test_conv_steps_name_the_valid_layers_and_channels(network, digit):
    with pytest.raises(ValueError, match=r"Conv2D layers: \[0, 3\]"):
        network.conv_steps(digit, 1, 0)
    with pytest.raises(ValueError, match="has 6 output channels"):
        network.conv_steps(digit, 0, 6)


def test_network_needs_a_flat_sequential():
    nested = mc.Sequential(mc.Sequential(mc.Flatten()), mc.Linear(784, 10))
    with pytest.raises(TypeError, match="flat mc.Sequential"):
        Network(nested, "nested")


# -- the server ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(network):
    server = ExplorerServer(network)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def request(server, method, path, body=None, headers=None):
    """(status, headers, body bytes) of one request on a fresh connection."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    data = json.dumps(body).encode() if isinstance(body, dict | list) else body
    conn.request(method, path, body=data, headers=headers or {})
    response = conn.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    conn.close()
    return result


def raw(server, data: bytes) -> bytes:
    """Send bytes as they are (for requests http.client refuses to make)."""
    with socket.create_connection(server.server_address[:2], timeout=30) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_binds_to_loopback_by_default(server):
    assert server.server_address[0] == "127.0.0.1"
    assert explore.parse_args([]).host == "127.0.0.1"
    assert server.url.startswith("http://127.0.0.1:")


def test_serves_the_page_and_its_files_with_a_strict_policy(server):
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and b'<canvas id="draw"' in body
    assert headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, headers, body = request(server, "GET", "/static/explorer.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    # Nothing the page uses comes from another host.
    for name in ("index.html", "explorer.js", "explorer.css"):
        _, _, text = request(server, "GET", f"/static/{name}")
        assert b"http://" not in text and b"https://" not in text


@pytest.mark.parametrize(
    "path",
    [
        "/static/../__init__.py",
        "/static/..%2f__init__.py",
        "/static/%2e%2e/server.py",
        "/static/../../viz.py",
        "/../../../etc/passwd",
        "//etc/passwd",
        "/static//etc/passwd",
        "/static/server.py",
        "/static/",
        "/__init__.py",
    ],
)
def test_serves_only_its_own_files(server, path):
    status, _, body = request(server, "GET", path)
    assert status == 404
    assert b"import" not in body and b"root:" not in body
    assert json.loads(body)["error"].startswith("no such page")


def test_model_description(server):
    status, _, body = request(server, "GET", "/api/model")
    model = json.loads(body)
    assert status == 200 and model["parameters"] == 61_706
    assert [layer["kind"] for layer in model["layers"][:4]] == ["conv", "act", "pool", "conv"]
    assert np.array(model["layers"][3]["weight"]).shape == (16, 6, 5, 5)


def test_forward_route(server):
    drawing = np.zeros((112, 112))
    drawing[10:100, 50:62] = 1
    status, _, body = request(server, "POST", "/api/forward", {"image": drawing.tolist()})
    answer = json.loads(body)
    assert status == 200
    assert np.array(answer["input"]).shape == (28, 28)
    assert len(answer["outputs"]) == 12 and len(answer["probabilities"]) == 10


def test_bad_requests_get_a_4xx_with_a_message_and_the_server_goes_on(server):
    big = b'{"image": [' + b"0," * (MAX_BODY // 2) + b"0]}"
    cases = [
        ("GET", "/nope", None, 404, "no such page"),
        ("POST", "/api/nope", {}, 404, "no such API route"),
        ("GET", "/api/forward", None, 405, "takes POST"),
        ("GET", "/api/nope", None, 404, "no such API route"),
        ("POST", "/api/forward", b"{not json", 400, "not valid JSON"),
        ("POST", "/api/forward", b"\xff\xfe", 400, "not valid JSON"),
        ("POST", "/api/forward", [1, 2], 400, "JSON object"),
        ("POST", "/api/forward", {}, 400, "missing field 'image'"),
        ("POST", "/api/forward", {"image": [[0, 1], [0]]}, 400, "2-D list of numbers"),
        ("POST", "/api/forward", {"image": [[0, "a"]]}, 400, "2-D list of numbers"),
        ("POST", "/api/forward", {"image": [0] * 30}, 400, "must be 2-D"),
        ("POST", "/api/forward", {"image": [[2.0] * 28] * 28}, 400, "in [0, 1]"),
        ("POST", "/api/forward", {"image": [[0] * 4] * 4}, 400, "between 8×8 and 512×512"),
        ("POST", "/api/forward", {"image": [[0] * 600] * 10}, 400, "between 8×8 and 512×512"),
        ("POST", "/api/forward", {"image": [[0] * 28] * 27, "preprocess": False}, 400, "28×28"),
        (
            "POST",
            "/api/forward",
            {"image": [[0] * 28] * 28, "preprocess": "no"},
            400,
            "true or false",
        ),
        ("POST", "/api/forward", big, 413, "over the limit"),
        ("POST", "/api/receptive-field", {"layer": 3, "y": "0", "x": 0}, 400, "integer"),
        ("POST", "/api/receptive-field", {"layer": 3, "y": 99, "x": 0}, 422, "outside"),
        (
            "POST",
            "/api/conv-steps",
            {"image": [[0] * 28] * 28, "layer": 1, "channel": 0},
            422,
            "not a Conv2D",
        ),
        (
            "POST",
            "/api/conv-steps",
            {"image": [[0] * 28] * 28, "layer": 0, "channel": 9},
            422,
            "output channels",
        ),
    ]
    for method, path, body, status, message in cases:
        got, headers, answer = request(server, method, path, body)
        assert got == status, (path, body if not isinstance(body, bytes) else body[:40], answer)
        assert message in json.loads(answer)["error"], answer
        assert headers["Content-Type"] == "application/json"
    # A Content-Length that promises more than the limit is refused without reading it.
    reply = raw(
        server,
        b"POST /api/forward HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999\r\n\r\n{}",
    )
    assert reply.startswith(b"HTTP/1.1 413")
    reply = raw(server, b"POST /api/forward HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 411")
    reply = raw(
        server, b"POST /api/forward HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n"
    )
    assert reply.startswith(b"HTTP/1.1 400")
    assert b" 400 " in raw(server, b"NONSENSE\r\n\r\n").split(b"\r\n")[0]
    # Still serving.
    status, _, _ = request(server, "POST", "/api/forward", {"image": [[0.5] * 28] * 28})
    assert status == 200


# -- the command ------------------------------------------------------------------------------


def test_quick_lenet5_trains_once_then_loads_the_cached_model(tmp_path, capsys):
    model, source = explore.quick_lenet5(tmp_path, epochs=1, limit=128)
    assert (tmp_path / explore.QUICK_FILE).is_file()
    assert "Training a quick LeNet-5" in capsys.readouterr().out
    again, source = explore.quick_lenet5(tmp_path)
    assert "Training" not in capsys.readouterr().out and "from" in source
    for a, b in zip(model.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_without_pretrained_weights_it_says_so_and_trains(monkeypatch, tmp_path, capsys):
    original = mc.zoo.lenet5

    def lenet5(pretrained=False, **kwargs):
        if pretrained:
            raise FileNotFoundError("no weights file shipped")
        return original(**kwargs)

    monkeypatch.setattr(explore.zoo, "lenet5", lenet5)
    network = explore.load_network(directory=tmp_path, quick_epochs=1, quick_limit=64)
    out = capsys.readouterr().out
    assert "No pretrained LeNet-5 available (FileNotFoundError: no weights file shipped)" in out
    assert "Training a quick LeNet-5" in out and "quick LeNet-5" in network.source


def test_command_line_serves_a_checkpoint_and_prints_the_url(tmp_path):
    mc.manual_seed(3)
    model = mc.zoo.lenet5()
    path = mc.save(tmp_path / "lenet.npz", model)
    process = subprocess.Popen(
        [sys.executable, "-m", "minicnn.explore", "--checkpoint", str(path), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines[0].startswith(f"Model: LeNet-5 from {path}")
        url = lines[1].split()[2]
        assert url.startswith("http://127.0.0.1:")
        host, port = url[len("http://") :].rstrip("/").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", "/api/model")
        model_json = json.loads(conn.getresponse().read())
        conn.close()
        np.testing.assert_allclose(
            model_json["layers"][0]["weight"], model[0].weight.data, atol=1e-4
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_command_line_reports_a_missing_checkpoint(tmp_path, capsys):
    assert explore.main(["--checkpoint", str(tmp_path / "none.npz"), "--port", "0"]) == 1
    assert "cannot load the model" in capsys.readouterr().err
