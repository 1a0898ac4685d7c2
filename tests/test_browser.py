"""The explorer page and the run report in a real headless Chromium (Debian's `chromium`
and `chromium-driver`, driven by selenium).

Where the browser or selenium is missing these tests skip and say so; with
MINICNN_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead, so CI cannot pass
without having run them. Screenshots go to $MINICNN_SCREENSHOTS when set (the README's
pictures are taken this way), else to the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import minicnn as mc
from minicnn.explore import ExplorerServer, Network, load_network

pytestmark = pytest.mark.slow  # starts a browser: seconds, not milliseconds

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = "chromedriver"
APT_HINT = "apt-get install -y chromium chromium-driver && pip install selenium"


def _missing() -> str | None:
    """Why the browser cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return f"selenium is not installed ({APT_HINT})"
    if not any(shutil.which(name) for name in CHROMIUM):
        return f"no Chromium on PATH ({APT_HINT})"
    if not shutil.which(DRIVER):
        return f"no chromedriver on PATH ({APT_HINT})"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason is not None:
        if os.environ.get("MINICNN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MINICNN_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = next(shutil.which(n) for n in CHROMIUM if shutil.which(n))
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1150",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which(DRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("MINICNN_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshot_run() -> Path | None:
    """$MINICNN_SCREENSHOT_RUN: a real training run whose model and report the
    screenshots show (`make screenshots`); the tests use a random LeNet-5 otherwise."""
    run = os.environ.get("MINICNN_SCREENSHOT_RUN")
    return Path(run) if run else None


@pytest.fixture(scope="module")
def explorer_url():
    if screenshot_run() is not None:
        network = load_network(str(screenshot_run() / "checkpoint.npz"))
    else:
        mc.manual_seed(0)
        network = Network(mc.zoo.lenet5(), "random LeNet-5 (test)")
    server = ExplorerServer(network)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()


def wait_for(driver, script: str, timeout: float = 30.0):
    """Poll a JavaScript expression until it is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return {script}")
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def severe_console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


PIXELS = (
    "const c = arguments[0];"
    " return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);"
)
# How many distinct colours a canvas holds: 1 means blank (one flat colour).
DISTINCT = """
const c = arguments[0];
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const seen = new Set();
for (let i = 0; i < d.length; i += 4) seen.add(d[i] * 65536 + d[i + 1] * 256 + d[i + 2]);
return seen.size;
"""


# Two digits as pointer paths, in pixels from the canvas centre.
SEVEN = [(-70 + 10 * i, -90) for i in range(15)] + [(70 - 5 * i, -90 + 12 * i) for i in range(16)]
ZERO = [(round(55 * np.sin(a)), round(-85 * np.cos(a))) for a in np.linspace(0, 2 * np.pi, 40)]


def draw(driver, canvas, points) -> None:
    """One stroke with real pointer input (press, move through the points, release)."""
    from selenium.webdriver.common.action_chains import ActionChains

    actions = ActionChains(driver, duration=15)
    actions.move_to_element_with_offset(canvas, *points[0]).click_and_hold()
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        actions.move_by_offset(x1 - x0, y1 - y0)
    actions.release().perform()


def settled(driver) -> None:
    """Wait until every stroke event has been answered and drawn."""
    wait_for(
        driver,
        "window.explorer.renders > 0 && window.explorer.pendingSince === null"
        " && !window.explorer.inflight",
    )


def test_explorer_draw_inspect_and_step_a_convolution(browser, explorer_url, shots):
    from selenium.webdriver.common.by import By

    browser.get(explorer_url)
    wait_for(browser, "document.body.dataset.ready === 'true'")
    maps = browser.find_elements(By.CSS_SELECTOR, "canvas.fmap")
    assert len(maps) == 6 + 6 + 16 + 16  # conv1, pool1, conv2, pool2 of LeNet-5
    assert browser.find_element(By.ID, "prediction").text == "–"

    canvas = browser.find_element(By.ID, "draw")
    # A zero, then clear, then a seven: the maps must change with the drawing.
    draw(browser, canvas, ZERO)
    settled(browser)
    first_map = browser.find_element(By.CSS_SELECTOR, 'canvas.fmap[data-layer="0"]')
    zero_pixels = browser.execute_script(PIXELS, first_map)
    browser.find_element(By.ID, "clear").click()
    draw(browser, canvas, SEVEN)
    settled(browser)
    assert browser.execute_script(PIXELS, first_map) != zero_pixels
    assert browser.find_element(By.ID, "prediction").text in "0123456789"
    probabilities = [
        float(e.text.rstrip("%")) for e in browser.find_elements(By.CSS_SELECTOR, "#probs .value")
    ]
    assert len(probabilities) == 10 and abs(sum(probabilities) - 100) < 1
    # The input and every feature-map canvas now show a picture, not one flat colour.
    assert browser.execute_script(DISTINCT, browser.find_element(By.ID, "input28")) > 2
    flat = [m.get_attribute("data-layer") for m in maps if browser.execute_script(DISTINCT, m) < 2]
    assert not flat, f"blank feature maps in layers {flat}"
    for bars in browser.find_elements(By.CSS_SELECTOR, "canvas.bars"):
        assert browser.execute_script(DISTINCT, bars) > 2
    # The 28×28 input the server made is MNIST-like: the digit fits a 20×20 box and its
    # centre of mass is at the centre of the field.
    image = np.array(browser.execute_script("return window.explorer.input"))
    assert image.shape == (28, 28) and image.max() > 0.5
    rows, cols = np.nonzero(image > 0)
    assert rows.max() - rows.min() < 20 and cols.max() - cols.min() < 20
    ys, xs = np.indices(image.shape)
    centre = (ys * image).sum() / image.sum(), (xs * image).sum() / image.sum()
    np.testing.assert_allclose(centre, 13.5, atol=1.0)

    timings = browser.execute_script("return window.explorer.timings")
    assert timings and all(t["strokeToRender"] >= t["request"] for t in timings)
    latency = {
        key: float(np.median([t[key] for t in timings]))
        for key in ("strokeToRender", "request", "render")
    }
    if os.environ.get("MINICNN_LATENCY_JSON"):  # for the notes; never asserted on
        Path(os.environ["MINICNN_LATENCY_JSON"]).write_text(
            json.dumps({"updates": len(timings), "median_ms": latency}, indent=1)
        )
    print(f"\nstroke -> activations, median of {len(timings)} updates (ms): {latency}")

    # Click a map of the second conv layer: its 6×5×5 filter and a receptive field.
    conv2_map = browser.find_element(
        By.CSS_SELECTOR, 'canvas.fmap[data-layer="3"][data-channel="2"]'
    )
    conv2_map.click()
    wait_for(browser, "document.getElementById('rf-caption').textContent.includes('14×14')")
    assert not browser.find_element(By.ID, "inspector").get_attribute("hidden")
    filters = browser.find_elements(By.CSS_SELECTOR, "#inspector-filter canvas")
    assert len(filters) == 6  # one 5×5 square per input channel
    assert "filter 2 of layer 3: 6×5×5" in browser.find_element(By.ID, "filter-caption").text
    assert browser.find_element(By.ID, "rf-box").is_displayed()
    browser.save_screenshot(str(shots / "explorer.png"))

    # The convolution tab: step, and the output fills in as the window slides.
    browser.find_element(By.ID, "tab-conv-button").click()
    wait_for(browser, "window.explorer.conv.data !== null")
    position = browser.find_element(By.ID, "conv-position")
    assert position.text.startswith("t = 0 of 784")
    for _ in range(3):
        browser.find_element(By.ID, "conv-next").click()
    assert position.text.startswith("t = 3 of 784: window at row 0, column 3")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#conv-table tr")) == 1 + 25
    data = browser.execute_script("return window.explorer.conv.data")
    column = [row[3] for row in data["cols"]]
    expected = float(np.dot(data["weight"], column) + data["bias"])
    assert f"= {expected:.3f}" in browser.find_element(By.ID, "conv-sum").text
    browser.find_element(By.ID, "conv-play").click()
    wait_for(browser, "window.explorer.conv.t >= 8")
    browser.find_element(By.ID, "conv-play").click()  # pause: the teacher sets the pace
    stopped = browser.execute_script("return window.explorer.conv.t")
    time.sleep(0.6)
    assert browser.execute_script("return window.explorer.conv.t") == stopped
    # For the screenshot: the window over the most ink past the middle (the output half
    # filled).
    t = max(range(400, 784), key=lambda t: sum(row[t] for row in data["cols"]))
    browser.execute_script(f"window.explorer.conv.t = {t - 1};")
    browser.find_element(By.ID, "conv-next").click()
    assert browser.execute_script(DISTINCT, browser.find_element(By.ID, "conv-output")) > 2
    browser.save_screenshot(str(shots / "explorer_conv.png"))
    assert severe_console_errors(browser) == []


def test_explorer_takes_a_finger(browser, explorer_url):
    """Touch input (a tablet on the projector): Chrome's touch events become the pointer
    events the page listens to."""
    from selenium.webdriver.common.by import By

    browser.get(explorer_url)
    wait_for(browser, "document.body.dataset.ready === 'true'")
    box = browser.execute_script(
        "const r = document.getElementById('draw').getBoundingClientRect();"
        " return [r.left + r.width / 2, r.top + r.height / 2];"
    )
    touch = "Input.dispatchTouchEvent"
    points = [{"x": box[0] + dx, "y": box[1] + dy} for dx, dy in SEVEN]
    browser.execute_cdp_cmd(touch, {"type": "touchStart", "touchPoints": [points[0]]})
    for point in points[1:]:
        browser.execute_cdp_cmd(touch, {"type": "touchMove", "touchPoints": [point]})
    browser.execute_cdp_cmd(touch, {"type": "touchEnd", "touchPoints": []})
    settled(browser)
    assert browser.execute_script(DISTINCT, browser.find_element(By.ID, "input28")) > 2


def test_explorer_reads_a_dropped_image_file(browser, explorer_url, tmp_path):
    """A photo-like file (dark ink on white paper) goes through the same path as a
    drawing: inverted to white on black, then made MNIST-like by the server."""
    from matplotlib.image import imsave
    from selenium.webdriver.common.by import By

    paper = np.ones((90, 60))
    paper[10:80, 25:37] = 0.0  # a dark '1'
    imsave(tmp_path / "one.png", paper, cmap="gray", vmin=0, vmax=1)
    browser.get(explorer_url)
    wait_for(browser, "document.body.dataset.ready === 'true'")
    browser.find_element(By.ID, "file").send_keys(str(tmp_path / "one.png"))
    settled(browser)
    image = np.array(browser.execute_script("return window.explorer.input"))
    assert image[0, 0] == 0 and image.max() > 0.9  # inverted: black paper, white ink
    rows, cols = np.nonzero(image > 0.5)
    assert rows.max() - rows.min() + 1 >= 18 and cols.max() - cols.min() + 1 <= 6
    assert severe_console_errors(browser) == []


def test_report_page_loads_every_image(browser, tmp_path, shots):
    from selenium.webdriver.common.by import By
    from test_report import make_run  # the tests folder is on sys.path (rootdir)

    run_dir = screenshot_run() or make_run(tmp_path)
    page = mc.viz.report(run_dir, model=mc.zoo.lenet5(), input_shape=(1, 28, 28))
    browser.get(page.resolve().as_uri())
    images = browser.find_elements(By.TAG_NAME, "img")
    # with the model at hand the filters before and after training share one figure
    assert {img.get_attribute("alt") for img in images} >= {
        "Training curves",
        "first-layer filters before and after training",
        "Feature maps",
        "Confusion matrix",
        "Misclassified examples",
    }
    for img in images:
        width = browser.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth", img
        )
        assert width > 0, f"image {img.get_attribute('alt')!r} did not load"
    assert severe_console_errors(browser) == []
    browser.execute_script("document.getElementById('training_curves').scrollIntoView()")
    browser.save_screenshot(str(shots / "report.png"))


HANGUL = "return /[\\uac00-\\ud7a3]/.test(document.body.innerText)"


def screenshot_has_content(path: Path) -> int:
    """How many distinct colours a saved screenshot holds (a blank page has one or two)."""
    from PIL import Image

    pixels = np.asarray(Image.open(path).convert("RGB")).reshape(-1, 3)
    return len(np.unique(pixels[:: max(1, len(pixels) // 200_000)], axis=0))


def test_explorer_backward_view_stepper_training_and_korean(browser, explorer_url, shots):
    """The backward view in the browser: draw, switch to the backward view (every gradient map
    drawn, dL/dx on the input), step the convolution's backward to its end in all three
    modes (lecture 002's numbers on the page), take a training step and reset it, and
    switch the page to Korean."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(explorer_url + "?lang=en")
    wait_for(browser, "document.body.dataset.ready === 'true'")
    assert browser.find_element(By.ID, "tab-backward-button").text == "Backward step by step"
    browser.find_element(By.ID, "view-backward").click()
    canvas = browser.find_element(By.ID, "draw")
    draw(browser, canvas, SEVEN)
    settled(browser)
    answer = browser.execute_script("return window.explorer.backward")
    assert answer is not None and len(answer["gradients"]) == 12
    # The gradient pictures show something: maps, bars, each filter's dK, dL/dx. (A map
    # whose ReLU is off everywhere for this digit gets no gradient: a flat map is
    # allowed, but not many of them, and not a whole layer.)
    for selector in ("canvas.gmap", "canvas.gbars", "canvas.dbars"):
        canvases = browser.find_elements(By.CSS_SELECTOR, selector)
        drawn = [browser.execute_script(DISTINCT, c) > 1 for c in canvases]
        layers = {c.get_attribute("data-layer") for c in canvases}
        assert sum(drawn) >= 0.75 * len(canvases), f"{drawn.count(False)} blank {selector}"
        for layer in layers:
            assert any(d for c, d in zip(canvases, drawn, strict=True)
                       if c.get_attribute("data-layer") == layer), (selector, layer)  # fmt: skip
    dks = browser.find_elements(By.CSS_SELECTOR, "canvas.dk")
    assert len(dks) == 6 * 1 + 16 * 6
    assert sum(browser.execute_script(DISTINCT, c) > 2 for c in dks) > len(dks) // 2
    assert browser.execute_script(DISTINCT, browser.find_element(By.ID, "dx28")) > 2
    assert browser.find_element(By.ID, "dx28").is_displayed()
    assert "loss L = −log p[" in browser.find_element(By.ID, "loss").text
    # Choosing the label recomputes the gradients for it.
    Select(browser.find_element(By.ID, "label")).select_by_value("3")
    wait_for(browser, "window.explorer.backward.label === 3 && !window.explorer.inflight")
    settled(browser)
    timings = [
        t for t in browser.execute_script("return window.explorer.timings")
        if t["view"] == "backward"
    ]  # fmt: skip
    latency = {
        k: float(np.median([t[k] for t in timings]))
        for k in ("strokeToRender", "request", "render")
    }
    if os.environ.get("MINICNN_BACKWARD_LATENCY_JSON"):  # for the notes; never asserted on
        Path(os.environ["MINICNN_BACKWARD_LATENCY_JSON"]).write_text(
            json.dumps({"updates": len(timings), "median_ms": latency}, indent=1)
        )
    print(f"\nstroke -> backward view, median of {len(timings)} updates (ms): {latency}")
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(shots / "explorer_backward.png"))
    assert screenshot_has_content(shots / "explorer_backward.png") > 50

    # One training step for label 3, then reset.
    lr = browser.find_element(By.ID, "lr")
    lr.clear()
    lr.send_keys("0.1")
    browser.find_element(By.ID, "train-step").click()
    wait_for(browser, "window.explorer.train && window.explorer.train.steps === 1")
    step = browser.execute_script("return window.explorer.train")
    assert step["label"] == 3 and step["lr"] == 0.1
    assert step["loss_after"] < step["loss_before"]
    assert "→" in browser.find_element(By.ID, "train-summary").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#train-changes tr")) == 1 + 10
    deltas = browser.find_elements(By.CSS_SELECTOR, "#train-deltas canvas")
    assert len(deltas) == 6 and all(browser.execute_script(DISTINCT, c) > 2 for c in deltas)
    settled(browser)
    browser.find_element(By.ID, "reset").click()
    wait_for(browser, "window.explorer.train === 'reset'")
    assert "back to the weights" in browser.find_element(By.ID, "train-summary").text

    # The backward stepper on lecture 002's example: the lecture's numbers, to the end.
    browser.find_element(By.ID, "tab-backward-button").click()
    wait_for(browser, "window.explorer.bk.data !== null")
    grid = browser.find_element(By.ID, "bk-grid")
    for _ in range(3):
        browser.find_element(By.ID, "bk-next").click()
    position = browser.find_element(By.ID, "bk-position")
    assert position.text.startswith("step 4 of 4")
    partial = browser.execute_script("return window.explorer.bk.partial")
    assert partial["dk"] == [[[85, 79], [89, 51]]] and partial["db"] == 24
    numbers = grid.text.split()
    assert {"85", "79", "89", "51"} <= set(numbers)  # the lecture's dE/dK on the page
    buttons = {
        b.get_attribute("data-mode"): b for b in browser.find_elements(By.CSS_SELECTOR, ".bk-mode")
    }
    buttons["dx"].click()
    browser.find_element(By.ID, "bk-last").click()
    assert position.text.startswith("step 9 of 9")
    numbers = grid.text.split()
    for value in ("8", "23", "14", "-4", "6", "10", "-5", "0", "-1", "2"):  # dX and rot180(K)
        assert value in numbers, value
    assert "⟳ 180°" in grid.text
    buttons["im2col"].click()
    browser.find_element(By.ID, "bk-last").click()
    partial = browser.execute_script("return window.explorer.bk.partial")
    assert partial["dxp"] == [[[8, 23, 14], [-4, 6, 10], [-4, -5, 0]]]  # col2im of dcols
    # A layer of LeNet-5 for the drawn digit: the sums built step by step end at the
    # numbers of F.conv2d_backward.
    Select(browser.find_element(By.ID, "bk-source")).select_by_value("3")
    wait_for(browser, "window.explorer.bk.data && window.explorer.bk.data.layer === 3")
    buttons["dk"].click()
    browser.find_element(By.ID, "bk-last").click()
    data, partial = browser.execute_script(
        "return [window.explorer.bk.data, window.explorer.bk.partial]"
    )
    np.testing.assert_allclose(partial["dk"], data["dw"], atol=1e-9)
    assert position.text.startswith("step 100 of 100")

    # Korean: every label follows, the lecture's terms on the page.
    Select(browser.find_element(By.ID, "bk-source")).select_by_value("lecture")
    wait_for(browser, "window.explorer.bk.data && window.explorer.bk.data.layer === null")
    buttons["dx"].click()
    for _ in range(4):
        browser.find_element(By.ID, "bk-next").click()
    browser.find_element(By.ID, "language").click()
    assert browser.find_element(By.ID, "tab-backward-button").text == "역전파 단계별 보기"
    assert browser.execute_script(HANGUL)
    assert "180° 회전" in browser.find_element(By.ID, "bk-explain").text
    assert browser.find_element(By.ID, "bk-position").text.startswith("9단계 중 5단계")
    browser.save_screenshot(str(shots / "explorer_backward_steps.png"))
    assert screenshot_has_content(shots / "explorer_backward_steps.png") > 20
    browser.find_element(By.ID, "tab-network-button").click()
    body = browser.find_element(By.TAG_NAME, "body").text
    for term in ("역전파", "기울기", "학습률", "정답", "손실"):
        assert term in body, term
    browser.find_element(By.ID, "language").click()
    assert browser.find_element(By.ID, "tab-network-button").text == "Network"
    assert severe_console_errors(browser) == []
