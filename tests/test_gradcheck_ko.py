"""gradcheck in Korean: every diagnostic a student can meet, provoked once, reads as
Korean (no English sentence left) with ``--lang ko``, and is unchanged in English.

Each provocation below is a classic mistake (a backward that returns None, a gradient
of the wrong shape or dtype, a forward that changes its input, a stale cache, a hidden
Parameter, a forward that differs from the reference, a bad command line). The walk
records which catalogue keys were spoken, so a diagnostic added to gradcheck without
a provocation here (or said without the catalogue) fails ``test_the_walk_reaches...``.
"""

from __future__ import annotations

import inspect
import re
import string
import textwrap

import numpy as np
import pytest

import minicnn as mc
from minicnn import gradcheck, messages
from minicnn.messages import HANGUL, MESSAGES, speaking

# -- what counts as "an English sentence left" ------------------------------------

CODE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"")  # code and quoted names stay as they are
ENGLISH_TERM = re.compile(r"\([^()\uac00-\ud7a3]*\)")  # (English term) after a Korean one
ENGLISH_RUN = re.compile(r"[A-Za-z][\w.'/-]*(?: +[A-Za-z][\w.'/-]*){3,}")  # 4+ words


def english_left(text: str) -> list[str]:
    """Runs of four or more ASCII words outside code, quotes and parenthesized terms."""
    return ENGLISH_RUN.findall(ENGLISH_TERM.sub("", CODE.sub("", text)))


def assert_korean(text: str) -> None:
    assert HANGUL.search(text), text
    assert not english_left(text), (english_left(text), text)


def test_the_english_checker_catches_an_english_sentence():
    assert english_left("forward modified its input x in place")
    assert not english_left("forward가 입력 x를 제자리에서(in place) 바꿨습니다(`x -= mean`)")


# -- the catalogue as a whole ----------------------------------------------------


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_korean_with_the_same_blanks(key):
    entry = MESSAGES[key]
    assert set(entry) == {"en", "ko"}
    assert fields(entry["ko"]) == fields(entry["en"]), key
    assert not HANGUL.search(entry["en"]), key
    assert_korean(entry["ko"])


def test_the_grader_speaks_gradchecks_catalogue_too():
    from minicnn.lab import messages as lab_messages

    assert set(MESSAGES) <= set(lab_messages.MESSAGES)
    with speaking("ko"):
        assert lab_messages.say("gc.zero", ours="dx") == messages.say("gc.zero", ours="dx")
    assert messages.say("gc.zero", ours="dx").startswith("dx is zero everywhere")


# -- student layers with one mistake each ------------------------------------------


class Dense(mc.Layer):
    """y = x Wᵀ + b, right; the subclasses break one thing."""

    def __init__(self, n_in=4, n_out=3):
        rng = np.random.default_rng(0)
        self.weight = mc.Parameter(rng.standard_normal((n_out, n_in)), "weight")
        self.bias = mc.Parameter(rng.standard_normal(n_out), "bias")

    def forward(self, x):
        y = x @ self.weight.data.T + self.bias.data
        self.save_for_backward(x, y.shape)
        return y

    def backward(self, dout):
        x = self.saved_cache(dout)
        self.weight.grad += dout.T @ x
        self.bias.grad += dout.sum(axis=0)
        return dout @ self.weight.data


def dense(backward=None, forward=None, **attrs):
    """A Dense whose backward or forward is replaced (``self`` is passed in)."""
    methods = dict(attrs)
    if backward is not None:
        methods["backward"] = backward
    if forward is not None:
        methods["forward"] = forward
    return type("MyDense", (Dense,), methods)()


def base_backward(self, dout):
    return Dense.backward(self, dout)


def first_forward_only(self, x):
    if not hasattr(self, "first_x"):
        self.first_x = x
    y = x @ self.weight.data.T + self.bias.data
    self.save_for_backward(self.first_x, y.shape)
    return y


def stale_output_forward(self, x):
    if not hasattr(self, "y"):
        self.y = x @ self.weight.data.T + self.bias.data
    self.save_for_backward(x, self.y.shape)
    return self.y


def doubles_its_input(self, dout):
    x = self.saved_cache(dout)
    dx = dout @ self.weight.data
    self.weight.grad += dout.T @ x
    self.bias.grad += dout.sum(axis=0)
    x *= 2  # the array forward received, which belongs to the layer before
    return dx


def fails_second_time(self, dout):
    if getattr(self, "called", False):
        raise RuntimeError("boom")
    self.called = True
    return base_backward(self, dout)


def with_batch_axis(self, dout):
    base_backward(self, dout)
    self.bias.grad = np.repeat(self.bias.grad[None] / len(dout), len(dout), axis=0)
    return dout @ self.weight.data


