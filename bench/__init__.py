"""Benchmarks (run as scripts: `.venv/bin/python bench/<name>.py`); a package so one can import another."""
