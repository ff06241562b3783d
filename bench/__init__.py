"""Benchmarks that time kmeans_core against scikit-learn (run ``python -m bench.core``)."""
