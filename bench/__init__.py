"""Benchmarks: run from the repository as modules, e.g. ``.venv/bin/python -m bench.bench_render``."""
