//! The `perfgen` command line, generic over the compiled [`crate::Catalog`].

