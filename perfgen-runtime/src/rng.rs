//! Counter-based randomness: each cell (seed, entity, field, row) gets its own small RNG.

/// Mix the four coordinates of a cell into a 64-bit key (a strong avalanche mixer, so
/// neighbouring rows and fields give unrelated streams).
pub fn cell_key(seed: u64, entity: u64, field: u64, row: u64) -> u64 {
    todo!()
}

/// A small, fast RNG for one cell (wyrand). Implements `rand::RngCore`, so rand_distr
/// samplers can draw from it; later draws continue the same cell's stream.
#[derive(Debug, Clone)]
pub struct CellRng {
    state: u64,
}

impl CellRng {
    /// The RNG of one cell.
    pub fn new(seed: u64, entity: u64, field: u64, row: u64) -> Self {
        todo!()
    }
    /// From a raw 64-bit key.
    pub fn from_key(key: u64) -> Self {
        todo!()
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        todo!()
    }
    /// Uniform in [0, 1), 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        todo!()
    }
    /// Uniform in (0, 1): never 0, for logs and inverse CDFs.
    pub fn next_f64_open(&mut self) -> f64 {
        todo!()
    }
    /// Uniform integer in [0, n), unbiased (Lemire); `n` must be > 0.
    pub fn below(&mut self, n: u64) -> u64 {
        todo!()
    }
    /// Uniform integer in [lo, hi] inclusive; `lo <= hi`.
    pub fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        todo!()
    }
}

/// FNV-1a 64 of a name: the stable id of an entity or field in [`cell_key`]. perfgen-codegen
/// computes the same function at build time; renaming a field changes only that column.
pub const fn name_key(name: &str) -> u64 {
    todo!()
}
