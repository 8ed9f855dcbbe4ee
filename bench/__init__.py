"""Benchmarks for wa-sandbox (docs/bench.md): ``python -m bench.run [--quick]`` writes bench/RESULTS.md."""
