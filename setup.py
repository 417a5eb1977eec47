"""Build layout (the metadata is in ``pyproject.toml``).

* Every file inside the Python packages that is not Python source is package data, whatever its
  type (templates, keys, static assets), so the wheel never silently drops a new kind of file.
* ``schemas/`` and ``repository_list/`` stay at the top of the repository, where people read and
  review them; the wheel carries them as ``eauth_toolkit/_data/<folder>``, where
  :mod:`eauth_toolkit.resources` finds them with ``importlib.resources``.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

HERE = Path(__file__).resolve().parent
SHIPPED = ("schemas", "repository_list")


def _data_files(folder: Path, recursive: bool) -> list[str]:
    found = folder.rglob("*") if recursive else folder.glob("*")
    return sorted(
        str(p.relative_to(folder))
        for p in found
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".py", ".pyc"}
    )


def _shipped_packages(folder: str) -> dict[str, list[str]]:
    """The packages a shipped folder becomes (the folder and each subfolder whose path is made of
    Python names, as setuptools expects of an importable folder) and each one's files; a
    subfolder whose name is not a Python name (``trust-lists``) travels as files of the nearest
    package above it."""
    root = HERE / folder
    found: dict[str, list[str]] = {}
    for d in sorted([root, *(p for p in root.rglob("*") if p.is_dir())]):
        rel = d.relative_to(root).parts
        if "__pycache__" in rel or not all(part.isidentifier() for part in rel):
            continue
        files = []
        for p in sorted(d.rglob("*")):
            inner = p.relative_to(d).parts[:-1]
            if not p.is_file() or "__pycache__" in inner or p.suffix in {".py", ".pyc"}:
                continue
            if inner and all(part.isidentifier() for part in inner[:1]):
                continue  # the file of a subpackage
            files.append(str(p.relative_to(d)))
        found[".".join(("eauth_toolkit._data", folder, *rel))] = files
    return found


packages = find_namespace_packages(
    include=["eauth_toolkit", "eauth_toolkit.*", "pilot_sandbox", "pilot_sandbox.*"],
    exclude=["*.__pycache__"],
)
package_data = {pkg: _data_files(HERE / pkg.replace(".", "/"), False) for pkg in packages}
shipped: dict[str, list[str]] = {}
for folder in SHIPPED:
    shipped.update(_shipped_packages(folder))
package_data.update(shipped)

setup(
    packages=[*packages, *shipped],
    package_dir={f"eauth_toolkit._data.{folder}": folder for folder in SHIPPED},
    package_data={pkg: files for pkg, files in package_data.items() if files},
)
