"""The explorer's backward view, backward stepper and training step, through
the JSON API: every gradient equals what minicnn's functional pairs give, chained by
hand here, to 1e-6 in float64; the stepper shows lecture 002's numbers; a training
step moves the weights downhill and a reset (also under concurrent use) undoes it."""

from __future__ import annotations

import http.client
import json
import threading

import numpy as np
import pytest

import minicnn as mc
from minicnn import functional as F
from minicnn.explore import ExplorerServer, Network


@pytest.fixture(scope="module")
def network():
    mc.manual_seed(0)
    return Network(mc.zoo.lenet5(), "random LeNet-5")


@pytest.fixture(scope="module")
def server(network):
    server = ExplorerServer(network)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def post(server, path: str, body: dict) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=60)
    conn.request("POST", path, body=json.dumps(body), headers={"Host": "localhost"})
    response = conn.getresponse()
    result = response.status, json.loads(response.read())
    conn.close()
    return result


@pytest.fixture(scope="module")
def digit():
    image = np.zeros((28, 28))
    image[4:24, 12:16] = 1.0  # a '1'
    image[4:8, 8:16] = 0.7
    return image


def lenet5_by_hand(model, image: np.ndarray, label: int | None):
    """LeNet-5's forward and backward chained from the functional pairs, in float64:
    the reference the API is checked against. Returns (loss, label, dL/d(output) of
    every layer, dL/dx, {layer: (dW, dB)})."""
    w = {name: p.data.astype(np.float64) for name, p in model.named_parameters()}
    x = image.reshape(1, 1, 28, 28).astype(np.float64)
    y0, c0 = F.conv2d_forward(x, w["0.weight"], w["0.bias"], 1, 2)
    y1, m1 = F.relu_forward(y0)
    y2, c2 = F.max_pool2d_forward(y1, 2, 2)
    y3, c3 = F.conv2d_forward(y2, w["3.weight"], w["3.bias"], 1, 0)
    y4, m4 = F.relu_forward(y3)
    y5, c5 = F.max_pool2d_forward(y4, 2, 2)
    y6, s6 = F.flatten_forward(y5)
    y7, c7 = F.linear_forward(y6, w["7.weight"], w["7.bias"])
    y8, m8 = F.relu_forward(y7)
    y9, c9 = F.linear_forward(y8, w["9.weight"], w["9.bias"])
    y10, m10 = F.relu_forward(y9)
    y11, c11 = F.linear_forward(y10, w["11.weight"], w["11.bias"])
    label = int(np.argmax(y11)) if label is None else label
    loss, d11 = F.softmax_cross_entropy(y11, np.array([label]))
    d10, dw11, db11 = F.linear_backward(d11, c11)
    d9 = F.relu_backward(d10, m10)
    d8, dw9, db9 = F.linear_backward(d9, c9)
    d7 = F.relu_backward(d8, m8)
    d6, dw7, db7 = F.linear_backward(d7, c7)
    d5 = F.flatten_backward(d6, s6)
    d4 = F.max_pool2d_backward(d5, c5)
    d3 = F.relu_backward(d4, m4)
    d2, dw3, db3 = F.conv2d_backward(d3, c3)
    d1 = F.max_pool2d_backward(d2, c2)
    d0 = F.relu_backward(d1, m1)
    dx, dw0, db0 = F.conv2d_backward(d0, c0)
    grads = [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11]
    params = {0: (dw0, db0), 3: (dw3, db3), 7: (dw7, db7), 9: (dw9, db9), 11: (dw11, db11)}
    return loss, label, [g[0] for g in grads], dx[0, 0], params


