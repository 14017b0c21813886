"""Under CI, the original PyFlow's files are required: their tests fail when the files are
missing, rather than skip silently, unless the reason they cannot be there is given."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


@pytest.fixture
def suite_without_fixtures(tmp_path: Path) -> Path:
    """A copy of the suite's conftest two levels below a folder with no ``shared``."""
    tests = tmp_path / "checkout" / "repo" / "tests"
    tests.mkdir(parents=True)
    shutil.copy(CONFTEST, tests / "conftest.py")
    (tests / "test_reads_original.py").write_text(
        "def test_reads_original(original_fixtures):\n"
        "    assert (original_fixtures / 'repo.json').is_file()\n"
    )
    return tests


def run(tests: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items()
               if k not in {"CI", "PYFLOW_DESKTOP_WITHOUT_FIXTURES"}}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", str(tests)],
        cwd=tests, env=environ | env, capture_output=True, text=True, timeout=120,
    )


def test_outside_ci_a_missing_fixture_skips_and_says_where(suite_without_fixtures: Path) -> None:
    result = run(suite_without_fixtures)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "original PyFlow fixtures are not present at" in result.stdout


@pytest.mark.parametrize("ci", ["true", "1", "True"])
def test_under_ci_a_missing_fixture_fails(suite_without_fixtures: Path, ci: str) -> None:
    result = run(suite_without_fixtures, CI=ci)
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout  # the fixture fails: its test cannot start
    assert "under CI (CI=true) they are required" in result.stdout


def test_under_ci_a_given_reason_skips_with_it(suite_without_fixtures: Path) -> None:
    result = run(suite_without_fixtures, CI="true",
                 PYFLOW_DESKTOP_WITHOUT_FIXTURES="no ../shared on this runner")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "(no ../shared on this runner)" in result.stdout
