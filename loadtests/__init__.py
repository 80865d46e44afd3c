"""Load tests and benchmarks; each module runs with `uv run python -m loadtests.<name>`."""
