"""Benchmarks and fits: run from the repository root as ``python -m bench.<script>``."""
