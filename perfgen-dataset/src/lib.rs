//! perfgen-dataset: what describes a generated dataset on disk, shared by the command line,
//! `perfgen verify` and the PostgreSQL loader: the file names of a sharded run's parts and
//! how to find them ([`parts`]), the folder's lock ([`lock`]) and manifest ([`manifest`]), the dataset folder's README ([`readme`], [`describe`]), the
//! run summary ([`summary`]), plain-text tables ([`table`]) and numbers as people read them
//! ([`human`]).
//!
//! It reads the compiled catalog (perfgen-runtime) and names tables as perfgen-schema does;
//! it must not depend on the command line (clap), a database client, or perfgen-verify.

pub mod describe;
pub mod human;
pub mod lock;
pub mod manifest;
pub mod parts;
pub mod plots;
pub mod readme;
pub mod summary;
pub mod table;
pub mod zipf;
