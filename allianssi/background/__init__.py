"""Background work on Django's tasks framework: one worker, the periodic jobs, stale tasks."""
