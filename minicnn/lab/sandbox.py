"""Where the student's code runs while graded: a view of minicnn without the reference.

Three layers, from the always-there to the best this machine allows:

1. **A view of the package.** ``build_view`` writes a folder holding a
   ``minicnn`` that has only what the lab provides (its catalogue entry's
   ``provides``), a stub ``minicnn/__init__`` whose attributes (``mc.Linear``,
   ``mc.zoo``) fail with the lab's message, and the student-side grading modules
   (``harness``, ``runs``, ``parts``, ``wire``). The student's process imports
   minicnn from there, so the reference is never in that process, and the
   ``rules.Blocker`` import hook refuses it by name (``import``, ``importlib``,
   ``__import__``), as well as other libraries' versions (torch, scipy, ...).
2. **Isolation** (``isolation``): on Linux with bubblewrap the process sees the
   file system read-only, without the real minicnn, the lab sources or the network;
   as root without bubblewrap it runs as an unprivileged user id of its own;
   otherwise (macOS, Windows) as the grader's user.
3. **Hashing** (``digest``): the grader hashes the install and the view before and
   after each submission and stops if anything changed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import types
from pathlib import Path

from .messages import say

PACKAGE = Path(__file__).resolve().parents[1]  # the grader's minicnn
# Always in the student's view: what minicnn.data needs (lab 5 loads MNIST with it), and
# minicnn.messages, the catalogue of diagnostics lab/messages.py builds on (words, no answers).
ALWAYS = ("data", "validate", "init", "atomic", "messages")
# The student-side grading modules; the rest of minicnn.lab (catalogue, references) stays out.
CHILD_MODULES = ("harness.py", "runs.py", "parts.py", "rules.py", "wire.py", "messages.py")
# Modules a lab provides only because the ones it names need them (not worth naming).
SUPPORT = ("kernels", "backend", "shapes", "threads", "summary", "receptive_field", "schedules")
# Other libraries that have a convolution, a loss or a gradient ready-made.
OTHER_LIBRARIES = ("torch", "tensorflow", "jax", "keras", "scipy", "sklearn", "cupy", "mxnet")


def blocked_modules(lab, lang: str, alone: bool = False) -> dict[str, str]:
    """{module: message} for every minicnn module the lab does not provide, and others;
    ``alone``: also what it provides (for a part the student writes with numpy only)."""
    provides = set(ALWAYS) | set(lab.provides)
    extra = "".join(f", minicnn.{m}" for m in ALWAYS[:1])
    if lab.functional:
        extra += ", minicnn.functional." + "/".join(n for _, n in lab.functional)
    elif lab.provides:  # whole modules (labs 8 and 9 use the framework's layers)
        extra += "".join(f", minicnn.{m}" for m in lab.provides if m not in SUPPORT)
    offer = say("blocked.provides", lang, extra=extra)
    title = lab.title_in(lang)

    def message(module: str, why: str) -> str:
        return say("blocked", lang, module=module, lab=lab.id, title=title, why=why, provides=offer)

    out = {}
    for path in sorted(PACKAGE.iterdir()):
        name = path.stem if path.suffix == ".py" else path.name
        if name.startswith("_") or name in provides or not (path.suffix == ".py" or path.is_dir()):
            continue
        if name == "lab":
            continue
        out[f"minicnn.{name}"] = message(f"minicnn.{name}", say("blocked.why.reference", lang))
    for path in sorted((PACKAGE / "functional").glob("*.py")):
        if lab.functional and path.stem not in lab.provides_functional_files():
            out[f"minicnn.functional.{path.stem}"] = message(
                f"minicnn.functional.{path.stem}", say("blocked.why.reference", lang)
            )
    for path in sorted((PACKAGE / "lab").glob("*.py")):
        if path.name not in CHILD_MODULES and path.stem != "__init__":
            out[f"minicnn.lab.{path.stem}"] = message(
                f"minicnn.lab.{path.stem}", say("blocked.why.reference", lang)
            )
    for name in OTHER_LIBRARIES:
        out[name] = message(name, say("blocked.why.other", lang))
    if alone:
        for name in lab.provides:
            out[f"minicnn.{name}"] = message(f"minicnn.{name}", say("blocked.why.alone", lang))
    return out


def _public_names() -> dict[str, str]:
    """{name: module} of everything ``import minicnn as mc`` offers (``mc.Linear``)."""
    import minicnn

    out = {}
    for name in minicnn.__all__:
        try:
            obj = getattr(minicnn, name)
        except AttributeError:
            continue
        out[name] = obj.__name__ if isinstance(obj, types.ModuleType) else obj.__module__
    return out


STUB_INIT = '''"""minicnn as a lab's graded code sees it: only what the lab provides."""

import importlib as _importlib

