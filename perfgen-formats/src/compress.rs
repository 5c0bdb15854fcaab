//! Compression of one chunk into a self-contained zstd frame or gzip member: the worker
//! threads compress their chunks, and the frames (members) written one after another form
//! one valid stream (zstd format, RFC 1952 section 2.2), so compression never serialises a
//! run.

use crate::kind::Compression;
use std::io::{self, Write};

/// zstd's level 1, its fastest regular level: compressing still costs more CPU per byte
/// than formatting the rows (bench/formats.sh measures it against plain CSV); the `--fast`
/// levels gain little speed here for files half as large again.
pub const ZSTD_LEVEL: i32 = 1;

/// gzip's level 1: deflate is several times slower than zstd at any level; level 6 (zlib's
/// default, through miniz_oxide) took 16x level 1's time (zlib-rs) on 2 M users rows for a
/// third smaller file. Whoever wants small files takes zstd (smaller than gzip -6, faster
/// than gzip -1).
pub const GZIP_LEVEL: u32 = 1;

/// Why `level` is no level of `how` (`--compress-level`), or `Ok`. zstd takes its own range
/// (negative levels are `zstd --fast=N`: faster, larger files), gzip 0 (stored) to 9.
pub fn check_level(how: Compression, level: i32) -> Result<(), String> {
    let (name, levels, default) = match how {
        Compression::None => return Ok(()),
        Compression::Zstd => ("zstd", zstd::compression_level_range(), ZSTD_LEVEL),
        Compression::Gzip => ("gzip", 0..=9, GZIP_LEVEL as i32),
    };
    if levels.contains(&level) {
        Ok(())
    } else {
        Err(format!(
            "{level} is no {name} level: {name} takes {} to {} (default {default})",
            levels.start(),
            levels.end(),
        ))
    }
}

/// Per worker: a reused zstd context, and the level chosen (`None`: the codec's default
/// here, [`ZSTD_LEVEL`] or [`GZIP_LEVEL`]; checked with [`check_level`] before).
pub(crate) struct Compressor {
    zstd: Option<zstd::bulk::Compressor<'static>>,
    level: Option<i32>,
}

impl Compressor {
    pub(crate) fn new(level: Option<i32>) -> Compressor {
        Compressor { zstd: None, level }
    }

    /// Appends `data` compressed as one frame (member) to `out`; `Compression::None` copies.
    pub(crate) fn compress(
        &mut self,
        how: Compression,
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        match how {
            Compression::None => out.extend_from_slice(data),
            Compression::Zstd => {
                let zstd = match &mut self.zstd {
                    Some(z) => z,
                    slot => slot.insert(zstd::bulk::Compressor::new(
                        self.level.unwrap_or(ZSTD_LEVEL),
                    )?),
                };
                // Into the slice after what `out` holds (a `Vec` as the destination would be
                // written from its start).
                let at = out.len();
                out.resize(at + zstd::zstd_safe::compress_bound(data.len()), 0);
                let n = zstd.compress_to_buffer(data, &mut out[at..])?;
                out.truncate(at + n);
            }
            Compression::Gzip => {
                // mtime 0 and no file name: the same bytes on every run.
                let mut gz = flate2::GzBuilder::new().mtime(0).write(
                    out,
                    flate2::Compression::new(
                        self.level.map_or(GZIP_LEVEL, |l| l.clamp(0, 9) as u32),
                    ),
                );
                gz.write_all(data)?;
                gz.finish()?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn concatenated_frames_and_members_decompress_to_the_concatenated_input() {
        let pieces: Vec<Vec<u8>> = (0..5)
            .map(|i| format!("row {i},x\n").repeat(1000 * i + 1).into_bytes())
            .collect();
        let want = pieces.concat();
        for how in [Compression::Zstd, Compression::Gzip] {
            let mut c = Compressor::new(None);
            let mut stream = Vec::new();
            for p in &pieces {
                c.compress(how, p, &mut stream).unwrap();
            }
            assert!(stream.len() < want.len() / 4, "{how:?} compresses");
            let mut got = Vec::new();
            match how {
                Compression::Zstd => {
                    zstd::stream::read::Decoder::new(&stream[..])
                        .unwrap()
                        .read_to_end(&mut got)
                        .unwrap();
                }
                _ => {
                    flate2::read::MultiGzDecoder::new(&stream[..])
                        .read_to_end(&mut got)
                        .unwrap();
                }
            }
            assert_eq!(got, want, "{how:?}");
        }
    }
}
