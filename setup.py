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


packages = find_namespace_packages(
    include=["eauth_toolkit", "eauth_toolkit.*", "pilot_sandbox", "pilot_sandbox.*"],
    exclude=["*.__pycache__"],
)
package_data = {pkg: _data_files(HERE / pkg.replace(".", "/"), False) for pkg in packages}
for folder in SHIPPED:
    package_data[f"eauth_toolkit._data.{folder}"] = _data_files(HERE / folder, True)

setup(
    packages=[*packages, *(f"eauth_toolkit._data.{folder}" for folder in SHIPPED)],
    package_dir={f"eauth_toolkit._data.{folder}": folder for folder in SHIPPED},
    package_data={pkg: files for pkg, files in package_data.items() if files},
)