__version__ = {version!r}
_PUBLIC = {public!r}
_BLOCKED = {blocked!r}


def __getattr__(name):
    module = _PUBLIC.get(name, __name__ + "." + name)
    for blocked, message in _BLOCKED.items():
        if module == blocked or module.startswith(blocked + "."):
            raise AttributeError(message)
    try:
        found = _importlib.import_module(module)
    except ModuleNotFoundError:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}") from None
    return found if module == __name__ + "." + name else getattr(found, name)
'''

STUB_LAB = '''"""minicnn.lab while graded: check cells do nothing (the grader tests the parts)."""


def checker(lab, namespace):
    def check(part_name, seed=0):
        return None

    return check
'''


def build_view(lab, lang: str, dest: Path) -> Path:
    """Write the student's ``minicnn`` for ``lab`` under ``dest``; returns ``dest``."""
    from .. import __version__

    blocked = blocked_modules(lab, lang)
    view = dest / "minicnn"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in (*ALWAYS, *lab.provides):
        if "." in name or (name == "functional" and lab.functional):
            continue  # minicnn.functional is written below with the lab's functions only
        src = PACKAGE / name
        if src.is_dir():
            shutil.copytree(src, view / name, ignore=ignore)
        else:
            view.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PACKAGE / f"{name}.py", view / f"{name}.py")
    if lab.functional:
        fdir = view / "functional"
        fdir.mkdir(parents=True, exist_ok=True)
        for stem in lab.provides_functional_files():
            shutil.copy2(PACKAGE / "functional" / f"{stem}.py", fdir / f"{stem}.py")
        exports = "".join(f"from .{m} import {n}\n" for m, n in lab.functional_imports())
        fblocked = {k: v for k, v in blocked.items() if k.startswith("minicnn.functional.")}
        public = {n: f"minicnn.functional.{m}" for m, n in lab.functional_imports()}
        stub = STUB_INIT.format(version=__version__, public=public, blocked=fblocked)
        (fdir / "__init__.py").write_text(stub + "\n" + exports, encoding="utf-8")
    (view / "lab").mkdir(parents=True, exist_ok=True)
    for name in CHILD_MODULES:
        shutil.copy2(PACKAGE / "lab" / name, view / "lab" / name)
    (view / "lab" / "__init__.py").write_text(STUB_LAB, encoding="utf-8")
    top = {k: v for k, v in blocked.items() if k.count(".") == 1}
    init = STUB_INIT.format(version=__version__, public=_public_names(), blocked=top)
    (view / "__init__.py").write_text(init, encoding="utf-8")
    for path in [dest, *dest.rglob("*")]:  # readable by `nobody`, writable by no one
        path.chmod(0o555 if path.is_dir() else 0o444)
    return dest


def digest(*roots: Path) -> dict[str, str]:
    """{file: sha256} of every file under ``roots`` (compiled caches left out)."""
    out = {}
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


@functools.cache
def isolation() -> str:
    """'bwrap', 'user' (root runs the student as an unprivileged uid) or 'none';
    MINICNN_LAB_ISOLATION forces one (a test, or an instructor who knows better)."""
    forced = os.environ.get("MINICNN_LAB_ISOLATION")
    if forced in ("bwrap", "user", "none"):
        return forced
    if sys.platform.startswith("linux") and shutil.which("bwrap"):
        probe = [*_bwrap_args(Path("/"), None), sys.executable, "-I", "-S", "-c", "pass"]
        if subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0:
            return "bwrap"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and can_run_as_another_user():
        return "user"
    return "none"


def can_run_as_another_user() -> bool:
    """Can an unprivileged uid run this Python with numpy? (Not when the interpreter
    lives in a folder only root may enter, such as a pyenv under /root.)"""
    code = f"import sys; sys.path += {site_packages()!r}; import numpy"
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", code],
            cwd="/",
            capture_output=True,
            timeout=60,
            check=False,
            **run_as(61999),
        )
    except OSError:  # PermissionError: the interpreter itself is out of reach
        return False
    return done.returncode == 0


def hidden_dirs() -> list[Path]:
    """Every minicnn the student's Python could find, the lab sources and the git history."""
    dirs = {PACKAGE}
    for finder in sys.meta_path:
        try:
            spec = finder.find_spec("minicnn", None)  # type: ignore[call-arg]
        except Exception:  # noqa: BLE001, S112 - a finder we do not know
            continue
        if spec is not None and spec.origin:
            dirs.add(Path(spec.origin).resolve().parent)
    spec = importlib.machinery.PathFinder.find_spec("minicnn", sys.path)
    if spec is not None and spec.origin:
        dirs.add(Path(spec.origin).resolve().parent)
    for entry in [*sys.path, *site_packages()]:  # a copy shadowed by the first one, too
        if entry and (Path(entry) / "minicnn" / "__init__.py").is_file():
            dirs.add((Path(entry) / "minicnn").resolve())
    for package in list(dirs):
        for extra in ("labs", ".git"):
            if (package.parent / extra).exists():
                dirs.add(package.parent / extra)
    return sorted(dirs)


# What the student's Python needs to run: the system's programs and libraries, and the
# interpreter's own folders (added in ``_python_dirs``). Nothing else of the machine is
# visible: no home folders, no other checkouts or copies of minicnn, no pip cache.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


def _python_dirs() -> list[Path]:
    """The interpreter, its standard library and the site-packages folders (numpy)."""
    dirs = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    dirs += [os.path.dirname(sys.executable), os.path.dirname(os.path.realpath(sys.executable))]
    dirs += site_packages()
    return [Path(d) for d in dict.fromkeys(dirs) if d and Path(d).is_dir()]


def _bwrap_args(view: Path, work: Path | None) -> list[str]:
    """bubblewrap's command line: a read-only file system of only the system and this
    Python (``SYSTEM_DIRS``, ``_python_dirs``), with every minicnn, the lab sources and
    the git history hidden under empty folders, a private /tmp, and the view (read-only)
    and the work folder (writable). Mounts apply in order, so the hidden folders come
    after the Python folders that may hold them."""
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    for system in SYSTEM_DIRS:
        if os.path.isdir(system):
            args += ["--ro-bind", system, system]
    args += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", tempfile.gettempdir()]
    for folder in _python_dirs():
        args += ["--ro-bind", str(folder), str(folder)]
    if work is None:
        return args
    for path in hidden_dirs():
        if path.is_dir():
            args += ["--tmpfs", str(path)]
    args += ["--ro-bind", str(view), str(view), "--bind", str(work), str(work)]
    return [*args, "--chdir", str(work), "--setenv", "HOME", str(work)]


# python -I -S: no PYTHONPATH, no user site, no .pth files (an editable install's .pth
# would map `minicnn` to the real package); the view first, then the site-packages
# folders for numpy. The memory limit is set before any student code, soft and hard.
BOOT = (
    "import sys; sys.path[:0] = [{view!r}]; sys.path += {site!r}; {limit}"
    "from minicnn.lab.harness import run_job; sys.exit(run_job({fd_in}, {fd_out}))"
)
RLIMIT = (
    "import resource; m = {memory} << 20; resource.setrlimit(resource.RLIMIT_AS, (m, m)); "
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0)); "
)


def site_packages() -> list[str]:
    """Where numpy and minicnn's other dependencies are installed."""
    import numpy

    dirs = [str(Path(numpy.__file__).resolve().parents[1])]
    dirs += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    return list(dict.fromkeys(dirs))


def child_command(view: Path, work: Path, fd_in: int, fd_out: int, memory_mb: int) -> list[str]:
    """The command line that starts the student's process under this machine's isolation."""
    limit = RLIMIT.format(memory=memory_mb) if os.name == "posix" else ""
    code = BOOT.format(
        view=str(view), site=site_packages(), limit=limit, fd_in=fd_in, fd_out=fd_out
    )
    command = [sys.executable, "-I", "-S", "-c", code]
    if isolation() == "bwrap":
        return [*_bwrap_args(view, work), *command]
    return command


def child_env(work: Path) -> dict[str, str]:
    """A small environment: no PYTHONPATH (the view comes first), one BLAS thread."""
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TZ")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(HOME=str(work), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[name] = "1"
    return env


_next_uid = itertools.count()
_uid_lock = threading.Lock()


def student_uid() -> int:
    """An unprivileged user id of its own for each student process (as root without
    bubblewrap): one submission cannot signal another's process (``kill -1``), even
    when grade_all runs several at once. 61000-61999 is no system account's range."""
    with _uid_lock:
        return 61000 + next(_next_uid) % 1000


def prepare_work(work: Path, uid: int | None) -> None:
    """The student's current folder: theirs to write, the only one (with bwrap)."""
    if uid is not None:
        os.chown(work, uid, uid)


def run_as(uid: int | None) -> dict:
    """subprocess.Popen keywords that drop to ``uid`` (None: stay who we are)."""
    return {} if uid is None else {"user": uid, "group": uid, "extra_groups": []}


def kill_all_of(uid: int | None) -> None:
    """End every process left running as ``uid`` (a student's process may have left its
    session to escape the process group), by a process of that uid sending kill(-1)."""
    if uid is None:
        return
    code = "import os, signal; os.kill(-1, signal.SIGKILL)"
    subprocess.run([sys.executable, "-I", "-S", "-c", code], **run_as(uid), check=False)


def remove_view(dest: Path) -> None:
    """Delete a view (its files were made read-only)."""
    for path in [dest, *dest.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(dest, ignore_errors=True)
