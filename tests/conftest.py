"""Shared test setup: Qt runs headless, and the original PyFlow fixtures are found if present."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

ORIGINAL_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "original-pyflow"


@pytest.fixture
def original_fixtures() -> Path:
    """The folder of original PyFlow files (`../shared/fixtures/original-pyflow`)."""
    if not ORIGINAL_FIXTURES.is_dir():
        pytest.skip("the original PyFlow fixtures (../shared/fixtures) are not present")
    return ORIGINAL_FIXTURES
