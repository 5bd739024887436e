from tests.customers.world import serving  # noqa: F401
