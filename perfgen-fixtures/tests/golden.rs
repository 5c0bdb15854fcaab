//! The golden snapshot of generated code is not only text: it compiles (this crate includes
//! it) and generates data with its promises kept.

mod common;

use common::*;
use perfgen_fixtures::golden::CATALOG;
use std::collections::HashMap;

#[test]
fn golden_generator_runs() {
    let (_dir, t) = generate(&CATALOG, &["--seed", "1"]);
    let a = &t["authors_bulk"];
    let p = &t["posts_bulk"];
    assert_eq!((a.rows.len(), p.rows.len()), (1000, 5000));
    assert_eq!(
        p.header,
        ["id", "author_id", "type", "words", "posted_at", "edited_at"]
    );
    let joined: HashMap<&str, i64> = a
        .rows
        .iter()
        .map(|r| (r[0].as_str(), ts(&r[a.col("joined_at")])))
        .collect();
    for r in &p.rows {
        let j = joined[r[p.col("author_id")].as_str()];
        let (posted, edited) = (ts(&r[p.col("posted_at")]), ts(&r[p.col("edited_at")]));
        assert!(posted >= j && edited >= posted);
    }
    // The seed's "UK, London" country has no strategy: it is a quoted column.
    assert!(a.column("country").contains(&"UK, London"));
}
