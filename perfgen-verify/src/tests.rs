use crate::compare::{compare, eval_rule, CellValue, QuickRule, Rhs, RowView};
use crate::template::{map_case, push_case, Quick, TemplateMatcher};
use crate::value::text_key;
use crate::windows::{normal_window, time_window};
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{
    Case, CmpOp, Comparison, Enforcement, NumberFormat, NumberSource, Operand, Rule, TemplatePiece,
    TimeSpec,
};
use std::collections::HashMap;

#[test]
fn comparisons() {
    assert_eq!(
        compare(CellValue::Int(18), "18", CmpOp::Ge, Rhs::Num(18.0)),
        Some(true)
    );
    assert_eq!(
        compare(CellValue::Int(18), "18", CmpOp::Gt, Rhs::Num(18.0)),
        Some(false)
    );
    assert_eq!(
        compare(CellValue::Dec(0.5), "0.500", CmpOp::Ne, Rhs::Num(0.5)),
        Some(false)
    );
    assert_eq!(
        compare(CellValue::Time(5), "", CmpOp::Le, Rhs::Time(5)),
        Some(true)
    );
    assert_eq!(
        compare(CellValue::Text, "lost", CmpOp::Ne, Rhs::Text("lost")),
        Some(false)
    );
    assert_eq!(
        compare(CellValue::Text, "abc", CmpOp::Ne, Rhs::Num(3.0)),
        Some(true)
    );
    assert_eq!(
        compare(CellValue::Text, "abc", CmpOp::Ge, Rhs::Num(3.0)),
        Some(false)
    );
    assert_eq!(
        compare(CellValue::Text, "4", CmpOp::Ge, Rhs::Num(3.0)),
        Some(true)
    );
    assert_eq!(
        compare(CellValue::Time(5), "", CmpOp::Le, Rhs::Unknown),
        None
    );
    let k = text_key(b"x");
    assert_eq!(
        compare(CellValue::Text, "x", CmpOp::Eq, Rhs::TextKey(k)),
        Some(true)
    );
    assert_eq!(
        compare(CellValue::Text, "x", CmpOp::Lt, Rhs::TextKey(k)),
        None
    );
}

#[test]
fn templates_parse_and_count_choices() {
    let fields: [perfgen_runtime::catalog::FieldInfo; 0] = [];
    let pieces = [
        TemplatePiece::Literal("a."),
        TemplatePiece::Index,
        TemplatePiece::Literal("@"),
        TemplatePiece::Choice(&["Ex.com", "ex.com", "test.org"]),
    ];
    let t = TemplateMatcher::new(&pieces, Case::Lower, &fields);
    assert_eq!(t.weights, vec![vec![2.0, 1.0]]);
    let fixed = ["a.", "7", "@", ""];
    let mut picks = [9];
    assert_eq!(t.parses("a.7@ex.com", &fixed, &mut picks), 1);
    assert_eq!(picks, [0]);
    assert_eq!(t.parses("a.7@test.org", &fixed, &mut picks), 1);
    assert_eq!(picks, [1]);
    assert_eq!(t.parses("a.8@test.org", &fixed, &mut picks), 0);
    assert_eq!(t.parses("a.7@test.orgx", &fixed, &mut picks), 0);
    // Two choices that can split the same text two ways.
    let pieces = [
        TemplatePiece::Choice(&["a", "ab"]),
        TemplatePiece::Choice(&["bc", "c"]),
    ];
    let t = TemplateMatcher::new(&pieces, Case::Preserve, &fields);
    let fixed = ["", ""];
    let mut picks = [0, 0];
    assert_eq!(t.parses("abc", &fixed, &mut picks), 2);
    assert_eq!(map_case("Zoë O'Brien", Case::Lower), "zoë o'brien");
    assert_eq!(map_case("Zoë", Case::Upper), "ZOË");
    // Appending in place gives the same text.
    for s in ["Zoë O'Brien", "alice", "BOB", "", "ǅemal İz"] {
        for case in [Case::Lower, Case::Upper, Case::Preserve] {
            let mut out = String::from("x");
            push_case(&mut out, s, case);
            assert_eq!(out, format!("x{}", map_case(s, case)), "{s} {case:?}");
        }
    }
}

