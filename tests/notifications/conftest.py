from tests.customers.world import serving  # noqa: F401 — shared fixture
from tests.governance.conftest import board  # noqa: F401 — shared fixture
