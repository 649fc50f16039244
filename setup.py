"""One build step on top of pyproject.toml: compile the catalogs into the build.

The .mo files are build output, kept out of git. The app does not compile
them at start (an installed package may be read-only), so every wheel must
carry them: build_py compiles the .po files it has just copied into the
build directory. Editable installs read the checkout instead, where
`make catalogs` compiles them.
"""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent / "scripts"))
from compile_catalogs import compile_all


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            for mo_path in compile_all(Path(self.build_lib) / "advocacy" / "translations"):
                print(f"compiled {mo_path}")


setup(cmdclass={"build_py": BuildPyWithCatalogs})
