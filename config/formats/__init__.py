"""The project's overrides of Django's locale formats (``FORMAT_MODULE_PATH``): one module per
language that differs from Django's own; what a module leaves out comes from Django's
(docs/formats.md)."""
