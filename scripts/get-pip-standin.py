"""Stand-in for pypa's get-pip.py, which ansible-test downloads to bootstrap pip in its sanity
virtual environments. That download host is not reachable from our machines (only package
registries are), so we bootstrap the same way from the standard library and PyPI: ensurepip, then
`pip install` of exactly the packages ansible-test asked for (e.g. pip==25.2)."""

import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *args])
