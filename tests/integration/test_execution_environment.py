"""execution-environment.yml: `ansible-builder create` makes a build context with the collection,
its Python requirements and the ansible-core we test with (no container is built here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from support import REPO

BUILDER = Path(sys.executable).parent / "ansible-builder"


def requirement_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith(("#", "-"))]


def test_ansible_builder_creates_the_build_context(tmp_path: Path) -> None:
    assert BUILDER.exists(), "ansible-builder is missing: it is in requirements/test.txt (make setup)"
    context = tmp_path / "context"
    proc = subprocess.run(
        [str(BUILDER), "create", "--file", str(REPO / "execution-environment.yml"), "--context", str(context)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

    build = context / "_build"
    galaxy = yaml.safe_load((build / "requirements.yml").read_text())
    assert [c["name"] for c in galaxy["collections"]] == ["hairpin.routeros"]
    # The modules' Python dependencies are the ones `make setup` installs.
    assert requirement_lines(build / "requirements.txt") == requirement_lines(REPO / "requirements" / "runtime.txt")

    [containerfile] = [path for path in (context / "Containerfile", context / "Dockerfile") if path.exists()]
    text = containerfile.read_text()
    tested_core = re.search(r"^ansible-core==\S+", (REPO / "requirements" / "test.txt").read_text(), re.MULTILINE)
    assert tested_core is not None
    assert tested_core.group(0) in text, "the image's ansible-core is not the one the tests use"
    assert "ansible-galaxy collection install" in text
    assert "requirements.txt" in text