class ListParams(Dense):
    def __init__(self):
        super().__init__()
        self.extra = [mc.Parameter(np.ones(3), "extra")]


class HiddenBias(Dense):
    def parameters(self):
        yield self.weight


class RowSum(mc.Layer):
    """y = Σ_j x_ij, shape (N, 1): compared with a ReLU, the output shapes differ."""

    def forward(self, x):
        self.shape = x.shape
        return x.sum(axis=1, keepdims=True)

    def backward(self, dout):
        return np.broadcast_to(dout, self.shape).copy()


class MyCE:
    """Softmax cross-entropy written as a student writes it; subclasses break it."""

    def forward(self, scores, labels):
        shifted = scores - scores.max(axis=1, keepdims=True)
        self.p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        self.scores, self.labels = scores, labels
        return float(-np.mean(np.log(self.p[np.arange(len(labels)), labels])))

    def backward(self):
        d = self.p.copy()
        d[np.arange(len(self.labels)), self.labels] -= 1
        return d / len(self.labels)


def loss(**methods):
    return type("MyLoss", (MyCE,), methods)()


def ce_forward_changes_scores(self, scores, labels):
    value = MyCE.forward(self, scores.copy(), labels)
    scores -= 1.0
    return value


def ce_backward_changes_scores(self):
    self.scores *= 2.0
    return MyCE.backward(self)


def ce_bad_type(self, scores, labels):
    MyCE.forward(self, scores, labels)
    return "loss"


def ce_bad_shape(self, scores, labels):
    MyCE.forward(self, scores, labels)
    return np.zeros(len(labels) + 1)


def layer_problems(layer, shape=(3, 4), reference=None) -> list[str]:
    report = gradcheck.check_layer(layer, shape, reference=reference)
    return [report.explain()]


def loss_problems(criterion, reference=None) -> list[str]:
    return [gradcheck.check_loss(criterion, reference=reference).explain()]


PROVOKED = {
    "backward returns None": lambda: layer_problems(dense(lambda self, dout: None)),
    "backward returns a list": lambda: layer_problems(
        dense(lambda self, dout: base_backward(self, dout).tolist())
    ),
    "dx transposed": lambda: layer_problems(dense(lambda self, dout: base_backward(self, dout).T)),
    "dx reshaped": lambda: layer_problems(
        dense(lambda self, dout: base_backward(self, dout).reshape(2, 6))
    ),
    "dx without the batch axis": lambda: layer_problems(
        dense(lambda self, dout: base_backward(self, dout)[0])
    ),
    "bias.grad with the batch axis": lambda: layer_problems(dense(with_batch_axis)),
    "weight.grad set to None": lambda: layer_problems(
        dense(lambda self, dout: (base_backward(self, dout), setattr(self.weight, "grad", None))[0])
    ),
    "dx in float32": lambda: layer_problems(
        dense(lambda self, dout: base_backward(self, dout).astype(np.float32))
    ),
    "forward returns None": lambda: layer_problems(dense(forward=lambda self, x: None)),
    "forward returns a list": lambda: layer_problems(dense(forward=lambda self, x: [1.0])),
    "forward in float32": lambda: layer_problems(
        dense(forward=lambda self, x: Dense.forward(self, x).astype(np.float32))
    ),
    "forward changes x": lambda: layer_problems(
        dense(forward=lambda self, x: (Dense.forward(self, x), x.__imul__(2))[0])
    ),
    "backward changes dout": lambda: layer_problems(
        dense(lambda self, dout: (base_backward(self, dout), dout.__imul__(2))[0])
    ),
    "backward changes x": lambda: layer_problems(dense(doubles_its_input)),
    "stale cache (gradient)": lambda: layer_problems(dense(forward=first_forward_only)),
    "stale cache (output)": lambda: layer_problems(dense(forward=stale_output_forward)),
    "the second call raises": lambda: layer_problems(dense(fails_second_time)),
    "a Parameter parameters() hides": lambda: layer_problems(HiddenBias()),
    "Parameters in a list": lambda: layer_problems(ListParams()),
    "reference: a class": lambda: layer_problems(Dense(), reference=mc.Linear),
    "reference: a parameter missing": lambda: layer_problems(mc.ReLU(), reference=mc.Linear(4, 3)),
    "reference: a parameter of another shape": lambda: layer_problems(
        Dense(), reference=mc.Linear(3, 4)
    ),
    "reference: another output shape": lambda: layer_problems(RowSum(), reference=mc.ReLU()),
    "reference: another output": lambda: layer_problems(
        dense(forward=lambda self, x: 3 * Dense.forward(self, x)), reference=mc.Linear(4, 3)
    ),
    "loss: forward returns None": lambda: loss_problems(loss(forward=lambda s, x, y: None)),
    "loss: forward returns a string": lambda: loss_problems(loss(forward=ce_bad_type)),
    "loss: forward returns a wrong shape": lambda: loss_problems(loss(forward=ce_bad_shape)),
    "loss: forward changes scores": lambda: loss_problems(loss(forward=ce_forward_changes_scores)),
    "loss: backward changes scores": lambda: loss_problems(
        loss(backward=ce_backward_changes_scores)
    ),
    "loss: another loss than the reference": lambda: loss_problems(
        loss(forward=lambda s, x, y: 2 * MyCE.forward(s, x, y)),
        reference=mc.SoftmaxCrossEntropy(),
    ),
}


