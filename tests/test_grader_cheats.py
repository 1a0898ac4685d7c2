"""Submissions that want marks without the work, and what the grader gives them: 0.

Each route a student tried against the old grader and variants
of it: tampering with the harness, faking result files or frames on the channel,
reaching the reference through imports, importlib, sys.modules, minicnn's own
attributes, other libraries, the files on disk, the process's memory; changing
the install for the next student; dying or hanging to dodge a part.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

from minicnn.lab import find_lab, grade_file, sandbox
from minicnn.lab import grade as grade_module
from minicnn.lab.source import language_source

pytest.importorskip("jupytext", reason="jupytext is in the lab and test extras")

LAB1 = ("conv_output_size", "conv_param_count", "zero_pad", "conv2d_naive")


def submission(tmp_path, *cells: str, name: str = "lab1_conv_forward.py"):
    """A percent-format notebook with these code cells."""
    text = "".join("# %%\n" + textwrap.dedent(c).strip() + "\n\n" for c in cells)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def grade(path, lab="lab1", **kw):
    kw.setdefault("part_seconds", 5.0)
    results = grade_file(find_lab(lab), path, **kw)
    return {r.part: r for r in results}


def total(results) -> int:
    return sum(r.points for r in results.values())


STUBS = "\n".join(
    f"def {name}(*args):\n    raise NotImplementedError" for name in LAB1
)  # an untouched notebook's functions


def test_patching_the_harness_through_sys_modules_gets_nothing(tmp_path):
    path = submission(
        tmp_path,
        STUBS,
        """
        import sys
        for name, module in list(sys.modules.items()):
            if hasattr(module, "run_part"):
                module.run_part = lambda *a, **k: ({"verdict": "passed", "message": ""}, {})
            if name == "__main__" or hasattr(module, "run_job"):
                module.run_part = lambda *a, **k: ({"verdict": "ran", "message": ""}, {})
        """,
    )
    results = grade(path)
    assert total(results) == 0
    assert all(not r.passed for r in results.values())


def test_result_files_and_an_early_exit_get_nothing(tmp_path):
    path = submission(
        tmp_path,
        STUBS,
        """
        import json, os, numpy as np
        os.makedirs("results", exist_ok=True)
        for part in PARTS:
            open(f"results/{part}.json", "w").write(json.dumps({"verdict": "passed"}))
            np.savez(f"results/{part}.npz")
        open("results/current", "w").write("")
        os._exit(0)
        """.replace("PARTS", repr(LAB1)),
    )
    results = grade(path)
    assert total(results) == 0
    for r in results.values():
        assert r.verdict == "error" and "no points" in r.diagnostic


def test_fake_frames_on_every_descriptor_get_nothing(tmp_path):
    # The student's process may write to the grader's pipe: it can only send outputs,
    # and a claimed verdict is not one the grader takes.
    path = submission(
        tmp_path,
        STUBS,
        """
        import os
        from minicnn.lab import wire
        for fd in range(3, 64):
            for claim in ({"failed": {}}, {"verdict": "passed", "message": "10/10"}):
                try:
                    wire.send(fd, claim)
                except Exception:
                    pass
        print("total: 10/10")
        """,
    )
    assert total(grade(path)) == 0


@pytest.mark.parametrize(
    "reach",
    [
        "import minicnn.functional as F",
        "from minicnn import functional as F",
        "import importlib\nF = importlib.import_module('minicnn.' + 'func' + 'tional')",
        "F = __import__('minicnn.functional', fromlist=['conv2d'])",
        "import minicnn as mc\nF = mc.functional",
        "import sys, minicnn\nF = sys.modules.get('minicnn.functional') or minicnn.functional",
        "import minicnn.kernels.vectorised as F",
    ],
    ids=["import", "from", "importlib", "__import__", "attribute", "sys.modules", "kernels"],
)
def test_the_reference_cannot_be_reached(tmp_path, reach):
    conv = """
    def conv2d_naive(x, w, b, stride=1, padding=0):
        return F.conv2d(x, w, b, stride=stride, padding=padding)
    """
    path = submission(tmp_path, reach + "\n" + textwrap.dedent(conv))
    results = grade(path)
    assert results["conv2d_naive"].points == 0
    assert "not available in lab1" in results["conv2d_naive"].diagnostic


def test_minicnn_layers_losses_and_zoo_are_blocked_as_attributes(tmp_path):
    path = submission(
        tmp_path,
        """
        import numpy as np
        import minicnn as mc

        def linear_forward(x, w, b):
            layer = mc.Linear(w.shape[1], w.shape[0])
            return layer.forward(x), None

        def softmax_cross_entropy(scores, labels):
            loss = mc.SoftmaxCrossEntropy()
            return loss(scores, labels), loss.backward()

        def multiclass_svm(scores, labels):
            loss = mc.MulticlassSVM()
            return loss(scores, labels), loss.backward()
        """,
        name="lab4_linear_losses.py",
    )
    results = grade(path, "lab4")
    assert total(results) == 0
    assert "minicnn.layers is not available" in results["linear_forward"].diagnostic
    assert "minicnn.losses is not available" in results["multiclass_svm"].diagnostic


def test_lenet_from_the_zoo_is_blocked_and_data_is_not(tmp_path):
    path = submission(
        tmp_path,
        """
        import minicnn as mc
        assert mc.data.MNISTSample is not None  # lab 5 loads its digits this way

        def lenet5_loss(params, x, labels):
            model = mc.zoo.lenet5()
            raise RuntimeError("unreachable")
        """,
        name="lab5_sgd_lenet.py",
    )
    results = grade(path, "lab5")
    assert results["lenet5_loss"].points == 0
    assert "minicnn.zoo is not available" in results["lenet5_loss"].diagnostic


def test_other_libraries_are_blocked_too(tmp_path):
    path = submission(
        tmp_path,
        """
        def conv2d_naive(x, w, b, stride=1, padding=0):
            import torch
            return torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w)).numpy()
        """,
    )
    results = grade(path)
    assert results["conv2d_naive"].points == 0
    assert "torch is not available" in results["conv2d_naive"].diagnostic


def test_the_reference_is_not_in_the_students_process_at_all(tmp_path):
    # No import hook can stop a walk over the process's objects: the reference must
    # not be there. The submission's answer is a number computed from what it finds.
    path = submission(
        tmp_path,
        """
        import gc, sys

        def conv_param_count(in_channels, out_channels, kernel_size):
            found = [m for m in sys.modules if m.startswith("minicnn.")]
            found += [
                getattr(o, "__module__", "") for o in gc.get_objects()
                if callable(o) and str(getattr(o, "__module__", "")).startswith(
                    ("minicnn.functional", "minicnn.layers", "minicnn.kernels"))
            ]
            bad = [m for m in found if m.split(".")[1] not in ("lab", "data", "validate",
                                                                "init", "atomic", "messages")]
            if bad:
                return -1  # wrong: the reference was found
            return (kernel_size * kernel_size * in_channels + 1) * out_channels
        """,
    )
    results = grade(path)
    assert results["conv_param_count"].passed, results["conv_param_count"].diagnostic


def test_a_hang_costs_its_part_and_the_others_still_count(tmp_path):
    solution = language_source("lab1_conv_forward", "en")
    hang = """
    import signal

    def conv_param_count(in_channels, out_channels, kernel_size):
        signal.setitimer(signal.ITIMER_REAL, 0)  # turn the harness's alarm off
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass
    """
    path = tmp_path / "lab1_conv_forward.py"
    path.write_text(solution + "\n# %%\n" + textwrap.dedent(hang), encoding="utf-8")
    results = grade(path, part_seconds=6.0)
    hung = results["conv_param_count"]
    assert hung.verdict == "time limit" and hung.points == 0
    assert total(results) == find_lab("lab1").points - 1


def isolations() -> list[str]:
    """The write-protecting isolations this machine can run: bubblewrap, a uid as root."""
    found = []
    if sandbox.isolation() == "bwrap":
        found.append("bwrap")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and sandbox.can_run_as_another_user():
        found.append("user")
    return found or ["unavailable"]


@pytest.fixture(params=isolations())
def isolated(request, monkeypatch):
    if request.param == "unavailable":
        pytest.skip(
            "the install is only write-protected under bubblewrap or as root; hashing "
            "covers the rest (test_a_changed_install_stops_grading)"
        )
    monkeypatch.setenv("MINICNN_LAB_ISOLATION", request.param)
    sandbox.isolation.cache_clear()
    yield request.param
    sandbox.isolation.cache_clear()


def test_a_submission_cannot_change_the_install_for_the_next_student(tmp_path, isolated):
    targets = [str(p) for p in sandbox.PACKAGE.joinpath("lab").glob("*.py")]
    path = submission(
        tmp_path,
        STUBS,
        f"""
        import minicnn.lab.parts as parts
        for target in {targets!r} + [parts.__file__]:
            try:
                with open(target, "a") as f:
                    f.write("\\nRTOL = ATOL = 1e9\\n")
            except OSError:
                pass
        """,
    )
    assert total(grade(path)) == 0  # and no InstallChanged: nothing changed
    honest_but_wrong = submission(
        tmp_path,
        "def zero_pad(x, p):\n    return x + 1",
        name="next_student.py",
    )
    assert grade(honest_but_wrong)["zero_pad"].points == 0


def test_one_student_process_cannot_kill_another(tmp_path, isolated):
    # kill(-1) reaches every process the sender may signal: under bubblewrap only its
    # own namespace, as root a uid of its own. The honest submission keeps its marks.
    from concurrent.futures import ThreadPoolExecutor

    killer = submission(
        tmp_path,
        """
        import os, signal, time
        time.sleep(1)
        for _ in range(20):
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            time.sleep(0.2)
        """,
        name="killer.py",
    )
    honest = tmp_path / "lab1_conv_forward.py"
    honest.write_text(language_source("lab1_conv_forward", "en"), "utf-8")
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: grade(p, part_seconds=10.0), [killer, honest]))
    assert total(results[1]) == find_lab("lab1").points


def test_a_changed_install_stops_grading(tmp_path, monkeypatch):
    # Without any isolation (macOS, Windows) the hashes still catch a change: here the
    # submission rewrites its own view of minicnn, as it could rewrite the install.
    monkeypatch.setenv("MINICNN_LAB_ISOLATION", "none")
    sandbox.isolation.cache_clear()
    monkeypatch.setattr(grade_module, "_VIEWS", {})
    try:
        path = submission(
            tmp_path,
            """
            import minicnn.lab.parts as parts, os
            os.chmod(parts.__file__, 0o644)
            with open(parts.__file__, "a") as f:
                f.write("\\nRTOL = ATOL = 1e9\\n")
            """,
        )
        with pytest.raises(grade_module.InstallChanged, match="parts.py"):
            grade(path)
    finally:
        sandbox.isolation.cache_clear()


@pytest.mark.skipif(
    sandbox.isolation() != "bwrap", reason="hiding the files needs bubblewrap (Linux)"
)
def test_the_reference_files_are_hidden_under_bubblewrap(tmp_path):
    reference = sandbox.PACKAGE / "functional" / "conv.py"
    path = submission(
        tmp_path,
        f"""
        import sys
        sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "Blocker"]
        for name in [m for m in sys.modules if m.startswith("minicnn")]:
            del sys.modules[name]
        sys.path[:] = [p for p in sys.path if "minicnn-view" not in p]
        try:
            import minicnn.functional as F
        except Exception:
            source = open({str(reference)!r}).read()  # or read the file itself

        def conv2d_naive(x, w, b, stride=1, padding=0):
            return F.conv2d(x, w, b, stride=stride, padding=padding)
        """,
    )
    results = grade(path)
    assert results["conv2d_naive"].points == 0


def test_answers_fitted_to_the_check_cells_do_not_pass_grading(tmp_path, monkeypatch):
    # A lookup table of the check cells' cases (seed 0): check() passes, grading draws
    # its cases from another seed and finds the function does not compute anything.
    from minicnn.lab import checker
    from minicnn.lab.grade import GRADING_SEED, grading_seed, part_seed
    from minicnn.lab.lab1 import reference_output_size

    part = find_lab("lab1").part("conv_output_size")
    table = {}
    for case in part.cases(np.random.default_rng(part_seed(0, part))):
        try:
            table[tuple(case.values())] = reference_output_size(**case)
        except ValueError:
            table[tuple(case.values())] = None
    code = f"""
    TABLE = {table!r}

    def conv_output_size(n, f, stride=1, padding=0):
        out = TABLE[(n, f, stride, padding)]
        if out is None:
            raise ValueError("does not fit")
        return out
    """
    namespace: dict = {}
    exec(textwrap.dedent(code), namespace)
    checker("lab1", namespace)("conv_output_size")  # the check cell is fooled
    assert grading_seed() == GRADING_SEED != 0
    results = grade(submission(tmp_path, code))
    assert results["conv_output_size"].points == 0  # the grader is not
    monkeypatch.setenv("MINICNN_GRADING_SEED", "0")  # only with the check cells' seed
    assert grading_seed() == 0
    assert grade(submission(tmp_path, code, name="again.py"))["conv_output_size"].passed


@pytest.mark.skipif(
    sandbox.isolation() != "bwrap", reason="hiding the files needs bubblewrap (Linux)"
)
def test_other_copies_of_the_reference_on_disk_are_not_visible(tmp_path):
    # An instructor's machine holds other copies of minicnn: a second checkout, a pip
    # cache, a colleague's folder. Under bubblewrap the student sees only the system and
    # this Python, so a copy anywhere else (here: in the home folder) cannot be read.
    copy = Path.home() / ".cache" / f"minicnn-grader-test-{os.getpid()}" / "conv.py"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text((sandbox.PACKAGE / "functional" / "conv.py").read_text(encoding="utf-8"))
    try:
        path = submission(
            tmp_path,
            f"""
            def conv2d_naive(x, w, b, stride=1, padding=0):
                import importlib.util
                spec = importlib.util.spec_from_file_location("ref", {str(copy)!r})
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                return module.conv2d(x, w, b, stride=stride, padding=padding)
            """,
        )
        result = grade(path)["conv2d_naive"]
        assert result.points == 0
        assert "No such file" in result.diagnostic or "FileNotFound" in result.diagnostic
    finally:
        shutil.rmtree(copy.parent)


def test_the_python_folders_are_mounted_after_the_private_tmp():
    # A checkout (and its .venv) inside the temp folder, as a CI runner may place it,
    # must stay runnable: the interpreter's folders are bound after /tmp is emptied,
    # and the hidden minicnn folders after those.
    args = sandbox._bwrap_args(Path("/view"), Path("/work"))
    tmp = args.index(tempfile.gettempdir(), args.index("--tmpfs"))
    binds = [args[i + 1] for i, a in enumerate(args) if a == "--ro-bind"]
    for folder in sandbox._python_dirs():
        assert str(folder) in binds
        assert args.index(str(folder)) > tmp
    last_python = max(args.index(str(folder)) for folder in sandbox._python_dirs())
    for hidden in sandbox.hidden_dirs():
        if hidden.is_dir():
            assert args.index(str(hidden)) > last_python