@pytest.mark.parametrize("label", [None, 3, 7])
def test_backward_route_equals_the_functional_pairs(server, network, digit, label):
    status, answer = post(
        server, "/api/backward", {"image": digit.tolist(), "preprocess": False, "label": label}
    )
    assert status == 200, answer
    loss, label, grads, dx, params = lenet5_by_hand(network.model, digit, label)
    assert answer["label"] == label
    assert answer["loss"] == pytest.approx(loss, abs=1e-6)
    assert len(answer["gradients"]) == len(grads) == 12
    for got, want in zip(answer["gradients"], grads, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    # dL/d(scores) = softmax − onehot: the probabilities minus 1 at the label.
    onehot = np.eye(10)[label]
    np.testing.assert_allclose(answer["gradients"][-1], answer["probabilities"] - onehot, atol=1e-4)
    np.testing.assert_allclose(answer["dx"], dx, rtol=0, atol=1e-6)
    assert np.abs(dx).max() > 1e-4  # a real gradient, not zeros that trivially agree
    by_layer = {p["layer"]: p for p in answer["parameters"]}
    assert sorted(by_layer) == sorted(params)
    for layer, (dw, db) in params.items():
        np.testing.assert_allclose(by_layer[layer]["bias"], db, rtol=0, atol=1e-6)
        if layer in (0, 3):  # every conv filter's dL/dK
            np.testing.assert_allclose(by_layer[layer]["weight"], dw, rtol=0, atol=1e-6)
        else:
            assert by_layer[layer]["weight_abs_max"] == pytest.approx(np.abs(dw).max())


@pytest.mark.parametrize("layer, channel", [(0, 2), (3, 5)])
def test_conv_backward_steps_are_the_pairs_numbers_three_ways(
    server, network, digit, layer, channel
):
    body = {"image": digit.tolist(), "layer": layer, "channel": channel, "label": 4}
    status, steps = post(server, "/api/conv-backward-steps", body)
    assert status == 200, steps
    _, _, grads, dx, params = lenet5_by_hand(network.model, digit, 4)
    np.testing.assert_allclose(steps["dy"], grads[layer][channel], atol=1e-6)
    np.testing.assert_allclose(steps["dw"], params[layer][0][channel], atol=1e-6)
    assert steps["db"] == pytest.approx(params[layer][1][channel], abs=1e-6)
    # dL/dX sums every output channel's share; the share comes from this channel's pair.
    shares = []
    for k in range(network.model[layer].out_channels):
        body["channel"] = k
        shares.append(post(server, "/api/conv-backward-steps", body)[1]["dx"])
    whole = dx[None] if layer == 0 else grads[layer - 1]
    np.testing.assert_allclose(np.sum(shares, axis=0), whole, atol=1e-6)
    # The three views agree: window sums, the rotated kernel, and im2col's products.
    x_pad, dy, k = np.array(steps["input"]), np.array(steps["dy"]), np.array(steps["weight"])
    C, kh, kw = k.shape
    OH, OW = dy.shape
    dk = sum(x_pad[:, i : i + kh, j : j + kw] * dy[i, j] for i in range(OH) for j in range(OW))
    np.testing.assert_allclose(steps["dw"], dk, atol=1e-6)
    np.testing.assert_array_equal(steps["rot180"], k[:, ::-1, ::-1])
    dy_pad = np.array(steps["dy_padded"])
    assert dy_pad.shape == (OH + 2 * (kh - 1), OW + 2 * (kw - 1))
    full = F.conv2d(dy_pad[None, None], np.array(steps["rot180"])[:, None])[0]
    np.testing.assert_allclose(steps["dx_padded"], full, atol=1e-6)
    cols, dcols = np.array(steps["cols"]), np.array(steps["dcols"])
    np.testing.assert_allclose(
        (dy.reshape(1, -1) @ cols.T).reshape(k.shape), steps["dw"], atol=1e-6
    )
    added = np.zeros_like(x_pad)
    for t in range(OH * OW):  # col2im: column t goes back onto window t
        i, j = divmod(t, OW)
        added[:, i : i + kh, j : j + kw] += dcols[:, t].reshape(C, kh, kw)
    np.testing.assert_allclose(added, steps["dx_padded"], atol=1e-6)


def test_the_stepper_shows_lecture_002s_numbers(server):
    status, s = post(server, "/api/conv-backward-steps", {"example": "lecture-002"})
    assert status == 200, s
    x = [[1, 6, 2], [5, 3, 1], [7, 0, 4]]
    assert s["input"] == [x] and s["weight"] == [[[1, 2], [-1, 0]]]
    assert s["output"] == [[8, 7], [4, 5]]  # X ⋆ K, the lecture's Y
    assert s["rot180"] == [[[0, -1], [2, 1]]]
    (dy11, dy12), (dy21, dy22) = s["dy"]
    assert s["dy"] == [[8, 7], [4, 5]]  # E = ½ Σ Y², so ∂E/∂Y = Y
    (x11, x12, x13), (x21, x22, x23), (x31, x32, x33) = x
    # The lecture's four equations for ∂E/∂K ...
    assert s["dw"] == [
        [
            [dy11 * x11 + dy12 * x12 + dy21 * x21 + dy22 * x22,
             dy11 * x12 + dy12 * x13 + dy21 * x22 + dy22 * x23],
            [dy11 * x21 + dy12 * x22 + dy21 * x31 + dy22 * x32,
             dy11 * x22 + dy12 * x23 + dy21 * x32 + dy22 * x33],
        ]
    ]  # fmt: skip
    assert s["dw"] == [[[85, 79], [89, 51]]]
    # ... ∂E/∂B = Σ ∂E/∂Y for the one shared bias, and ∂E/∂x11 = ∂E/∂y11 · k11.
    assert s["db"] == 24
    (k11, k12), (k21, k22) = s["weight"][0]
    assert s["dx"][0][0][0] == dy11 * k11 == 8
    assert s["dx"][0][2][2] == dy22 * k22 == 0
    assert s["dx"] == [[[8, 23, 14], [-4, 6, 10], [-4, -5, 0]]]
    status, s = post(
        server, "/api/conv-backward-steps", {"example": "lecture-002", "dy": [[1, 0], [0, 0]]}
    )
    assert s["dw"] == [[[1, 6], [5, 3]]]  # one window: ∂E/∂k_pq = x_pq
    assert s["dx"] == [[[1, 2, 0], [-1, 0, 0], [0, 0, 0]]]  # K itself, at the corner


def test_a_training_step_moves_downhill_and_reset_restores(server, network, digit):
    start = {k: v.copy() for k, v in network.model.state_dict().items()}
    body = {"image": digit.tolist(), "label": 4, "lr": 0.05}
    status, step = post(server, "/api/train-step", body)
    assert status == 200, step
    assert step["loss_after"] < step["loss_before"]
    assert step["probabilities_after"][4] > step["probabilities_before"][4]
    moved = {c["name"]: c for c in step["changes"]}
    assert set(moved) == set(start)
    now = network.model.state_dict()
    for name, change in moved.items():
        delta = now[name].astype(np.float64) - start[name]
        assert change["max"] == pytest.approx(np.abs(delta).max(), rel=1e-6)
    assert moved["11.bias"]["max"] > 0
    # Δ = −lr · dL/dθ: the last bias moved against its gradient (softmax − onehot).
    np.testing.assert_allclose(
        now["11.bias"] - start["11.bias"],
        -0.05 * (np.array(step["probabilities_before"]) - np.eye(10)[4]),
        atol=1e-4,
    )
    assert np.array(moved["0.weight"]["delta"]).shape == (6, 1, 5, 5)
    assert post(server, "/api/train-step", body)[1]["steps"] == 2
    assert post(server, "/api/reset", {}) == (200, {"steps": 0})
    for name, value in network.model.state_dict().items():
        np.testing.assert_array_equal(value, start[name])


def test_steps_and_resets_from_many_clients_leave_a_consistent_model(server, network, digit):
    start = {k: v.copy() for k, v in network.model.state_dict().items()}
    errors = []

    def client(i):
        for path, body in [
            ("/api/train-step", {"image": digit.tolist(), "label": i % 10, "lr": 0.01}),
            ("/api/backward", {"image": digit.tolist(), "preprocess": False}),
            ("/api/reset", {}),
        ] * 3:
            status, answer = post(server, path, body)
            if status != 200:
                errors.append(answer)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    post(server, "/api/reset", {})
    for name, value in network.model.state_dict().items():
        np.testing.assert_array_equal(value, start[name])


@pytest.mark.parametrize(
    "path, body, status, message",
    [
        ("/api/backward", {"image": [[0] * 28] * 28, "label": 10}, 422, "classes are 0..9"),
        ("/api/backward", {"image": [[0] * 28] * 28, "label": "3"}, 400, "class index or null"),
        ("/api/train-step", {"image": [[0] * 28] * 28, "lr": "x"}, 400, "must be a number"),
        ("/api/train-step", {"image": [[0] * 28] * 28}, 400, "missing field 'lr'"),
        ("/api/train-step", {"image": [[0] * 28] * 28, "lr": 10**400}, 400, "must be a number"),
        ("/api/train-step", {"image": [[0] * 28] * 28, "lr": -1}, 422, "learning rate"),
        ("/api/conv-backward-steps", {"example": "lecture-003"}, 400, "lecture-002"),
        ("/api/conv-backward-steps", {"example": "lecture-002", "dy": [1, 2]}, 400, "2×2"),
        (
            "/api/conv-backward-steps",
            {"image": [[0] * 28] * 28, "layer": 2, "channel": 0},
            422,
            "not a Conv2D",
        ),
    ],
)
def test_bad_backward_requests_get_a_4xx(server, path, body, status, message):
    got, answer = post(server, path, body)
    assert got == status and message in answer["error"], answer
