//! The parts of a sharded run, checked before anything is loaded: where the header lines are.

use crate::options::LoadError;
use perfgen_dataset::parts::Parts;
use perfgen_runtime::catalog::EntityInfo;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The parts of `path`'s entity with whether each starts with the header line: part 0
/// must (checked while copying), the others all or none of the non-empty ones.
pub(crate) fn part_files(
    info: &EntityInfo,
    parts: Parts,
) -> Result<Vec<(PathBuf, bool)>, LoadError> {
    let mut out = Vec::new();
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for (k, path) in parts.files.into_iter().enumerate() {
        let header = if k == 0 {
            true
        } else {
            let starts = starts_with_header(&path, info)
                .map_err(|e| LoadError::Data(format!("cannot read `{}`: {e}", path.display())))?;
            match starts {
                Some(true) => with.push(k.to_string()),
                Some(false) => without.push(k.to_string()),
                None => {}
            }
            starts == Some(true)
        };
        out.push((path, header));
    }
    if !with.is_empty() && !without.is_empty() {
        return Err(LoadError::Data(format!(
            "entity `{}`: parts {} of `{}` start with the header line, parts {} do not; the header belongs in part 0 only, or in every part (--header-every-part): write all parts with the same options",
            info.name,
            with.join(", "),
            parts.pattern,
            without.join(", ")
        )));
    }
    Ok(out)
}

/// Whether the file starts with `header` (None: the file is empty).
fn starts_with_header(path: &Path, info: &EntityInfo) -> io::Result<Option<bool>> {
    let header = info.header.as_bytes();
    let mut file = perfgen_formats::open_as_csv(path, info)?;
    let mut buf = vec![0u8; header.len()];
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    if filled == 0 {
        return Ok(None);
    }
    Ok(Some(buf[..filled] == *header))
}
