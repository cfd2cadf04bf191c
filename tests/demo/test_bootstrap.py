"""scripts/bootstrap.sh: the install step says one line, and shows pip's output only when it fails."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIP_NOISE = "WARNING: Location 'https://mirror.example/simple/' is ignored: it is either a non-existing path"

# A stand-in for .venv/bin/python: `python -m pip install …` prints pip's chatter and exits with $PIP_EXIT.
FAKE_PYTHON = f"""#!/usr/bin/env bash
echo "{PIP_NOISE}"
echo "Collecting django" >&2
exit "${{PIP_EXIT:-0}}"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap.sh", tmp_path / "scripts" / "bootstrap.sh")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path


def _bootstrap(project: Path, pip_exit: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 — our own script
        ["bash", str(project / "scripts" / "bootstrap.sh")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PIP_EXIT": str(pip_exit)},
        check=False,
    )


def test_a_successful_install_prints_one_line_and_none_of_pips_warnings(project):
    done = _bootstrap(project, pip_exit=0)

    assert done.returncode == 0
    assert done.stdout.strip() == "Installing Attune's dependencies into .venv…"
    assert done.stderr == ""
    assert (project / ".venv" / ".installed").exists()


def test_an_unchanged_project_installs_nothing_and_says_nothing(project):
    _bootstrap(project, pip_exit=0)
    again = _bootstrap(project, pip_exit=0)

    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


def test_a_failed_install_shows_pips_output(project):
    failed = _bootstrap(project, pip_exit=1)

    assert failed.returncode == 1
    assert PIP_NOISE in failed.stderr and "Collecting django" in failed.stderr
    assert "Installing the dependencies failed" in failed.stderr
    assert not (project / ".venv" / ".installed").exists()
