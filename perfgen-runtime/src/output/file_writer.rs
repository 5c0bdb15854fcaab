//! The byte sink of an output file: direct I/O where the file system takes it, buffered
//! writes otherwise.
//!
//! Why direct I/O: a buffered `write` copies every byte into the page cache on the writing
//! thread, and on a 2-core machine that copy costs about as much CPU as formatting the rows
//! (it was a quarter of all samples when profiling the users table), and the `fsync` before
//! the rename then waits for the whole file to reach the disk. With `O_DIRECT` the device
//! reads our buffer by DMA: the writer only copies rows into a block-aligned buffer, the
//! data is on the device when the last `write` returns, and the `fsync` has little left to
//! do. Measured in README "Speed".
//!
//! `O_DIRECT` wants the buffer address, the length and the file offset aligned to the
//! device's logical block size; [`BLOCK`] (4 KiB) covers every common device. Only whole
//! blocks go out directly; the unaligned tail of the file is written after clearing
//! `O_DIRECT` on the descriptor. Where the file system refuses `O_DIRECT` (at `open`, or
//! with `EINVAL` at a `write`, as some FUSE and network file systems do) the writer falls
//! back to ordinary buffered writes, without losing or repeating a byte.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// Alignment of direct writes: the largest logical block size in common use.
pub const BLOCK: usize = 4096;

/// Bytes gathered before one direct `write` (a multiple of [`BLOCK`]).
pub const DIRECT_BUFFER_BYTES: usize = 2 << 20;

/// Capacity of the buffer of the buffered fallback.
pub const BUFFERED_BYTES: usize = 1 << 20;

/// How an output file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum IoMode {
    /// Direct I/O where the file system takes it, buffered otherwise.
    #[default]
    Direct,
    /// Always through the page cache.
    Buffered,
}

/// A created (truncated) file and how it is being written. `Write` gathers bytes; call
/// [`FileWriter::finish`] to write what is still buffered and get the file back. Dropping
/// it without `finish` loses the buffered bytes (the caller removes the file then).
pub struct FileWriter {
    file: File,
    /// Block-aligned gathering buffer while writing directly; `None` once buffered.
    direct: Option<AlignedBuf>,
    /// Gathering buffer of the buffered mode.
    buffered: Vec<u8>,
}

impl FileWriter {
    /// Creates (or truncates) `path` for writing.
    pub fn create(path: &Path, mode: IoMode) -> io::Result<FileWriter> {
        if mode == IoMode::Direct {
            if let Some(file) = sys::create_direct(path)? {
                return Ok(FileWriter {
                    file,
                    direct: Some(AlignedBuf::new(DIRECT_BUFFER_BYTES)),
                    buffered: Vec::new(),
                });
            }
        }
        Ok(FileWriter::buffered(File::create(path)?))
    }

    fn buffered(file: File) -> FileWriter {
        FileWriter {
            file,
            direct: None,
            buffered: Vec::with_capacity(BUFFERED_BYTES),
        }
    }

    /// Whether bytes still go to the device directly (false after a fallback).
    pub fn is_direct(&self) -> bool {
        self.direct.is_some()
    }

    /// Writes every buffered byte and returns the file (not yet synced).
    pub fn finish(mut self) -> io::Result<File> {
        if let Some(slot) = self.direct.as_mut() {
            // Whole blocks directly, then the unaligned tail through the page cache.
            let buf = std::mem::replace(slot, AlignedBuf::empty());
            let whole = buf.len / BLOCK * BLOCK;
            self.write_direct_blocks(&buf.filled()[..whole])?;
            self.leave_direct()?;
            self.buffered.extend_from_slice(&buf.filled()[whole..]);
        }
        self.flush_buffered()?;
        Ok(self.file)
    }

