//! `perfgen report` on the bundled example, through the compiled binary: every line of
//! `perfgen verify`'s table is on the page with the same check, statistic, p-value and
//! result, in the panel of its field; a damaged copy gives a failing panel with verify's
//! offending rows.

use std::path::Path;
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

fn with_dataset(command: &str, dir: &Path) -> Output {
    perfgen(&[
        command,
        "--quiet",
        "--scale",
        "0.05",
        "--out",
        dir.to_str().unwrap(),
    ])
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// verify's table rows: (entity, check, statistic, value, result).
fn verify_rows(table: &str) -> Vec<[String; 5]> {
    table
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<String> = l
                .split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            assert!(cells.len() >= 5, "{l}");
            [0, 1, 2, 3, 4].map(|i| cells[i].clone())
        })
        .collect()
}

/// The HTML of the panel `entity.field` (or `entity (file)`).
fn panel<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("data-field=\"{}\"", esc(id)))
        .unwrap_or_else(|| panic!("no panel {id}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

#[test]
fn report_shows_verify_numbers_in_each_fields_panel() {
    let dir = tempfile::tempdir().unwrap();
    let o = with_dataset("generate", dir.path());
    assert!(o.status.success(), "{}", text(&o));
    let v = with_dataset("verify", dir.path());
    assert!(v.status.success(), "{}", text(&v));
    let table = String::from_utf8(v.stdout).unwrap();
    let o = with_dataset("report", dir.path());
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("verify PASS"));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let rows = verify_rows(&table);
    assert!(rows.len() > 50, "{table}");
    for [entity, check, statistic, value, result] in &rows {
        let row = format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><span class=\"badge {result}\">{result}</span></td></tr>",
            esc(check),
            esc(statistic),
            esc(value)
        );
        assert!(html.contains(&row), "not on the page: {row}");
        // In its field's panel: the field is the word after the check's kind, when it is one.
        let word = check.split(' ').nth(1).unwrap_or("");
        let id = format!("{entity}.{word}");
        if html.contains(&format!("data-field=\"{}\"", esc(&id))) && !check.starts_with("row ") {
            assert!(panel(&html, &id).contains(&row), "{row} not in panel {id}");
        }
    }
    // The key plots the dataset README embeds are written beside the page.
    for f in ["report-user-age.svg", "report-order-user_id.svg"] {
        let svg = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(svg.starts_with("<svg"), "{f}");
    }
}

#[test]
fn a_damaged_copy_fails_in_its_panel_with_verifys_rows() {
    let dir = tempfile::tempdir().unwrap();
    let o = with_dataset("generate", dir.path());
    assert!(o.status.success(), "{}", text(&o));
    // An age of 200 on line 4 of users_bulk.csv.
    let path = dir.path().join("users_bulk.csv");
    let data = std::fs::read_to_string(&path).unwrap();
    let header: Vec<&str> = data.lines().next().unwrap().split(',').collect();
    let age = header.iter().position(|c| *c == "age").unwrap();
    let mut lines: Vec<String> = data.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    cells[age] = "200".into();
    lines[3] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    forget_run(dir.path());
    let o = with_dataset("report", dir.path());
    // The page is written whatever the checks say; the summary line says FAIL.
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("verify FAIL"));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("id=\"verdict\">FAIL"));
    let p = panel(&html, "User.age");
    assert!(p.contains("data-result=\"FAIL\""), "{p}");
    assert!(
        p.contains("users_bulk.csv:4: `200` is outside [18, 80]"),
        "{p}"
    );
    // Other fields keep passing.
    assert!(panel(&html, "User.email").contains("data-result=\"PASS\""));
}

/// Removes the folder's manifests (`perfgen-manifest*.json`): what follows is about what
/// verify finds in the bytes, which a manifest's size and checksum would report first.
fn forget_run(dir: &std::path::Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("perfgen-manifest") && name.ends_with(".json") {
            std::fs::remove_file(&path).unwrap();
        }
    }
}
