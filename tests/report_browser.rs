//! `perfgen report` on the bundled example, rendered by a real browser: headless Chromium
//! (Debian's `chromium`, which `.ci/run` installs) dumps the page's DOM, which must hold one
//! field panel per column of the files, and takes a screenshot, which must not be blank.
//!
//! `#[ignore]`d because it needs Chromium: `.ci/run` runs it with `-- --ignored` after
//! installing it; run by hand, a missing browser fails with a message saying so (never a
//! silent pass). `PERFGEN_CHROMIUM` names another browser binary.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn perfgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perfgen"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The browser: `PERFGEN_CHROMIUM`, else `chromium` on the PATH; a clear failure without.
fn chromium() -> PathBuf {
    let candidate = std::env::var_os("PERFGEN_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromium"));
    let found = Command::new(&candidate).arg("--version").output();
    match found {
        Ok(o) if o.status.success() => candidate,
        _ => panic!(
            "this test needs Chromium: `{}` does not run (install it with \
             `apt-get update && apt-get install -y chromium`, as .ci/run does, or set PERFGEN_CHROMIUM)",
            candidate.display()
        ),
    }
}

/// Chromium headless on `page` with `args` before the URL (as root it needs no sandbox).
fn headless(browser: &Path, args: &[&str], page: &Path) -> Output {
    let url = format!("file://{}", page.display());
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .args(args)
        .arg(&url)
        .output()
        .unwrap();
    assert!(o.status.success(), "chromium failed on {url}: {}", text(&o));
    o
}

/// Columns of every CSV file in `dir` (its header's fields; none is quoted in this example).
fn columns(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    for f in files {
        let body = std::fs::read_to_string(&f).unwrap();
        let header = body.lines().next().unwrap();
        out.extend(header.split(',').map(str::to_string));
    }
    out
}

#[test]
#[ignore = "needs Chromium (.ci/run installs it); with it installed: cargo test -p perfgen --test report_browser -- --ignored"]
fn chromium_renders_one_panel_per_field_and_a_page_that_is_not_blank() {
    let browser = chromium();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = perfgen(&["generate", "--quiet", "--scale", "0.05", "--out", out]);
    assert!(o.status.success(), "{}", text(&o));
    let o = perfgen(&["report", "--quiet", "--scale", "0.05", "--out", out]);
    assert!(o.status.success(), "{}", text(&o));
    let page = dir.path().join("report.html");

    // The DOM as the browser built it: one field panel per column, each field once.
    let dom = String::from_utf8(headless(&browser, &["--dump-dom"], &page).stdout).unwrap();
    let panels: Vec<&str> = dom
        .split("<section class=\"panel field")
        .skip(1)
        .map(|s| {
            let start = s.find("data-field=\"").unwrap() + "data-field=\"".len();
            &s[start..start + s[start..].find('"').unwrap()]
        })
        .collect();
    let cols = columns(dir.path());
    assert_eq!(
        panels.len(),
        cols.len(),
        "panels {panels:?}, columns {cols:?}"
    );
    let distinct: HashSet<&&str> = panels.iter().collect();
    assert_eq!(
        distinct.len(),
        panels.len(),
        "a field has two panels: {panels:?}"
    );
    for c in &cols {
        assert!(
            panels.iter().any(|p| p.ends_with(&format!(".{c}"))),
            "no panel for column `{c}`"
        );
    }
    // Every chart made it into the DOM as inline SVG.
    assert!(dom.matches("<svg").count() >= 10, "few charts in the DOM");

    // The screenshot, kept where CI can pick it up.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("report.png");
    let _ = std::fs::remove_file(&shot);
    headless(
        &browser,
        &[
            "--window-size=1400,4000",
            &format!("--screenshot={}", shot.display()),
        ],
        &page,
    );
    println!("screenshot of the report: {}", shot.display());
    let decoder = png::Decoder::new(std::fs::File::open(&shot).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let px = info.color_type.samples();
    let colours: HashSet<&[u8]> = bytes.chunks(px).map(|p| &p[..3.min(px)]).collect();
    // A blank page is one colour; text, bars and badges give hundreds.
    assert!(
        colours.len() > 50,
        "the screenshot {} has {} colours: blank?",
        shot.display(),
        colours.len()
    );
    // The observed bars' blue is on the page: the charts were drawn, not only the text.
    let blue = bytes
        .chunks(px)
        .filter(|p| px >= 3 && p[2] > 150 && p[0] < 130 && p[1] < 170 && p[1] > 100)
        .count();
    assert!(
        blue > 10_000,
        "only {blue} pixels of the bars' blue in {}",
        shot.display()
    );
}
