//! Ordered parallel CSV output and files that appear only when complete.

