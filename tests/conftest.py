"""Shared test setup: Qt runs headless, and the original PyFlow fixtures are found if present.

Where they are missing, their tests skip, except under CI (``CI=true``), where a silent skip
would hide 45 tests: there they fail, unless ``PYFLOW_DESKTOP_WITHOUT_FIXTURES`` says why the
files cannot be there (GitHub's runners have no ``../shared``).
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

ORIGINAL_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "original-pyflow"


@pytest.fixture
def original_fixtures() -> Path:
    """The folder of original PyFlow files (`../shared/fixtures/original-pyflow`)."""
    if ORIGINAL_FIXTURES.is_dir():
        return ORIGINAL_FIXTURES
    missing = f"the original PyFlow fixtures are not present at {ORIGINAL_FIXTURES}"
    if os.environ.get("CI", "").lower() in {"true", "1", "yes"}:
        why = os.environ.get("PYFLOW_DESKTOP_WITHOUT_FIXTURES")
        if not why:
            pytest.fail(f"{missing}, and under CI (CI=true) they are required: put them there, "
                        "or set PYFLOW_DESKTOP_WITHOUT_FIXTURES to the reason they cannot be",
                        pytrace=False)
        missing += f" ({why})"
    pytest.skip(missing)
