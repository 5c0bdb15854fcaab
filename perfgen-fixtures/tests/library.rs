//! The lending-library example (`examples/library/configs`): authors, books, members and
//! loans, each law checked from the CSV text alone: keys, ISBNs, foreign keys that exist in
//! their parents, a date-only due date 21 days after borrowing, a nullable return date with
//! its NULL share, a fine computed from the two dates (NULL while the book is out), boolean
//! shares; then `perfgen verify` passes.

mod common;

use perfgen_fixtures::library::CATALOG;
use std::collections::HashSet;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn day(s: &str) -> i64 {
    assert_eq!(s.len(), 10, "not a date: {s}");
    let (y, m, d): (i64, i64, i64) = (
        s[..4].parse().unwrap(),
        s[5..7].parse().unwrap(),
        s[8..10].parse().unwrap(),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// A share of `n` rows is within 5 standard deviations of `p` (fails a correct generator
/// about once in 3.5 million runs).
fn assert_share(what: &str, hits: usize, n: usize, p: f64) {
    let sd = (p * (1.0 - p) / n as f64).sqrt();
    let share = hits as f64 / n as f64;
    assert!((share - p).abs() < 5.0 * sd, "{what}: {share} vs {p}");
}

#[test]
fn the_library_keeps_its_laws() {
    let (dir, t) = common::generate(&CATALOG, &["--seed", "21", "--scale", "0.2"]);
    let (authors, books, members, loans) = (&t["authors"], &t["books"], &t["members"], &t["loans"]);
    assert_eq!(
        (
            authors.rows.len(),
            books.rows.len(),
            members.rows.len(),
            loans.rows.len()
        ),
        (400, 4000, 1000, 10000)
    );
    let ids = |table: &common::Table| -> HashSet<String> {
        table.column("id").into_iter().map(str::to_string).collect()
    };
    let (author_ids, book_ids, member_ids) = (ids(authors), ids(books), ids(members));
    for (i, id) in loans.column("id").iter().enumerate() {
        assert_eq!(*id, (i + 1).to_string());
    }

    // ISBN-shaped, unique, the row's number zero-padded to 10 digits after 978-.
    for (i, isbn) in books.column("isbn").iter().enumerate() {
        assert_eq!(*isbn, format!("978-{:010}", i + 1));
    }
    for a in books.column("author_id") {
        assert!(author_ids.contains(a), "book of unknown author {a}");
    }
    let in_print = books.column("in_print");
    assert!(in_print.iter().all(|v| *v == "true" || *v == "false"));
    assert_share(
        "in_print",
        in_print.iter().filter(|v| **v == "true").count(),
        4000,
        0.8,
    );
    for c in members.column("card") {
        let b = c.as_bytes();
        assert!(b.len() == 9 && b[..2].iter().all(u8::is_ascii_uppercase) && b[2] == b'-');
        assert!(b[3..].iter().all(u8::is_ascii_digit), "{c}");
    }

    // Loans: parents exist, due date = borrowed + 21 days, returned 1..40 days after
    // borrowing or NULL (25%), fine = 0.25 a day late, NULL exactly while not returned.
    let (mut out, mut late) = (0, 0);
    for r in &loans.rows {
        let cell = |name: &str| r[loans.col(name)].as_str();
        assert!(book_ids.contains(cell("book_id")));
        assert!(member_ids.contains(cell("member_id")));
        let borrowed = day(cell("borrowed_on"));
        assert!((day("2024-01-01")..=day("2024-12-31")).contains(&borrowed));
        let due = day(cell("due_date"));
        assert_eq!(due, borrowed + 21);
        match (cell("returned_on"), cell("fine")) {
            ("", "") => out += 1,
            ("", fine) => panic!("fine {fine} for a book not returned"),
            (returned, fine) => {
                let returned = day(returned);
                assert!((borrowed + 1..=borrowed + 40).contains(&returned));
                let cents = (returned - due).max(0) * 25;
                assert_eq!(fine, format!("{}.{:02}", cents / 100, cents % 100));
                late += usize::from(cents > 0);
            }
        }
    }
    assert_share("books not returned", out, 10000, 0.25);
    // Returned 1..40 days after borrowing, uniformly: 19 of the 40 days are late.
    assert_share("late returns", late, 10000 - out, 19.0 / 40.0);

    let out_dir = dir.path().to_str().unwrap();
    let (mut so, mut se) = (Vec::new(), Vec::new());
    let argv = [
        "perfgen", "verify", "--quiet", "--out", out_dir, "--scale", "0.2",
    ];
    let code = perfgen_cli::run(&CATALOG, argv.iter().map(|s| s.into()), &mut so, &mut se);
    assert_eq!(
        code,
        0,
        "{}{}",
        String::from_utf8_lossy(&so),
        String::from_utf8_lossy(&se)
    );
}