def provoke(name: str, lang: str) -> str:
    try:
        with speaking(lang):
            said = PROVOKED[name]()
    except TypeError as err:  # reference=<a class>: the API's own usage error
        said = [str(err)]
    return "\n".join(said)


@pytest.mark.parametrize("name", sorted(PROVOKED))
def test_each_diagnostic_speaks_korean(name):
    ko, en = provoke(name, "ko"), provoke(name, "en")
    assert ko != en
    assert_korean(ko)
    assert not HANGUL.search(en), en


# -- the command line ---------------------------------------------------------------

# the student's file: the Dense above, a few classes with one mistake each
STUDENT_FILE = "import numpy as np\nimport minicnn as mc\n\n\n" + inspect.getsource(Dense)
STUDENT_FILE += textwrap.dedent(
    """

    class NoReturn(Dense):
        def backward(self, dout):
            Dense.backward(self, dout)


    class CE:
        def forward(self, scores, labels):
            return float(np.mean(scores))

        def backward(self):
            return np.zeros(1)


    class NotALayer:
        pass


    class Broken(mc.Layer):
        def forward(self, x):
            raise ValueError("x")

        def backward(self, dout):
            return dout
    """
)

USAGE = {
    "no such file": ["missing.py:Dense", "--input-shape", "2,4"],
    "no module": ["no_such_module:Dense", "--input-shape", "2,4"],
    "no class": ["my_layers.py:Dens", "--input-shape", "2,4"],
    "not a layer": ["my_layers.py:NotALayer", "--input-shape", "2,4"],
    "not module:Class": ["my_layers.py", "--input-shape", "2,4"],
    "not Python": ["./notes.txt:Dense", "--input-shape", "2,4"],
    "a module without layers": ["empty.py:Dense", "--input-shape", "2,4"],
    "bad shape": ["my_layers.py:Dense", "--input-shape", "2,x", "--args", "4, 3"],
    "not literals": ["my_layers.py:Dense", "--input-shape", "2,4", "--args", "os.getcwd()"],
    "kwargs not a dict": ["my_layers.py:Dense", "--input-shape", "2,4", "--kwargs", "[1]"],
    "no shape": ["my_layers.py:Dense"],
    "unknown reference": [
        *("my_layers.py:Dense", "--input-shape", "2,4", "--args", "4, 3"),
        *("--reference", "mc.Nope"),
    ],
    "reference cannot be built": [
        *("my_layers.py:Dense", "--input-shape", "2,4", "--args", "4, 3"),
        *("--reference", "mc.Conv2D"),
    ],
    "a loss with a layer's shape": ["my_layers.py:CE", "--input-shape", "2,3,4"],
    "options without a target": ["--input-shape", "2,4"],
}


