"""Stand-in for pypa's get-pip.py, which ansible-test downloads to bootstrap pip in its sanity
virtual environments. Where that download host is out of reach but a package index is not (an
offline mirror, a proxy that admits only package registries), pip is bootstrapped the same way
from the standard library and the index: ensurepip, then `pip install` of exactly the packages
ansible-test asked for (e.g. pip==25.2)."""

import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *args])
