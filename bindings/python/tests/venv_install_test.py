"""Proves that `pip install ./bindings/python` works offline: installs the
package into a fresh virtual environment with no package index (pip's
isolated build included) and runs a decision through the installed copy
against $MOTIVE_LIBRARY.

Exits 77 (ctest's SKIP_RETURN_CODE) when venv or pip is missing.
"""

import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SMOKE = r"""
import os, sys
import motive
assert os.path.realpath(motive.__file__).startswith(
    os.path.realpath(sys.prefix)), motive.__file__
assert motive.version() == motive.__version__, motive.version()
with motive.Engine(ruleset='version: "v" actions { id: "hello" } '
                   'playbooks { name: "p" rules { action: "hello" } }') as eng:
    eng.record({"customer_id": "C1", "type": "contact", "channel": "voice",
                "occurred_at": "2025-03-01T10:00:00Z"})
    decision = eng.decide("C1", channel="voice")
    assert decision["actions"][0]["action"] == "hello", decision
    try:
        eng.record("{oops")
    except motive.ParseError as e:
        assert e.code == -3
print("installed motive", motive.version(), "decides:",
      decision["actions"][0]["action"])
"""


def run(cmd, **kw):
    # Only the installed copy may be imported: no PYTHONPATH to the source.
    kw.setdefault("env", {k: v for k, v in os.environ.items()
                          if k != "PYTHONPATH"})
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def main() -> int:
    try:
        import venv  # noqa: F401
        import ensurepip  # noqa: F401
    except ImportError as e:
        print(f"SKIP: {e}")
        return SKIP
    with tempfile.TemporaryDirectory(prefix="motive-venv-") as tmp:
        env_dir = os.path.join(tmp, "venv")
        made = run([sys.executable, "-m", "venv", env_dir])
        if made.returncode != 0:
            print("SKIP: python3 -m venv failed:\n" + made.stdout)
            return SKIP
        python = os.path.join(env_dir, "bin", "python")
        has = run([python, "-c", "import pip"])
        if has.returncode != 0:
            print("SKIP: no pip in the venv:\n" + has.stdout)
            return SKIP
        # A copy, so that the build leaves nothing in the source tree.
        source = os.path.join(tmp, "src")
        shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns(
            "tests", "build", "*.egg-info", "__pycache__", "CMakeLists.txt"))
        installed = run([python, "-m", "pip", "install", "--no-index",
                         "--disable-pip-version-check", "--quiet", source])
        if installed.returncode != 0:
            print("pip install failed:\n" + installed.stdout)
            return 1
        smoke = run([python, "-c", SMOKE], cwd=tmp)
        print(smoke.stdout, end="")
        return smoke.returncode


if __name__ == "__main__":
    sys.exit(main())
