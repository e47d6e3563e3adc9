"""Performance benchmarks on generated data. See benchmarks/README.md."""
