"""pip install ./python: the package with the libaxsim.so the build made
(build/python/libaxsim.so of this checkout, or $AXSIM_LIB) copied into it.
Build axsim first; nothing is downloaded (pip install --no-build-isolation
./python on a machine without network)."""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class with_library(build_py):
    def run(self):
        super().run()
        lib = os.environ.get("AXSIM_LIB") or os.path.join(HERE, "..", "build", "python", "libaxsim.so")
        if not os.path.exists(lib):
            raise SystemExit(f"axsim: {lib} not found: build axsim first "
                             "(cmake --workflow --preset default), or set AXSIM_LIB")
        shutil.copy(lib, os.path.join(self.build_lib, "axsim", "libaxsim.so"))


setup(cmdclass={"build_py": with_library})