@pytest.fixture
def student(tmp_path, monkeypatch):
    (tmp_path / "my_layers.py").write_text(STUDENT_FILE, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not python", encoding="utf-8")
    (tmp_path / "empty.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = gradcheck.main(argv)
    except SystemExit as stop:  # argparse's parser.error
        code = stop.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", sorted(USAGE))
def test_each_usage_error_speaks_korean(name, student, capsys):
    code, _, ko = run_cli([*USAGE[name], "--lang", "ko"], capsys)
    assert code == 2
    message = ko.strip().splitlines()[-1]
    # argparse's own "prog: error:" prefix is English; what follows is ours
    assert message.startswith(("오류: ", "python -m minicnn.gradcheck: error: "))
    assert_korean(message.partition("error: ")[2] or message)
    code, _, en = run_cli(USAGE[name], capsys)
    assert code == 2 and not HANGUL.search(en)


def test_a_student_exception_is_reported_in_korean(student, capsys):
    code, _, err = run_cli(["my_layers.py:Broken", "--input-shape", "2,4", "--lang", "ko"], capsys)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("오류: my_layers.py:Broken을(를) 만들거나 실행하는 중에 ValueError")
    assert_korean(last)


def test_the_report_of_a_run_is_korean_and_english_is_unchanged(student, capsys):
    argv = ["my_layers.py:NoReturn", "--input-shape", "3,4", "--args", "4, 3"]
    code, ko, _ = run_cli([*argv, "--lang", "ko"], capsys)
    assert code == 1
    assert re.match(r"'\w+' 백엔드\(backend\)에서 기울기 확인\(gradient check\)", ko)
    assert "backward가 None을 돌려주었습니다" in ko and "실패" in ko
    for line in ko.splitlines():
        assert not english_left(line), line
    code, en, _ = run_cli(argv, capsys)
    assert code == 1
    assert re.match(r"gradient checks on the '\w+' backend \(central differences, eps=", en)
    assert "  input: backward returned None: end backward with `return dx`, dL/dx of shape " in en
    assert re.search(r"layer +tensor +max rel error +worst index +analytic +numerical +result", en)
    assert not HANGUL.search(en)


# -- English unchanged, and nothing said outside the catalogue --------------------


def test_english_sentences_are_the_ones_tests_and_callers_compare():
    assert gradcheck.FORWARD_CHANGED_INPUT.startswith(
        "forward modified its input x in place (e.g. `x[x < 0] = 0`, `x -= mean` or "
    )
    assert gradcheck.STALE_CACHE.format(what="forward's output").startswith(
        "stale cache: after a forward pass on a second, different input, forward's output "
    )
    with speaking("ko"):  # a constant stays English whatever the language of the call
        report = gradcheck.check_layer(dense(forward=first_forward_only), (3, 4))
    assert HANGUL.search(report.problems[0]) and not HANGUL.search(gradcheck.STALE_CACHE)
    report = gradcheck.check_loss(loss(forward=ce_forward_changes_scores))
    assert gradcheck.FORWARD_CHANGED_INPUT.replace("input x", "scores") in report.problems


def test_the_walk_reaches_every_gradcheck_diagnostic(student, capsys, monkeypatch):
    spoken = set()
    lookup = messages.lookup

    def recording(catalogue, key, lang=None, **values):
        spoken.add(key)
        return lookup(catalogue, key, lang, **values)

    monkeypatch.setattr(messages, "lookup", recording)
    for name in PROVOKED:
        provoke(name, "ko")
    for argv in USAGE.values():
        run_cli([*argv, "--lang", "ko"], capsys)
    run_cli(["my_layers.py:Broken", "--input-shape", "2,4", "--lang", "ko"], capsys)
    run_cli(["my_layers.py:Dense", "--input-shape", "2,4", "--args", "4, 3"], capsys)
    # the hints name numeric patterns; tests/test_student_gradcheck.py provokes them
    hints = {
        "gc.nan",
        "gc.zero",
        "gc.sign",
        "gc.transposed",
        "gc.rot180",
        "gc.axes",
        "gc.mask_inverted",
        "gc.mask_blocks",
        "gc.mask_missing",
        "gc.div_batch",
        "gc.times_batch",
        "gc.div_k",
        "gc.times_k",
        "gc.factor",
        "gc.dx_without_rot180",
        "gc.cli.summary",  # the run over every minicnn layer (test_student_gradcheck's CLI test)
    }
    assert set(MESSAGES) - hints - spoken == set()


def test_help_speaks_the_language_asked_for(capsys):
    """--help is printed before anything runs, so --lang is read first. argparse's own
    words (usage:, options:, show this help message) stay English."""
    with pytest.raises(SystemExit):
        gradcheck.main(["--help", "--lang", "ko"])
    ko = capsys.readouterr().out
    assert "역전파(backward)를 중앙 차분(central difference)과 비교합니다" in ko
    assert "확인할 층이나 손실을 module:ClassName으로 씁니다" in ko
    assert "Check backward passes" not in ko and "constructor arguments" not in ko
    with pytest.raises(SystemExit):
        gradcheck.main(["--help"])
    en = capsys.readouterr().out
    assert "Check backward passes against central differences (float64)" in en
    assert not HANGUL.search(en)


def test_the_korean_table_lines_up_in_a_terminal():
    """A Hangul syllable takes two columns, so padding counts columns, not characters."""
    with speaking("ko"):
        table = gradcheck.format_table([gradcheck.check_layer(Dense(), (3, 4))])
    header, rule, *rows = table.splitlines()
    assert header.startswith("층     텐서    최대 상대 오차  ")  # 층 is as wide as "Dense"
    assert gradcheck.report.terminal_width(header) == len(rule)
    assert all(row.startswith("Dense  ") and row.endswith("통과") for row in rows)
