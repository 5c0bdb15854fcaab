//! Plain-text tables for summaries: first column left-aligned, the others right-aligned.

/// Rows per second (`2,500,000`), or `-` for a run too short to time.
pub fn rate(rows: u64, secs: f64) -> String {
    if secs > 0.0 {
        crate::human::thousands((rows as f64 / secs).round() as u64)
    } else {
        "-".to_string()
    }
}

/// Render `lines` (the header first) with columns padded to their widest cell.
pub fn render<R: AsRef<[String]>>(lines: &[R]) -> String {
    let columns = lines.iter().map(|l| l.as_ref().len()).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for line in lines {
        for (w, cell) in widths.iter_mut().zip(line.as_ref()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut s = String::new();
    for line in lines {
        let line = line.as_ref();
        let Some(first) = line.first() else { continue };
        let mut text = format!("{:<w$}", first, w = widths[0]);
        for (cell, w) in line[1..].iter().zip(&widths[1..]) {
            text.push_str(&format!("  {:>w$}", cell, w = *w));
        }
        s.push_str(text.trim_end());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_columns() {
        let t = super::render(&[
            vec!["file".to_string(), "rows".to_string()],
            vec!["a.csv".to_string(), "10000".to_string()],
        ]);
        assert_eq!(t, "file    rows\na.csv  10000\n");
        assert_eq!(super::rate(10, 0.0), "-");
        assert_eq!(super::rate(10, 2.0), "5");
    }
}
