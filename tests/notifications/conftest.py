from tests.governance.conftest import board  # noqa: F401 — shared fixture
