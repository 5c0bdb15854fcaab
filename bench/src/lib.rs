//! Benchmarks of perfgen (see benches/ and compare.sh).
