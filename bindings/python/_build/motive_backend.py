"""The PEP 517 backend of the package, in the tree and needing nothing.

The package is pure Python, so its wheel is a zip of `motive/` and a few
metadata files. Writing it here, with the standard library only, is what
lets `pip install ./bindings/python` work offline: pip's isolated build
environment would otherwise have to download setuptools (and, before
setuptools 70.1, `wheel`).
"""

import base64
import hashlib
import io
import os
import re
import sysconfig
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What an sdist carries: enough to build the wheel again.
SDIST_FILES = ("pyproject.toml", "README.md", "_build/motive_backend.py")


def _project():
    """name, version, description and requires-python of pyproject.toml's
    [project], which keeps them as one-line strings (no TOML parser before
    Python 3.11)."""
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    return dict(re.findall(r'^(name|version|description|requires-python)'
                           r'\s*=\s*"([^"]*)"', text, re.M))


def _metadata(fields):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return (f"Metadata-Version: 2.1\nName: {fields['name']}\n"
            f"Version: {fields['version']}\nSummary: {fields['description']}\n"
            f"Requires-Python: {fields['requires-python']}\n"
            "Description-Content-Type: text/markdown\n\n" + readme)


def _package_files():
    """(name in the archive, path) of the package: its modules, its typing
    marker, and a libmotive copied beside them to be shipped with it."""
    base = os.path.join(ROOT, "motive")
    for name in sorted(os.listdir(base)):
        path = os.path.join(base, name)
        if os.path.isfile(path) and (
                name.endswith(".py") or name == "py.typed"
                or re.match(r"(lib)?motive.*\.(so|dylib|dll)", name)):
            yield f"motive/{name}", path


class _Wheel:
    """A wheel being written: each file is hashed into RECORD as it goes."""

    def __init__(self, directory, fields, tag):
        self.name = f"{fields['name']}-{fields['version']}-{tag}.whl"
        self.dist_info = f"{fields['name']}-{fields['version']}.dist-info"
        self._zip = zipfile.ZipFile(os.path.join(directory, self.name), "w",
                                    zipfile.ZIP_DEFLATED)
        self._record = []
        self.add(f"{self.dist_info}/METADATA",
                 _metadata(fields).encode("utf-8"))
        self.add(f"{self.dist_info}/WHEEL",
                 ("Wheel-Version: 1.0\nGenerator: motive_backend\n"
                  f"Root-Is-Purelib: {'true' if tag.endswith('any') else 'false'}"
                  f"\nTag: {tag}\n").encode())

    def add(self, arcname, data):
        self._zip.writestr(arcname, data)
        digest = base64.urlsafe_b64encode(
            hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self._record.append(f"{arcname},sha256={digest},{len(data)}")

    def close(self):
        self._record.append(f"{self.dist_info}/RECORD,,")
        self._zip.writestr(f"{self.dist_info}/RECORD",
                           "\n".join(self._record) + "\n")
        self._zip.close()
        return self.name


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_sdist = get_requires_for_build_editable = \
    get_requires_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = list(_package_files())
    native = any(not arc.endswith((".py", ".typed")) for arc, _ in files)
    # A bundled library makes the wheel specific to this platform.
    platform = re.sub(r"[-.]", "_", sysconfig.get_platform()) if native else "any"
    wheel = _Wheel(wheel_directory, _project(), f"py3-none-{platform}")
    for arcname, path in files:
        with open(path, "rb") as f:
            wheel.add(arcname, f.read())
    return wheel.close()


def build_editable(wheel_directory, config_settings=None,
                   metadata_directory=None):
    """`pip install -e`: a wheel whose .pth file puts this tree on sys.path."""
    wheel = _Wheel(wheel_directory, _project(), "py3-none-any")
    wheel.add("motive_editable.pth", (ROOT + "\n").encode())
    return wheel.close()


def build_sdist(sdist_directory, config_settings=None):
    fields = _project()
    base = f"{fields['name']}-{fields['version']}"
    name = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz",
                      format=tarfile.PAX_FORMAT) as tar:
        paths = [(p, os.path.join(ROOT, p)) for p in SDIST_FILES]
        paths += list(_package_files())
        for arcname, path in paths:
            tar.add(path, arcname=f"{base}/{arcname}", recursive=False)
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata(fields).encode("utf-8")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return name
