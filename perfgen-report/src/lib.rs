//! perfgen-report: `perfgen report` renders a verify run as one self-contained HTML page
//! (`report.html`): per entity its file checks, and per field one panel with the observed
//! distribution drawn against the configured law (inline SVG from plotters, no script, font
//! or image fetched) and that field's checks exactly as `verify` computed them (statistic,
//! p-value, PASS/FAIL/SKIP, the first offending rows).
//!
//! It draws, it never measures: every number comes from [`perfgen_verify::Verdict`] (the
//! checks, and the [`perfgen_verify::Observation`]s verify keeps when
//! [`perfgen_verify::Options::observe`] is set), so the page cannot disagree with `verify`.
//! A crate of its own so that the plotting dependency stays out of verify, which the
//! PostgreSQL loader and the tests use without drawing anything.

mod chart;
mod page;

pub use page::{render, Report};
use std::io;
use std::path::{Path, PathBuf};

/// Writes `report.html` and the README's key plots into `dir` (created when missing), each
/// through a temporary file renamed when complete; returns the page's path.
pub fn write(dir: &Path, report: &Report) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    for (name, svg) in &report.key_plots {
        write_atomic(&dir.join(name), svg.as_bytes())?;
    }
    let path = dir.join(perfgen_dataset::plots::REPORT_FILE);
    write_atomic(&path, report.html.as_bytes())?;
    Ok(path)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-perfgen-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