    /// Writes the direct buffer when full; `data` must be whole blocks.
    fn write_direct_blocks(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() && self.direct.is_some() {
            match (&self.file).write(data) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) if n % BLOCK == 0 => data = &data[n..],
                Ok(n) => {
                    // A short, unaligned write (the device is nearly full): later offsets
                    // would be unaligned, so go on buffered.
                    data = &data[n..];
                    self.leave_direct()?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.raw_os_error() == Some(sys::EINVAL) => {
                    // The file system opened with O_DIRECT but will not write that way.
                    self.leave_direct()?;
                }
                Err(e) => return Err(e),
            }
        }
        if !data.is_empty() {
            (&self.file).write_all(data)?;
        }
        Ok(())
    }

    /// Switches the descriptor to buffered writes; bytes gathered for a direct write are
    /// kept, in order, as the start of the buffered ones.
    fn leave_direct(&mut self) -> io::Result<()> {
        if let Some(buf) = self.direct.take() {
            sys::clear_direct(&self.file)?;
            let mut buffered = Vec::with_capacity(BUFFERED_BYTES.max(buf.len));
            buffered.extend_from_slice(buf.filled());
            self.buffered = buffered;
        }
        Ok(())
    }

    fn flush_buffered(&mut self) -> io::Result<()> {
        if !self.buffered.is_empty() {
            (&self.file).write_all(&self.buffered)?;
            self.buffered.clear();
        }
        Ok(())
    }
}

impl Write for FileWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let Some(buf) = self.direct.as_mut() else {
                if self.buffered.len() + data.len() > BUFFERED_BYTES {
                    self.flush_buffered()?;
                    if data.len() >= BUFFERED_BYTES {
                        return (&self.file).write_all(data);
                    }
                }
                self.buffered.extend_from_slice(data);
                return Ok(());
            };
            let taken = buf.push(data);
            data = &data[taken..];
            if buf.is_full() {
                // Out of its slot while written (the slot keeps an empty marker), so that
                // a fallback inside can switch modes; back in afterwards for reuse.
                let mut full = std::mem::replace(buf, AlignedBuf::empty());
                let result = self.write_direct_blocks(full.filled());
                full.len = 0;
                if let Some(slot) = self.direct.as_mut() {
                    *slot = full;
                }
                result?;
            }
        }
        Ok(())
    }

    /// Buffered bytes stay buffered: direct writes must be whole blocks, so only
    /// [`FileWriter::finish`] writes the tail.
    fn flush(&mut self) -> io::Result<()> {
        if self.direct.is_none() {
            self.flush_buffered()?;
        }
        Ok(())
    }
}

/// A byte buffer whose start is [`BLOCK`]-aligned, in safe code: a larger `Vec` and an
/// aligned window into it.
struct AlignedBuf {
    storage: Vec<u8>,
    start: usize,
    cap: usize,
    len: usize,
}

impl AlignedBuf {
    fn new(cap: usize) -> AlignedBuf {
        debug_assert!(cap % BLOCK == 0);
        let storage = vec![0u8; cap + BLOCK];
        let start = storage.as_ptr().align_offset(BLOCK);
        AlignedBuf {
            storage,
            start,
            cap,
            len: 0,
        }
    }

    fn empty() -> AlignedBuf {
        AlignedBuf {
            storage: Vec::new(),
            start: 0,
            cap: 0,
            len: 0,
        }
    }

    /// Copies as much of `data` as fits; returns how much.
    fn push(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.cap - self.len);
        let at = self.start + self.len;
        self.storage[at..at + n].copy_from_slice(&data[..n]);
        self.len += n;
        n
    }

    fn is_full(&self) -> bool {
        self.len == self.cap
    }

    fn filled(&self) -> &[u8] {
        &self.storage[self.start..self.start + self.len]
    }
}

#[cfg(target_os = "linux")]
mod sys {
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    use std::path::Path;

    pub const EINVAL: i32 = libc::EINVAL;

