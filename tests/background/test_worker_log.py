"""The worker's log: an idle worker does not write two lines a second (its batch loop's start and
end), while the tasks' own lines still reach the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from allianssi.background.worker import BATCH_LOGGER, quiet_batches, worker


@pytest.fixture
def batch_logger(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """The worker loop's logger, its filters put back after the test. The loop's
    ``close_old_connections()`` would close the test's connection inside its transaction (as
    ``worker.drain`` explains), so it is left out here: the log is what is tested."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    logger = logging.getLogger(BATCH_LOGGER)
    filters = list(logger.filters)
    yield logger
    logger.filters[:] = filters


def _batch_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == BATCH_LOGGER]


@pytest.mark.django_db
def test_worker__an_idle_batch_logs_its_start_and_end_without_the_filter(
    batch_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    """What the filter is for: django-tasks-db's batch writes two lines each time it runs."""
    caplog.set_level(logging.INFO, logger=BATCH_LOGGER)
    batch = worker(worker_id="test-noisy")
    batch.run()
    lines = _batch_lines(caplog)
    assert any(line.startswith("Starting worker") for line in lines)
    assert any(line.startswith("No more tasks to run") for line in lines)


@pytest.mark.django_db
def test_worker__idle_batches_write_nothing_once_quieted(
    batch_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=BATCH_LOGGER)
    quiet_batches()
    quiet_batches()  # installed once, however often asked
    batch = worker(worker_id="test-quiet")
    for _ in range(3):
        batch.run()
    assert _batch_lines(caplog) == []
    assert sum(type(f).__name__ == "QuietBatches" for f in batch_logger.filters) == 1
    # Other lines of the same logger, a task's failure say, still pass.
    batch_logger.warning("Task id=%s failed unexpectedly", "x")
    assert _batch_lines(caplog) == ["Task id=x failed unexpectedly"]
