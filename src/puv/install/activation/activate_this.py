"""Activate this virtual environment inside a Python interpreter that is already running.

    import runpy
    runpy.run_path("/path/to/venv/bin/activate_this.py")

Use it when a program must run under another interpreter but import this environment's packages:
the environment's `bin` goes first on `PATH`, its site-packages first on `sys.path`, and
`sys.prefix` becomes the environment. Written by puv.
"""

import os
import site
import sys

PROMPT = "__VIRTUAL_PROMPT__"
SITE_PACKAGES = ["__SITE_PACKAGES__"]  # relative to this file's directory

try:
    bin_dir = os.path.dirname(os.path.abspath(__file__))
except NameError as exc:
    raise AssertionError("run this file with runpy.run_path(path), not with exec()") from exc
venv_dir = os.path.dirname(bin_dir)

os.environ["PATH"] = os.pathsep.join([bin_dir, *os.environ.get("PATH", "").split(os.pathsep)])
os.environ["VIRTUAL_ENV"] = venv_dir
os.environ["VIRTUAL_ENV_PROMPT"] = PROMPT or os.path.basename(venv_dir)

known = len(sys.path)
for relative in SITE_PACKAGES:
    site.addsitedir(os.path.realpath(os.path.join(bin_dir, relative)))
# The environment's directories come first, ahead of the running interpreter's own.
sys.path[:] = sys.path[known:] + sys.path[:known]

sys.real_prefix = sys.prefix  # type: ignore[attr-defined]
sys.prefix = venv_dir