/// The row's pieces as the general match takes them, built here on their own: literals and
/// fields in the template's case, the index, formatted numbers; "" for a choice.
fn reference_pieces(
    pieces: &[TemplatePiece],
    case: Case,
    row: u64,
    vals: &[CellValue],
    texts: &[&str],
) -> Option<Vec<String>> {
    pieces
        .iter()
        .map(|p| match *p {
            TemplatePiece::Literal(s) => Some(map_case(s, case).into_owned()),
            TemplatePiece::Field(j) => match vals[j] {
                CellValue::Missing => None,
                _ => Some(map_case(texts[j], case).into_owned()),
            },
            TemplatePiece::Index => Some(row.to_string()),
            TemplatePiece::Formatted(nf) => {
                let source = match nf.source {
                    NumberSource::Index => row as i64,
                    NumberSource::Field(j) => match vals[j] {
                        CellValue::Int(v) => v,
                        _ => return None,
                    },
                };
                Some(crate::template::formatted_text(&nf, source).unwrap_or_default())
            }
            TemplatePiece::Choice(_) => Some(String::new()),
        })
        .collect()
}

#[test]
fn quick_template_match_agrees_with_the_general_one() {
    let fields: [perfgen_runtime::catalog::FieldInfo; 0] = [];
    let padded = NumberFormat {
        source: NumberSource::Index,
        offset: 1,
        width: 9,
        zero_pad: true,
    };
    let spaced = NumberFormat {
        source: NumberSource::Field(2),
        offset: -3,
        width: 4,
        zero_pad: false,
    };
    let domains: &[&str] = &["example.com", "Test.org", "test.org", "demo.net"];
    let templates: Vec<Vec<TemplatePiece>> = vec![
        vec![
            TemplatePiece::Field(0),
            TemplatePiece::Literal("."),
            TemplatePiece::Field(1),
            TemplatePiece::Index,
            TemplatePiece::Literal("@"),
            TemplatePiece::Choice(domains),
        ],
        vec![
            TemplatePiece::Literal("Customer#"),
            TemplatePiece::Formatted(padded),
        ],
        vec![
            TemplatePiece::Field(1),
            TemplatePiece::Literal("-"),
            TemplatePiece::Formatted(spaced),
        ],
        // A choice before the end: never decided quickly.
        vec![TemplatePiece::Choice(&["a", "ab"]), TemplatePiece::Field(0)],
        vec![TemplatePiece::Field(0)],
    ];
    let rows: Vec<(Vec<CellValue>, Vec<&str>)> = vec![
        (
            vec![CellValue::Text, CellValue::Text, CellValue::Int(42)],
            vec!["Alice", "O'Brien", "42"],
        ),
        (
            vec![CellValue::Text, CellValue::Text, CellValue::Int(-7)],
            vec!["Zoë", "Ünal", "-7"],
        ),
        // The Kelvin sign lowercases to an ASCII k.
        (
            vec![CellValue::Text, CellValue::Text, CellValue::Int(0)],
            vec!["\u{212A}elvin", "bob", "0"],
        ),
        (
            vec![CellValue::Missing, CellValue::Text, CellValue::Bad],
            vec!["", "x", "x"],
        ),
    ];
    let (mut decided, mut skipped) = (0, 0);
    for pieces in &templates {
        for case in [Case::Lower, Case::Upper, Case::Preserve] {
            let t = TemplateMatcher::new(pieces, case, &fields);
            for (vals, texts) in &rows {
                for row in [0u64, 7, 123_456_789] {
                    let fixed = reference_pieces(pieces, case, row, vals, texts);
                    // Candidates: what the template writes with each choice, then each of
                    // those damaged (a byte changed, cut short, lengthened, case-flipped).
                    let mut values = Vec::new();
                    let base = fixed.clone().unwrap_or_default().concat();
                    for d in domains.iter().chain(&["a", "ab", ""]) {
                        values.push(format!("{base}{}", map_case(d, case)));
                        values.push(format!("{}{base}", map_case(d, case)));
                    }
                    for v in values.clone() {
                        for i in 0..v.len() {
                            let mut b = v.clone().into_bytes();
                            b[i] ^= 0x01;
                            if let Ok(s) = String::from_utf8(b) {
                                values.push(s);
                            }
                        }
                        values.push(format!("{v}x"));
                        values.push(v.to_uppercase());
                        values.push(v.to_lowercase());
                        if let Some((cut, _)) = v.char_indices().last() {
                            values.push(v[..cut].to_string());
                        }
                    }
                    for v in &values {
                        let mut scratch = String::new();
                        let mut quick_picks = vec![usize::MAX; t.weights.len()];
                        let quick =
                            t.quick_match(v, row, vals, texts, &mut scratch, &mut quick_picks);
                        // A field it reads is missing: the general match skips the row, so
                        // the quick one may skip it or leave it to that, never decide it.
                        let Some(fixed) = &fixed else {
                            assert_ne!(quick, Quick::One, "{v:?} {case:?} {pieces:?}");
                            skipped += (quick == Quick::Skip) as usize;
                            continue;
                        };
                        let fixed: Vec<&str> = fixed.iter().map(String::as_str).collect();
                        let mut picks = vec![usize::MAX; t.weights.len()];
                        let ways = t.parses(v, &fixed, &mut picks);
                        match quick {
                            Quick::One => {
                                assert_eq!(ways, 1, "{v:?} {case:?} {pieces:?}");
                                assert_eq!(quick_picks, picks, "{v:?}");
                                decided += 1;
                            }
                            Quick::Skip => panic!("skipped {v:?} with every field present"),
                            Quick::Unsure => {
                                // Undecided only where the quick reading cannot decide.
                                assert!(
                                    ways != 1 || !t.straight,
                                    "{v:?} {case:?} {pieces:?}: one way, not found quickly"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(decided > 100, "only {decided} values decided quickly");
    assert!(skipped > 0, "no row with a missing field skipped quickly");
}

/// A catalog of no entities and an entity of no fields, for a row view in the tests.
fn empty_catalog() -> (Catalog, EntityInfo) {
    let catalog = Catalog {
        config_dir: "x",
        entities: &[],
        default_seed: None,
        config_digest: "0123456789abcdef",
    };
    let info = EntityInfo {
        name: "E",
        output_file: "e.csv",
        target_count: 0,
        batch_size: 0,
        parents: &[],
        fan_out: None,
        unique_together: &[],
        fields: &[],
        generated_at: None,
        uses_now: false,
        header: "\n",
        write_rows: |_, _, _, _| Ok(0),
        write_columns: None,
    };
    (catalog, info)
}

#[test]
fn quick_rules_decide_as_the_general_evaluation() {
    let (catalog, info) = empty_catalog();
    let cmp = |op, rhs, shift| Comparison { op, rhs, shift };
    let rule = |groups: Vec<Vec<Comparison>>| Rule {
        text: "r",
        any_of: Box::leak(
            groups
                .into_iter()
                .map(|g| &*Box::leak(g.into_boxed_slice()))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        enforcement: Enforcement::Filtered,
    };
    let ops = [
        CmpOp::Ge,
        CmpOp::Gt,
        CmpOp::Le,
        CmpOp::Lt,
        CmpOp::Eq,
        CmpOp::Ne,
    ];
    let mut rules = Vec::new();
    for op in ops {
        rules.push(rule(vec![vec![
            cmp(CmpOp::Ge, Operand::Number(18.0), 0.0),
            cmp(op, Operand::Number(80.0), 0.0),
        ]]));
        rules.push(rule(vec![vec![cmp(op, Operand::Field(0), 0.0)]]));
        rules.push(rule(vec![vec![cmp(op, Operand::Field(1), 86_400.0)]]));
        rules.push(rule(vec![vec![cmp(op, Operand::Field(2), -0.5)]]));
        rules.push(rule(vec![vec![cmp(
            op,
            Operand::Time(TimeSpec::Now(-10)),
            5.0,
        )]]));
        rules.push(rule(vec![vec![cmp(
            op,
            Operand::Time(TimeSpec::At(100)),
            0.0,
        )]]));
    }
    // Not in the quick shape: two groups, text.
    let two_groups = rule(vec![
        vec![cmp(CmpOp::Lt, Operand::Number(0.0), 0.0)],
        vec![cmp(CmpOp::Gt, Operand::Number(10.0), 0.0)],
    ]);
    assert!(QuickRule::of(&two_groups, 0).is_none());
    let text = rule(vec![vec![cmp(CmpOp::Ne, Operand::Text("x"), 0.0)]]);
    assert!(QuickRule::of(&text, 0).is_none());
    let lhs = [
        CellValue::Int(18),
        CellValue::Int(80),
        CellValue::Int(81),
        CellValue::Dec(17.5),
        CellValue::Dec(f64::NAN),
        CellValue::Time(100),
        CellValue::Time(995),
        CellValue::Time(1_000 + 86_400),
        CellValue::Null,
        CellValue::Bad,
        CellValue::Text,
        CellValue::Missing,
    ];
    // Fields 0 to 2 of the row: a time, an int, a decimal, or the cells that are not.
    let rows = [
        [
            CellValue::Time(1_000),
            CellValue::Int(18),
            CellValue::Dec(17.0),
        ],
        [
            CellValue::Time(100),
            CellValue::Time(0),
            CellValue::Dec(80.5),
        ],
        [CellValue::Null, CellValue::Null, CellValue::Missing],
        [CellValue::Bad, CellValue::Dec(f64::NAN), CellValue::Int(3)],
    ];
    let stores = HashMap::new();
    let mut decided = 0;
    for r in &rules {
        let quick = QuickRule::of(r, 1_000).expect("one group of numbers, times, fields");
        for vals in &rows {
            let texts = ["", "", ""];
            let view = RowView {
                catalog: &catalog,
                entity: &info,
                vals,
                texts: &texts,
                parents: &[],
                exact_parents: &[],
                stores: &stores,
                now: 1_000,
                scale: 1.0,
            };
            for &v in &lhs {
                let general = eval_rule(r, v, "", &view);
                if let Some(b) = quick.eval(v, vals) {
                    assert_eq!(Some(b), general, "{:?} on {v:?} in {vals:?}", r.any_of);
                    decided += 1;
                }
            }
        }
    }
    assert!(decided > 150, "only {decided} decided quickly");
}

#[test]
fn windows_follow_the_generator() {
    let (catalog, info) = empty_catalog();
    let stores = HashMap::new();
    let view = RowView {
        catalog: &catalog,
        entity: &info,
        vals: &[],
        texts: &[],
        parents: &[],
        exact_parents: &[],
        stores: &stores,
        now: 1000,
        scale: 1.0,
    };
    let gt = |v: f64| Comparison {
        op: CmpOp::Gt,
        rhs: Operand::Number(v),
        shift: 0.0,
    };
    let lt = |v: f64| Comparison {
        op: CmpOp::Lt,
        rhs: Operand::Number(v),
        shift: 0.0,
    };
    assert_eq!(
        normal_window(&[gt(0.0), lt(10000.0)], -50.0, 20000.0, false, 2, &view),
        Some((0.01, 9999.99))
    );
    assert_eq!(
        normal_window(&[gt(20.5)], 18.0, 90.0, true, 0, &view),
        Some((21.0, 90.0))
    );
    assert_eq!(
        normal_window(&[], 17.5, 90.5, true, 0, &view),
        Some((17.5, 90.5))
    );
    let le_now = Comparison {
        op: CmpOp::Le,
        rhs: Operand::Time(TimeSpec::Now(-10)),
        shift: 0.0,
    };
    let gt_at = Comparison {
        op: CmpOp::Gt,
        rhs: Operand::Time(TimeSpec::At(5)),
        shift: 0.0,
    };
    assert_eq!(
        time_window(&[le_now, gt_at], 0, 5000, &view),
        Some((6, 990))
    );
}
