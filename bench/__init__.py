"""Ratio benchmarks: the project's path against a raw baseline, interleaved in one run.

`make bench` (= `python -m bench`) runs them all; results land in `bench/results/`.
"""