    /// The file opened with `O_DIRECT`, or `None` where the file system refuses it.
    pub fn create_direct(path: &Path) -> io::Result<Option<File>> {
        match OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_DIRECT)
            .open(path)
        {
            Ok(file) => Ok(Some(file)),
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(None),
            Err(e) => Err(e),
        }
    }

    #[allow(unsafe_code)] // fcntl, the one libc call std does not wrap: see SAFETY below
    pub fn clear_direct(file: &File) -> io::Result<()> {
        let fd = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor we own, with integer arguments only.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_DIRECT) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    pub const EINVAL: i32 = -1;

    pub fn create_direct(_path: &Path) -> io::Result<Option<File>> {
        Ok(None)
    }

    pub fn clear_direct(_file: &File) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random bytes.
    fn bytes(n: usize, salt: u64) -> Vec<u8> {
        let mut x = salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// Writes `pieces` through a FileWriter and returns the file's bytes.
    fn round_trip(mode: IoMode, pieces: &[Vec<u8>]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut w = FileWriter::create(&path, mode).unwrap();
        for p in pieces {
            w.write_all(p).unwrap();
        }
        let file = w.finish().unwrap();
        file.sync_all().unwrap();
        drop(file);
        std::fs::read(&path).unwrap()
    }

    #[test]
    fn every_size_round_trips_byte_for_byte() {
        let sizes = [
            0,
            1,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            DIRECT_BUFFER_BYTES - 1,
            DIRECT_BUFFER_BYTES,
            DIRECT_BUFFER_BYTES + 1,
            2 * DIRECT_BUFFER_BYTES + 12_345,
        ];
        for mode in [IoMode::Direct, IoMode::Buffered] {
            for (i, &n) in sizes.iter().enumerate() {
                let data = bytes(n, i as u64);
                // One piece, and the same bytes cut into uneven pieces.
                let one = round_trip(mode, std::slice::from_ref(&data));
                assert_eq!(one, data, "{mode:?} {n} in one write");
                let pieces: Vec<Vec<u8>> = data.chunks(1_000_003).map(|c| c.to_vec()).collect();
                let many = round_trip(mode, &pieces);
                assert_eq!(many, data, "{mode:?} {n} in pieces");
            }
        }
    }

    #[test]
    fn many_small_writes_round_trip() {
        let pieces: Vec<Vec<u8>> = (0..20_000).map(|i| bytes(i % 300, i as u64)).collect();
        let want: Vec<u8> = pieces.concat();
        let got = round_trip(IoMode::Direct, &pieces);
        assert_eq!(got, want);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn falling_back_mid_file_loses_and_repeats_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut w = FileWriter::create(&path, IoMode::Direct).unwrap();
        if !w.is_direct() {
            eprintln!("note: this file system refuses O_DIRECT; the fallback is what runs");
        }
        let a = bytes(DIRECT_BUFFER_BYTES + 777, 1);
        let b = bytes(3 * BLOCK + 5, 2);
        w.write_all(&a).unwrap();
        // What a refusing file system makes the writer do at a write.
        w.leave_direct().unwrap();
        assert!(!w.is_direct());
        w.write_all(&b).unwrap();
        drop(w.finish().unwrap());
        let got = std::fs::read(&path).unwrap();
        assert_eq!(got.len(), a.len() + b.len());
        assert!(got[..a.len()] == a[..] && got[a.len()..] == b[..]);
    }

    #[test]
    fn direct_io_is_used_where_the_file_system_takes_it() {
        // Whether this folder's file system takes O_DIRECT, asked independently of the writer.
        let dir = tempfile::tempdir().unwrap();
        #[cfg(target_os = "linux")]
        let takes_direct = {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .custom_flags(libc::O_DIRECT)
                .open(dir.path().join("probe"))
                .is_ok()
        };
        #[cfg(not(target_os = "linux"))]
        let takes_direct = false;
        let path = dir.path().join("out.csv");
        let w = FileWriter::create(&path, IoMode::Direct).unwrap();
        assert_eq!(w.is_direct(), takes_direct);
        let w = FileWriter::create(&path, IoMode::Buffered).unwrap();
        assert!(!w.is_direct(), "IoMode::Buffered never writes directly");
    }
}
