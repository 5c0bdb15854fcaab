//! The emitted code compiled and run: every case below is emitted into one small program
//! (a scratch crate depending on perfgen-runtime, built offline into its own folder under
//! the target directory, so later runs only recompile the program), run over a few rows,
//! and each printed value compared with the same value computed here independently (chrono
//! for calendars, integer cents for decimals, the cell's RNG drawn in the documented order).

use super::tests::checked;
use super::{emit, rust_type, EmitContext};
use chrono::{Datelike, NaiveDate, TimeDelta};
use perfgen_runtime::rng::CellRng;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One row of the fields [`super::tests::TestScope::tpch`] declares, plus the row index.
#[derive(Clone, Copy)]
struct Row {
    index: u64,
    quantity: i64,
    /// In cents, so expected values are computed without floating point.
    price_cents: i64,
    /// In hundredths.
    discount: i64,
    tax: i64,
    nationkey: i64,
    custkey: i64,
    receiptdate: NaiveDate,
    shipdate: NaiveDate,
    due: NaiveDate,
    returned: Option<NaiveDate>,
    name: &'static str,
    note: Option<&'static str>,
    maybe: Option<i64>,
    created: i64,
    flag: bool,
    order_date: NaiveDate,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn days(d: NaiveDate) -> i32 {
    (d - ymd(1970, 1, 1)).num_days() as i32
}

fn rows() -> Vec<Row> {
    let templates = [
        Row {
            index: 0,
            quantity: 7,
            price_cents: 1999,
            discount: 5,
            tax: 8,
            nationkey: 3,
            custkey: 42,
            receiptdate: ymd(1995, 6, 17),
            shipdate: ymd(2024, 2, 28),
            due: ymd(2024, 3, 1),
            returned: Some(ymd(2024, 3, 20)),
            name: "alice",
            note: None,
            maybe: None,
            created: 803_431_800, // 1995-06-17T23:30:00Z
            flag: true,
            order_date: ymd(1992, 1, 1),
        },
        Row {
            index: 0,
            quantity: 50,
            price_cents: 10_495_000,
            discount: 10,
            tax: 0,
            nationkey: 24,
            custkey: i64::MAX,
            receiptdate: ymd(1995, 6, 18),
            shipdate: ymd(2023, 2, 28),
            due: ymd(1999, 12, 31),
            returned: None,
            name: "Émile",
            note: Some("n"),
            maybe: Some(5),
            created: 1_705_320_000, // 2024-01-15T12:00:00Z
            flag: false,
            order_date: ymd(1998, 8, 2),
        },
        Row {
            index: 0,
            quantity: 1,
            price_cents: 90_001,
            discount: 0,
            tax: 4,
            nationkey: 0,
            custkey: -12,
            receiptdate: ymd(1970, 1, 1),
            shipdate: ymd(1969, 12, 31),
            due: ymd(2000, 2, 28),
            returned: Some(ymd(2000, 3, 1)),
            name: "",
            note: Some(""),
            maybe: Some(-3),
            created: -1,
            flag: true,
            order_date: ymd(9999, 12, 1),
        },
    ];
    // Each template at several row indices, so index arithmetic and draws vary.
    let mut out = Vec::new();
    for i in 0..12u64 {
        let t = &templates[(i % 3) as usize];
        out.push(Row {
            index: i * 7 + i / 3,
            ..*t
        });
    }
    out
}

/// The row as a Rust struct literal of the generated program's `Row`.
fn row_source(r: &Row) -> String {
    format!(
        "Row {{ index: {}u64, quantity: {}i64, price: {:?}f64, discount: {:?}f64, tax: {:?}f64, \
         nationkey: {}i64, custkey: {}i64, receiptdate: {}i32, shipdate: {}i32, due: {}i32, \
         returned: {:?}, name: {:?}, note: {:?}, maybe: {:?}, \
         created: ::perfgen_runtime::Timestamp({}i64), flag: {}, \
         id: ::perfgen_runtime::Uuid::from_u128({}u128), order_o_orderdate: {}i32 }}",
        r.index,
        r.quantity,
        r.price_cents as f64 / 100.0,
        r.discount as f64 / 100.0,
        r.tax as f64 / 100.0,
        r.nationkey,
        r.custkey,
        days(r.receiptdate),
        days(r.shipdate),
        days(r.due),
        r.returned.map(days),
        r.name,
        r.note,
        r.maybe,
        r.created,
        r.flag,
        r.index,
        days(r.order_date),
    )
}

const ROW_STRUCT: &str = "struct Row { index: u64, quantity: i64, price: f64, discount: f64, \
    tax: f64, nationkey: i64, custkey: i64, receiptdate: i32, shipdate: i32, due: i32, \
    returned: Option<i32>, name: &'static str, note: Option<&'static str>, maybe: Option<i64>, \
    created: ::perfgen_runtime::Timestamp, flag: bool, id: ::perfgen_runtime::Uuid, \
    order_o_orderdate: i32 }";

/// What the generated function returns, printed with `{:?}`.
fn ok<T: Debug>(v: T) -> String {
    format!("{:?}", Ok::<T, &str>(v))
}

fn err(e: &str) -> String {
    format!("{:?}", Err::<(), &str>(e))
}

/// A date result: the day count, or the out-of-range error of `text`.
fn date_or_err(d: Option<NaiveDate>, text: &str) -> String {
    match d.filter(|d| d.year() <= 9999) {
        Some(d) => ok(days(d)),
        None => err(&format!("date outside years 0001 to 9999 in `{text}`")),
    }
}

/// Round half away from zero: `n / d` for integers.
fn div_round(n: i64, d: i64) -> i64 {
    let q = (n.abs() + d / 2) / d;
    if n < 0 {
        -q
    } else {
        q
    }
}

type Expected = Box<dyn Fn(&Row, &mut CellRng) -> String>;

fn cases() -> Vec<(&'static str, Expected)> {
    let cents = |c: i64| c as f64 / 100.0;
    vec![
        // TPC-H's sparse order keys: the first 8 of every 32.
        (
            "((index + 1) / 8) * 32 + (index + 1) % 8",
            Box::new(|r, _| {
                let i = r.index as i64 + 1;
                ok(i / 8 * 32 + i % 8)
            }),
        ),
        (
            "(nationkey + 10) || '-' || uniform(100, 999) || '-' || uniform(100, 999) || '-' || uniform(1000, 9999)",
            Box::new(|r, rng| {
                let a = rng.range_i64(100, 999);
                let b = rng.range_i64(100, 999);
                let c = rng.range_i64(1000, 9999);
                ok(format!("{}-{a}-{b}-{c}", r.nationkey + 10))
            }),
        ),
        (
            "if receiptdate <= date '1995-06-17' then 'R' else 'N'",
            Box::new(|r, _| ok(if r.receiptdate <= ymd(1995, 6, 17) { "R" } else { "N" })),
        ),
        (
            "quantity * price",
            Box::new(move |r, _| ok(cents(r.quantity * r.price_cents))),
        ),
        (
            "round(price * (1 - discount) * (1 + tax), 2)",
            Box::new(move |r, _| {
                let micro = r.price_cents * (100 - r.discount) * (100 + r.tax);
                ok(cents(div_round(micro, 10_000)))
            }),
        ),
        // TPC-H's order total per line: cents truncated twice (computed on mantissas).
        (
            "trunc(trunc(price * (1 - discount), 2) * (1 + tax), 2)",
            Box::new(move |r, _| {
                let net = r.price_cents * (100 - r.discount) / 100;
                ok(cents(net * (100 + r.tax) / 100))
            }),
        ),
        // Negative values cut toward zero, and rounded half away from zero.
        (
            "trunc(-price * 1.5, 1) + round(-price / 3 * 0.5, 1)",
            Box::new(move |r, _| {
                let tenths = -r.price_cents * 15 / 100;
                // -price / 3 has price's places + 4 (at least 6): thirds of a cent cut there.
                let third = div_round(-r.price_cents * 10_000, 3); // 6 places
                let half = div_round(third * 5, 1_000_000); // 7 places rounded to 1
                ok((tenths + half) as f64 / 10.0)
            }),
        ),
        // A fine of 0.25 a day for a late return. `returned` is nullable, so the `then`
        // branch is, and so is the result (as in SQL), although it is never null here.
        (
            "if returned > due then days_between(due, returned) * 0.25 else 0.00",
            Box::new(move |r, _| match r.returned {
                Some(ret) if ret > r.due => ok(Some(cents((ret - r.due).num_days() * 25))),
                _ => ok(Some(0.0f64)),
            }),
        ),
        (
            "max(coalesce(returned, due) - due, 0) * 0.25",
            Box::new(move |r, _| {
                let late = r.returned.map_or(0, |ret| (ret - r.due).num_days().max(0));
                ok(cents(late * 25))
            }),
        ),
        (
            "returned - due",
            Box::new(|r, _| ok(r.returned.map(|ret| (ret - r.due).num_days()))),
        ),
        (
            "shipdate + 1d",
            Box::new(|r, _| ok(days(r.shipdate + TimeDelta::days(1)))),
        ),
        (
            "shipdate + 2w - 13",
            Box::new(|r, _| ok(days(r.shipdate + TimeDelta::days(1)))),
        ),
        (
            "days_between(date '1999-12-31', date '2000-03-01') + days_between(shipdate, due)",
            Box::new(|r, _| ok(61 + (r.due - r.shipdate).num_days())),
        ),
        (
            "order.o_orderdate + uniform(1, 121)",
            Box::new(|r, rng| {
                let n = rng.range_i64(1, 121);
                date_or_err(
                    r.order_date.checked_add_signed(TimeDelta::days(n)),
                    "(order.o_orderdate + uniform(1, 121))",
                )
            }),
        ),
        (
            "uniform(date '1992-01-01', date '1998-08-02')",
            Box::new(|_, rng| {
                ok(rng.range_i64(days(ymd(1992, 1, 1)).into(), days(ymd(1998, 8, 2)).into()) as i32)
            }),
        ),
        (
            "uniform(-999.99, 9999.99)",
            Box::new(move |_, rng| ok(cents(rng.range_i64(-99_999, 999_999)))),
        ),
        (
            "bernoulli(0.25)",
            Box::new(|_, rng| ok(rng.next_f64() < 0.25)),
        ),
        (
            "(-7 / 2) || ' ' || (-7 % 2) || ' ' || (7 % -2) || ' ' || (-7 / -2) || ' ' || (-quantity % 3)",
            Box::new(|r, _| ok(format!("-3 -1 1 3 {}", -r.quantity % 3))),
        ),
        (
            "quantity / (nationkey - 3)",
            Box::new(|r, _| match r.nationkey - 3 {
                0 => err("division by zero or overflow in `(quantity / (nationkey - 3))`"),
                d => ok(r.quantity / d),
            }),
        ),
        (
            "custkey + 1",
            Box::new(|r, _| match r.custkey.checked_add(1) {
                Some(v) => ok(v),
                None => err("integer overflow in `(custkey + 1)`"),
            }),
        ),
        (
            "'Customer#' || lpad(custkey, 9, '0')",
            Box::new(|r, _| {
                let digits = if r.custkey < 0 {
                    format!("-{:08}", -r.custkey)
                } else {
                    format!("{:09}", r.custkey)
                };
                ok(format!("Customer#{digits}"))
            }),
        ),
        (
            "upper(name) || '-' || lower(name) || length(name) || substr(name, 2, 3)",
            Box::new(|r, _| {
                let sub: String = r.name.chars().skip(1).take(3).collect();
                ok(format!(
                    "{}-{}{}{sub}",
                    r.name.to_uppercase(),
                    r.name.to_lowercase(),
                    r.name.chars().count()
                ))
            }),
        ),
        (
            "text(flag) || ' ' || text(price) || ' ' || text(shipdate) || ' ' || text(created + 12h)",
            Box::new(move |r, _| {
                let t = chrono::DateTime::from_timestamp(r.created + 43_200, 0).unwrap();
                ok(format!(
                    "{} {:.2} {} {}",
                    r.flag,
                    cents(r.price_cents),
                    r.shipdate.format("%Y-%m-%d"),
                    t.format("%Y-%m-%dT%H:%M:%SZ")
                ))
            }),
        ),
        (
            "date(created) - date '1970-01-01' + (timestamp(shipdate) - created)",
            Box::new(|r, _| {
                let d = r.created.div_euclid(86_400);
                ok(d + (i64::from(days(r.shipdate)) * 86_400 - r.created))
            }),
        ),
        (
            "case when quantity < 5 then 'low' when quantity < 10 then 'mid' else 'high' end",
            Box::new(|r, _| {
                ok(match r.quantity {
                    q if q < 5 => "low",
                    q if q < 10 => "mid",
                    _ => "high",
                })
            }),
        ),
        (
            "max(price, quantity, 1000) + min(round(price), floor(price), ceil(-price))",
            Box::new(move |r, _| {
                let p = cents(r.price_cents);
                let m = p.max(r.quantity as f64).max(1000.0);
                let n = [div_round(r.price_cents, 100), r.price_cents.div_euclid(100), -r.price_cents / 100]
                    .into_iter()
                    .min()
                    .unwrap();
                ok(cents(((m * 100.0).round() as i64) + n * 100))
            }),
        ),
        ("min(name, 'b')", Box::new(|r, _| ok(r.name.min("b").to_string()))),
        // NULL propagation and three-valued logic.
        ("maybe + 1", Box::new(|r, _| ok(r.maybe.map(|m| m + 1)))),
        ("null + quantity", Box::new(|_, _| ok(None::<i64>))),
        ("coalesce(maybe, 0)", Box::new(|r, _| ok(r.maybe.unwrap_or(0)))),
        ("maybe = 5", Box::new(|r, _| ok(r.maybe.map(|m| m == 5)))),
        (
            "maybe > 1 and flag",
            Box::new(|r, _| {
                ok(match r.maybe.map(|m| m > 1) {
                    Some(b) => Some(b && r.flag),
                    None if !r.flag => Some(false),
                    None => None,
                })
            }),
        ),
        (
            "maybe > 1 or flag",
            Box::new(|r, _| {
                ok(match r.maybe.map(|m| m > 1) {
                    Some(b) => Some(b || r.flag),
                    None if r.flag => Some(true),
                    None => None,
                })
            }),
        ),
        (
            "if maybe > 1 then 'big' else 'small'",
            Box::new(|r, _| ok(if r.maybe.is_some_and(|m| m > 1) { "big" } else { "small" })),
        ),
        (
            "case when maybe > 1 then name end",
            Box::new(|r, _| ok(r.maybe.filter(|m| *m > 1).map(|_| r.name.to_string()))),
        ),
        (
            "min(quantity, maybe)",
            Box::new(|r, _| ok(r.maybe.map(|m| m.min(r.quantity)))),
        ),
        ("note || '!'", Box::new(|r, _| ok(r.note.map(|n| format!("{n}!"))))),
        (
            "coalesce(note, name)",
            Box::new(|r, _| ok(r.note.unwrap_or(r.name).to_string())),
        ),
        ("null = null", Box::new(|_, _| ok(None::<bool>))),
        ("maybe is null", Box::new(|r, _| ok(r.maybe.is_none()))),
        (
            "note is not null and maybe + 1 IS NULL",
            Box::new(|r, _| ok(r.note.is_some() && r.maybe.is_none())),
        ),
        ("null is null", Box::new(|_, _| ok(true))),
        ("quantity is null", Box::new(|_, _| ok(false))),
        ("coalesce(null, 'a')", Box::new(|_, _| ok("a"))),
        (
            "coalesce(null, note, 'x')",
            Box::new(|r, _| ok(r.note.unwrap_or("x").to_string())),
        ),
        (
            "uniform(1, 6) || uniform(nationkey, custkey)",
            Box::new(|r, rng| {
                let die = rng.range_i64(1, 6);
                if r.nationkey <= r.custkey {
                    ok(format!("{die}{}", rng.range_i64(r.nationkey, r.custkey)))
                } else {
                    err("empty range in `uniform(nationkey, custkey)`")
                }
            }),
        ),
        ("id = id", Box::new(|_, _| ok(true))),
    ]
}

/// The generated program: one function per case, and a `main` printing `case\trow\tvalue`.
fn program(cases: &[(&'static str, Expected)], rows: &[Row]) -> String {
    let rt = quote::quote!(::perfgen_runtime);
    let name = |path: &[String]| {
        let field = quote::format_ident!("{}", path.join("_"));
        quote::quote!(row.#field)
    };
    let fail = |msg: &str| quote::quote!(return ::core::result::Result::Err(#msg));
    let cx = EmitContext {
        runtime: rt.clone(),
        rng: quote::quote!(&mut *rng),
        index: quote::quote!(row.index),
        scale: quote::quote!(1.0f64),
        name: &name,
        fail: &fail,
        children: None,
    };
    let mut src = format!("{ROW_STRUCT}\n");
    let mut calls = String::new();
    for (i, (text, _)) in cases.iter().enumerate() {
        let t = checked(text);
        let body = emit(&t, &cx);
        let ty = rust_type(&t, &rt);
        src.push_str(&format!(
            "fn case_{i}(row: &Row, rng: &mut ::perfgen_runtime::rng::CellRng) -> Result<{ty}, &'static str> {{ Ok({body}) }}\n"
        ));
        calls.push_str(&format!(
            "let mut rng = ::perfgen_runtime::rng::CellRng::new(1, 2, 3, row.index); println!(\"{i}\\t{{r}}\\t{{:?}}\", case_{i}(row, &mut rng));\n"
        ));
    }
    let rows: Vec<String> = rows.iter().map(row_source).collect();
    src.push_str(&format!(
        "fn main() {{ let rows = [{}]; for (r, row) in rows.iter().enumerate() {{ {calls} }} }}\n",
        rows.join(",\n")
    ));
    src
}

/// Build and run `src` in a scratch crate; its stdout.
fn run(src: &str) -> String {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let runtime = workspace.join("perfgen-runtime");
    // target/debug/deps/<test binary>: the target directory is three levels up.
    let exe = std::env::current_exe().unwrap();
    let target: PathBuf = exe.ancestors().nth(3).unwrap().join("expr-run");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!(
            "[package]\nname = \"expr-run\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nperfgen-runtime = {{ path = {:?}, default-features = false }}\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), src).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["run", "--offline", "--quiet"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the generated program failed:\n{}\n{src}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn emitted_expressions_compute_what_they_say() {
    let cases = cases();
    let rows = rows();
    let stdout = run(&program(&cases, &rows));
    let mut got = BTreeMap::new();
    for line in stdout.lines() {
        let mut parts = line.splitn(3, '\t');
        let case: usize = parts.next().unwrap().parse().unwrap();
        let row: usize = parts.next().unwrap().parse().unwrap();
        got.insert((case, row), parts.next().unwrap().to_string());
    }
    assert_eq!(got.len(), cases.len() * rows.len(), "{stdout}");
    let mut failures = Vec::new();
    for (c, (text, expected)) in cases.iter().enumerate() {
        for (r, row) in rows.iter().enumerate() {
            let mut rng = CellRng::new(1, 2, 3, row.index);
            let want = expected(row, &mut rng);
            if got[&(c, r)] != want {
                failures.push(format!(
                    "`{text}` on row {r}: got {}, want {want}",
                    got[&(c, r)]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
