"""The ``minicnn`` command (minicnn/cli.py): every subcommand, its --help and its errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from digit_photos import save_digit

import minicnn as mc
from minicnn import cli
from minicnn.data import paths

ROOT = Path(__file__).resolve().parents[1]


def run(argv, capsys) -> tuple[int, str, str]:
    """cli.main(argv) in this process: (exit status, stdout, stderr)."""
    try:
        status = cli.main(argv)
    except SystemExit as exit:  # argparse: --help, --version and usage errors
        status = exit.code
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "COMMAND"),
        (["train"], "RECIPE"),
        (["train", "lenet5-mnist"], "--resume"),
        (["train", "fashion-mnist"], "--limit"),
        (["train", "cifar10-resnet"], "--depth"),
        (["predict"], "--checkpoint"),
        (["summary"], "--input-shape"),
        (["gradcheck"], "central differences"),
    ],
)
def test_every_subcommand_has_help(capsys, argv, expected):
    status, out, _ = run([*argv, "--help"], capsys)
    assert status == 0 and expected in out


def help_pages(parser=None, argv=()) -> list[list[str]]:
    """The argv of every --help page: the command, each subcommand, each recipe."""
    import argparse

    parser = parser or cli.build_parser()
    pages = [list(argv)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                pages += help_pages(sub, [*argv, name])
    return pages


def entries(help_text: str) -> dict[str, str]:
    """{argument: its help} from --help output: an entry starts two spaces in, its help
    follows after two or more spaces or on the lines indented below it."""
    found: dict[str, str] = {}
    current = None
    for line in help_text.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, text = line.strip().partition("  ")
            current = name
            found[current] = text.strip()
        elif line.startswith("   ") and current is not None:
            found[current] = f"{found[current]} {line.strip()}".strip()
        else:
            current = None
    return found


@pytest.mark.parametrize("argv", help_pages(), ids=" ".join)
def test_every_flag_has_help_with_one_default(capsys, argv):
    """No flag without help, no "(default: None)", and a default stated once, not
    "(default: depends on the data) (default: None)"."""
    status, out, _ = run([*argv, "--help"], capsys)
    assert status == 0
    usage = out.splitlines()[0]
    assert usage.startswith(" ".join(["usage: minicnn", *argv])), usage
    for name, text in entries(out).items():
        if name.startswith(("-h, --help", "--version")):
            continue
        assert text, f"minicnn {' '.join(argv)}: {name} has no help"
        assert "(default: None)" not in text and "(default: False)" not in text, text
        assert len(re.findall(r"default:|\(default ", text)) <= 1, f"{name}: {text}"


def test_gradcheck_help_names_the_command_it_was_run_as(capsys):
    _, out, _ = run(["gradcheck", "--help"], capsys)
    assert out.startswith("usage: minicnn gradcheck") and "minicnn gradcheck my_layer.py" in out
    from minicnn import gradcheck

    with pytest.raises(SystemExit):
        gradcheck.main(["--help"])
    assert capsys.readouterr().out.startswith("usage: python -m minicnn.gradcheck")


def test_flag_defaults_are_shown(capsys):
    _, out, _ = run(["train", "lenet5-mnist", "--help"], capsys)
    flags = entries(out)
    assert flags["--batch-size BATCH_SIZE"] == "images per training step (default: 64)"
    assert flags["--seed SEED"].endswith("(default: 0)")  # 0 is a default worth stating
    assert flags["--download"] == "download the dataset if it is not on disk (needs the network)"


def test_top_level_help_lists_every_command(capsys):
    _, out, _ = run(["--help"], capsys)
    for command in ("train", "predict", "gradcheck", "summary", "report", "explore"):
        assert command in out


def test_version(capsys):
    status, out, _ = run(["--version"], capsys)
    assert status == 0 and out.strip() == f"minicnn {mc.__version__}"


def test_python_dash_m_minicnn_runs_the_command():
    proc = subprocess.run(
        [sys.executable, "-m", "minicnn", "summary", "lenet5"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "61,706" in proc.stdout


# -- predict --------------------------------------------------------------------------------


def test_predict_prints_a_line_per_image_with_the_top_three(tmp_path, capsys):
    seven = save_digit(tmp_path / "seven.jpg", 7, seed=1)
    zero = save_digit(tmp_path / "zero.png", 0, seed=2, dark_on_light=False)
    show = tmp_path / "inputs.png"
    status, out, err = run(["predict", str(seven), str(zero), "--show", str(show)], capsys)
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("seven.jpg: 7 (") and lines[1].startswith("zero.png: 0 (")
    for line in lines[:2]:
        name, ranking = line.split(": ")
        parts = ranking.split("  ")
        assert len(parts) == 3
        probabilities = [float(p.split("(")[1].strip("<%)")) for p in parts]
        assert probabilities == sorted(probabilities, reverse=True)
        assert probabilities[0] > 50
    assert show.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"Wrote {show}" in out


def test_predict_with_a_checkpoint_uses_its_weights(tmp_path, capsys):
    """An untrained LeNet-5 saved as a checkpoint gives its own, different, answer."""
    mc.manual_seed(3)
    untrained = mc.zoo.lenet5()
    mc.save(tmp_path / "ckpt.npz", untrained)
    image = save_digit(tmp_path / "seven.png", 7)
    status, out, _ = run(
        ["predict", str(image), "--checkpoint", str(tmp_path / "ckpt.npz")], capsys
    )
    assert status == 0
    x = mc.data.load_digit(image)[None]
    expected = int(mc.predict(untrained, x)[0])
    assert out.startswith(f"seven.png: {expected} (")


def test_predict_errors_are_one_line_and_exit_1(tmp_path, capsys):
    status, out, err = run(["predict", str(tmp_path / "missing.png")], capsys)
    assert status == 1 and out == ""
    assert err.startswith("minicnn predict: load_digit: there is no file")
    status, _, err = run(
        ["predict", str(save_digit(tmp_path / "a.png", 1)), "--checkpoint", "nope.npz"], capsys
    )
    assert status == 1 and "nope.npz" in err


def test_percent():
    assert cli.percent(0.98765) == "98.77%" and cli.percent(0.0001) == "0.01%"
    assert cli.percent(1e-7) == "<0.01%"


def test_top_k():
    assert cli.top_k(np.array([0.1, 0.6, 0.05, 0.25])) == [(1, 0.6), (3, 0.25), (0, 0.1)]


# -- summary --------------------------------------------------------------------------------


def test_summary_of_a_zoo_model(capsys):
    status, out, _ = run(["summary", "resnet20"], capsys)
    assert status == 0 and "269,722" in out
    status, out, _ = run(["summary", "lenet5", "--input-shape", "1,28,28"], capsys)
    assert status == 0 and "61,706" in out
    status, out, _ = run(["summary", "lenet5", "--num-classes", "3"], capsys)
    assert status == 0 and "61,111" in out  # 61,706 - (84·10 + 10) + (84·3 + 3)


@pytest.mark.parametrize("model", sorted(cli.MODELS))
def test_summary_knows_every_listed_zoo_model(capsys, model):
    status, out, _ = run(["summary", model], capsys)
    assert status == 0 and "total parameters" in out


@pytest.mark.parametrize(
    ("shape", "message"),
    [("1,2,x", "whole numbers"), ("1,0,28", ">= 1"), ("a", "whole numbers")],
)
def test_summary_rejects_a_bad_shape(capsys, shape, message):
    status, _, err = run(["summary", "lenet5", "--input-shape", shape], capsys)
    assert status == 2 and message in err


def test_summary_rejects_an_unknown_model(capsys):
    status, _, err = run(["summary", "lenet6"], capsys)
    assert status == 2 and "invalid choice: 'lenet6'" in err


def test_summary_that_does_not_fit_the_model_says_so(capsys):
    status, _, err = run(["summary", "lenet5", "--input-shape", "1,8,8"], capsys)
    assert status == 1 and err.startswith("minicnn summary: ")


# -- gradcheck, report, explore: handed to their own modules --------------------------------------


def test_gradcheck_checks_a_students_layer(tmp_path, capsys):
    layer = tmp_path / "my_layer.py"
    layer.write_text(
        "import minicnn as mc\n\n"
        "class Double(mc.Layer):\n"
        "    def forward(self, x):\n"
        "        return 2 * x\n\n"
        "    def backward(self, dout):\n"
        "        return 2 * dout\n"
    )
    status, out, _ = run(["gradcheck", f"{layer}:Double", "--input-shape", "2,3"], capsys)
    assert status == 0 and "Double" in out


@pytest.mark.parametrize("name", ["report", "explore"])
def test_report_and_explore_hand_their_arguments_on(monkeypatch, capsys, name):
    received = []
    module = types.SimpleNamespace(main=lambda argv: received.append(argv) or 0)
    monkeypatch.setitem(sys.modules, f"minicnn.{name}", module)
    status, _, _ = run([name, "runs/x", "--port", "8000", "--help"], capsys)
    assert status == 0 and received == [["runs/x", "--port", "8000", "--help"]]


@pytest.mark.parametrize("name", ["report", "explore"])
def test_a_missing_subcommand_module_is_explained(monkeypatch, capsys, name):
    def missing(module_name):
        raise ModuleNotFoundError(f"No module named {module_name!r}", name=module_name)

    monkeypatch.setattr(cli.importlib, "import_module", missing)
    status, _, err = run([name, "runs/x"], capsys)
    assert status == 2 and f"'minicnn {name}' is not available" in err


def test_an_error_inside_a_subcommand_module_is_not_hidden(monkeypatch, capsys):
    def broken(module_name):
        raise ModuleNotFoundError("No module named 'somedependency'", name="somedependency")

    monkeypatch.setattr(cli.importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="somedependency"):
        cli.main(["explore"])


# -- train ----------------------------------------------------------------------------------


def test_train_from_the_command_line_sets_one_blas_thread(monkeypatch):
    calls = []
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(cli.os, "execv", lambda exe, args: calls.append(args))
    cli.reexec_with_one_blas_thread(["train", "lenet5-mnist"])
    assert calls == [[sys.executable, "-m", "minicnn", "train", "lenet5-mnist"]]
    assert cli.os.environ["OPENBLAS_NUM_THREADS"] == "1"
    calls.clear()
    cli.reexec_with_one_blas_thread(["train", "lenet5-mnist"])  # already set: no restart
    assert calls == []


@pytest.mark.slow
def test_train_lenet5_mnist_writes_a_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    monkeypatch.setattr(paths, "SYSTEM_DIRS", ())
    backend = mc.get_backend()
    out = tmp_path / "run"
    argv = ["train", "lenet5-mnist", "--limit", "200", "--epochs", "1", "--out", str(out)]
    try:
        status, printed, _ = run([*argv, "--data-dir", str(tmp_path), "--backend", "numpy"], capsys)
    finally:
        mc.set_backend(backend)
    assert status == 0
    assert "shipped with minicnn" in printed and "Test accuracy:" in printed
    results = json.loads((out / "results.json").read_text())
    assert results["epochs"] == 1 and results["train_images"] == 200
    for name in ("checkpoint.npz", "training_curves.png", "confusion_matrix.png"):
        assert (out / name).stat().st_size > 0


def test_train_without_the_data_explains_and_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    monkeypatch.setattr(paths, "SYSTEM_DIRS", ())
    status, _, err = run(["train", "cifar10-resnet", "--data-dir", str(tmp_path)], capsys)
    assert status == 1 and "CIFAR-10" in err and "not found" in err
    status, _, err = run(["train", "cifar10-resnet", "--subset", "0"], capsys)
    assert status == 2 and "--subset: must be >= 1, got 0" in err
