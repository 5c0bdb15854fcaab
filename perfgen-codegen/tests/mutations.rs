//! Random damage to valid configs (deleted lines and keys, swapped types, garbage values,
//! truncated files, bad indentation) never panics the checker; every run ends with either no
//! error, or errors that each point at a real line of a real file. Configs that still check
//! clean must also generate code that parses as Rust.

use std::panic::{catch_unwind, AssertUnwindSafe};

const CONFIG: &str = include_str!("../../eval/performance/configs/users_multiply.yaml");
const ORDERS: &str = include_str!("../../eval/performance/configs/orders_multiply.yaml");
const SEED: &str = include_str!("../../eval/performance/seeds/users_seed.yaml");
const ORDERS_SEED: &str = include_str!("../../eval/performance/seeds/orders_seed.yaml");

/// A small deterministic generator (splitmix64), so a failure names a reproducible case.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const GARBAGE: &[&str] = &[
    "",
    "[",
    "]",
    "{}",
    "[1, 2]",
    "-1",
    "0",
    "1e999",
    "abc",
    "null",
    "~",
    "\"\"",
    "!!str x",
    "&a x",
    "*a",
    "{{",
    "}",
    "'unterminated",
    "2024-99-99",
    "now-",
    "9999999999999999999999",
    ">= >=",
    "\"{index}\"",
    "\"{nope}\"",
    "uuid_v4",
    "- x",
    "zipf",
    "-5d",
    "true",
    ":",
    "\t",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..1 + rng.below(3) {
        if lines.is_empty() {
            break;
        }
        let i = rng.below(lines.len());
        match rng.below(7) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                // Replace the value after `:` with garbage.
                if let Some(pos) = lines[i].find(':') {
                    let g = GARBAGE[rng.below(GARBAGE.len())];
                    lines[i] = format!("{}: {g}", &lines[i][..pos]);
                }
            }
            3 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            4 => lines[i] = format!("  {}", lines[i]),
            5 => lines[i] = lines[i].trim_start().to_string(),
            _ => {
                // Truncate the file at a character boundary.
                let joined = lines.join("\n");
                let mut cut = rng.below(joined.len() + 1);
                while !joined.is_char_boundary(cut) {
                    cut -= 1;
                }
                return joined[..cut].to_string();
            }
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn random_damage_never_panics_and_errors_are_positioned() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("configs")).unwrap();
    std::fs::create_dir_all(root.join("seeds")).unwrap();
    std::fs::write(root.join("seeds/orders_seed.yaml"), ORDERS_SEED).unwrap();
    let mut rng = Rng(0x5eed);
    let (mut clean, mut broken) = (0, 0);
    for case in 0..300 {
        let (users, orders, seed) = match rng.below(3) {
            0 => (
                mutate(CONFIG, &mut rng),
                ORDERS.to_string(),
                SEED.to_string(),
            ),
            1 => (
                CONFIG.to_string(),
                mutate(ORDERS, &mut rng),
                SEED.to_string(),
            ),
            _ => (
                CONFIG.to_string(),
                ORDERS.to_string(),
                mutate(SEED, &mut rng),
            ),
        };
        std::fs::write(root.join("configs/users_multiply.yaml"), &users).unwrap();
        std::fs::write(root.join("configs/orders_multiply.yaml"), &orders).unwrap();
        std::fs::write(root.join("seeds/users_seed.yaml"), &seed).unwrap();
        let builder = perfgen_codegen::Builder::new("configs").root(root);
        let result = catch_unwind(AssertUnwindSafe(|| builder.generate()));
        let outcome = result.unwrap_or_else(|_| {
            panic!(
                "case {case} panicked\n--- users\n{users}\n--- orders\n{orders}\n--- seed\n{seed}"
            )
        });
        match outcome {
            Ok((code, _)) => {
                clean += 1;
                syn::parse_file(&code)
                    .unwrap_or_else(|e| panic!("case {case}: generated code does not parse: {e}"));
            }
            Err(report) => {
                broken += 1;
                assert!(report.has_errors(), "case {case}: failed without an error");
                for d in report.errors() {
                    let src = report.sources.get(d.loc.file);
                    let lines = src.text.lines().count().max(1) as u32;
                    assert!(
                        d.loc.line >= 1 && d.loc.line <= lines + 1 && d.loc.col >= 1,
                        "case {case}: error outside its file: {}",
                        d.headline(&report.sources)
                    );
                    assert!(
                        d.help.is_some(),
                        "case {case}: error without help: {}",
                        d.headline(&report.sources)
                    );
                }
            }
        }
    }
    // The mutations must exercise both outcomes.
    assert!(clean > 20 && broken > 100, "clean {clean}, broken {broken}");
}
