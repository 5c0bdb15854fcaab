use crate::compare::{compare, CellValue, Rhs, RowView};
use crate::template::{map_case, push_case, TemplateMatcher};
use crate::value::text_key;
use crate::windows::{normal_window, time_window};
use perfgen_runtime::catalog::{Catalog, EntityInfo};
use perfgen_runtime::spec::{Case, CmpOp, Comparison, Operand, TemplatePiece, TimeSpec};
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

#[test]
fn windows_follow_the_generator() {
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
