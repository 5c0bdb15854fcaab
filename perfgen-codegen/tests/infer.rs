//! `perfgen infer`: the draft for every bundled seed (and the fixture seeds) builds through
//! `check_dir` with no errors, alone and all together; odd values survive the YAML round trip.

use perfgen_codegen::infer::infer_file;
use perfgen_codegen::ir::{PoolDistribution, Strategy};
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    v.sort();
    v
}

/// `<tmp>/seeds/<the seeds>` and `<tmp>/configs/<stem>_multiply.yaml` with each draft.
fn drafts_beside(seeds: &[PathBuf], tmp: &Path) -> PathBuf {
    let (seed_dir, config_dir) = (tmp.join("seeds"), tmp.join("configs"));
    fs::create_dir_all(&seed_dir).unwrap();
    fs::create_dir_all(&config_dir).unwrap();
    for s in seeds {
        fs::copy(s, seed_dir.join(s.file_name().unwrap())).unwrap();
    }
    for s in seeds {
        let copied = seed_dir.join(s.file_name().unwrap());
        let inf = infer_file(&copied, "seed");
        assert!(!inf.has_errors(), "{}", inf.render());
        let stem = s
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace("_seed", "");
        let draft = inf.draft.unwrap();
        fs::write(config_dir.join(format!("{stem}_multiply.yaml")), draft).unwrap();
    }
    config_dir
}

fn assert_builds(config_dir: &Path) -> perfgen_codegen::CheckOutcome {
    let report = perfgen_codegen::Builder::new(config_dir)
        .root(config_dir.parent().unwrap())
        .check();
    let mut drafts = String::new();
    for f in yaml_files(config_dir) {
        drafts.push_str(&fs::read_to_string(&f).unwrap());
    }
    assert!(
        !report.has_errors(),
        "{}\n--- drafts ---\n{drafts}",
        report.render()
    );
    assert!(report.program.is_some());
    report
}

#[test]
fn draft_of_every_bundled_seed_builds_together_and_alone() {
    let seeds = yaml_files(&repo().join("eval/performance/seeds"));
    assert_eq!(seeds.len(), 4);
    let tmp = tempfile::tempdir().unwrap();
    let report = assert_builds(&drafts_beside(&seeds, tmp.path()));
    let program = report.program.unwrap();
    assert_eq!(program.entities.len(), 4);
    for s in &seeds {
        let tmp = tempfile::tempdir().unwrap();
        assert_builds(&drafts_beside(std::slice::from_ref(s), tmp.path()));
    }
}

#[test]
fn bundled_drafts_make_the_expected_guesses() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = yaml_files(&repo().join("eval/performance/seeds"));
    let dir = drafts_beside(&seeds, tmp.path());
    let users = fs::read_to_string(dir.join("users_multiply.yaml")).unwrap();
    assert!(users.starts_with("# DRAFT"), "{users}");
    assert!(users.contains("seed_file: \"../seeds/users_seed.yaml\"\n"));
    assert!(users.contains("output_file: \"../output/users_bulk.csv\"\n"));
    assert!(users.contains("template: \"{first_name}.{last_name}{index}@{domain}\"\n"));
    let orders = fs::read_to_string(dir.join("orders_multiply.yaml")).unwrap();
    assert!(
        orders.contains("# foreign key? `user_id` looks like a reference to `User.id`"),
        "{orders}"
    );
    let items = fs::read_to_string(dir.join("order_items_multiply.yaml")).unwrap();
    assert!(
        items.contains("target_count: 300000\n"),
        "the seed's target_multiplication"
    );
    assert!(items.contains("      \"1\": 0.77\n"), "{items}");

    let program = assert_builds(&dir).program.unwrap();
    let user = program.entities.iter().find(|e| e.name == "User").unwrap();
    let columns: Vec<&str> = user.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        columns,
        [
            "id",
            "email",
            "first_name",
            "last_name",
            "age",
            "created_at",
            "updated_at"
        ],
        "the seed's field order"
    );
    assert!(user.fields[1].unique, "email is a unique template");
    let kinds: Vec<&str> = user
        .fields
        .iter()
        .map(|f| f.strategy_name.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "uuid_v4",
            "template",
            "seed_pool_weighted",
            "seed_pool_weighted",
            "normal_distribution",
            "distribute_range",
            "distribute_range"
        ]
    );
    match &user.fields[4].strategy {
        Strategy::Normal {
            min, max, integer, ..
        } => assert_eq!((*min, *max, *integer), (18.0, 80.0, true)),
        g => panic!("{g:?}"),
    }
    let order = program.entities.iter().find(|e| e.name == "Order").unwrap();
    match &order.fields[2].strategy {
        Strategy::Pool {
            values,
            distribution: PoolDistribution::Weighted(w),
        } => {
            assert_eq!(values[0], "delivered");
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        g => panic!("{g:?}"),
    }
}

#[test]
fn drafts_of_the_fixture_seeds_build() {
    let root = repo().join("perfgen-fixtures/configs");
    let mut n = 0;
    for set in fs::read_dir(&root).unwrap() {
        let seeds_dir = set.unwrap().path().join("seeds");
        if !seeds_dir.is_dir() {
            continue;
        }
        let seeds = yaml_files(&seeds_dir);
        n += seeds.len();
        let tmp = tempfile::tempdir().unwrap();
        assert_builds(&drafts_beside(&seeds, tmp.path()));
    }
    assert!(n > 0);
}

/// Values YAML would misread, quotes, backslashes, non-ASCII, nulls, codes with leading
/// zeros, dates, emails without `patterns`: the draft builds and keeps every value exact.
#[test]
fn odd_values_round_trip_into_the_generator() {
    let mut records = String::new();
    let flags = ["on", "off", "yes", "no", "null", "~", "true", "007"];
    let notes = [
        "say \"hi\"",
        "back\\slash",
        "a: b",
        "# not a comment",
        "Zoë – 漢字",
        "- dash",
        "'single'",
        "{brace}",
    ];
    for i in 0..40 {
        let flag = flags[i % flags.len()];
        let note = notes[i % notes.len()];
        let note_yaml = format!("\"{}\"", note.replace('\\', "\\\\").replace('"', "\\\""));
        let maybe = if i % 5 == 0 {
            "null".to_string()
        } else {
            format!(
                "{}{}",
                (b'a' + (i % 26) as u8) as char,
                (b'A' + (i / 26) as u8) as char
            )
        };
        records.push_str(&format!(
            "  - code: \"{:05}\"\n    flag: \"{flag}\"\n    note: {note_yaml}\n    day: 2023-03-{:02}\n    mail: person{i}@corp{}.example\n    sometimes: {maybe}\n    nothing: null\n    \"on\": {}\n",
            (i * 7919) % 100_000,
            1 + i % 28,
            i % 3,
            i % 2
        ));
    }
    let seed = format!("entity: Odd\nrecords:\n{records}");
    let tmp = tempfile::tempdir().unwrap();
    let seed_path = tmp.path().join("odd_things_seed.yaml");
    fs::write(&seed_path, &seed).unwrap();
    let dir = drafts_beside(&[seed_path], &tmp.path().join("set"));
    let program = assert_builds(&dir).program.unwrap();
    let e = &program.entities[0];
    assert_eq!(e.output_file, "output/odd_things_bulk.csv");
    let field = |name: &str| e.fields.iter().find(|f| f.name == name).unwrap();
    let pool = |name: &str| match &field(name).strategy {
        Strategy::Pool { values, .. } => {
            let mut v = values.clone();
            v.sort();
            v
        }
        g => panic!("{name}: {g:?}"),
    };
    let mut want: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(pool("flag"), want);
    let mut want: Vec<String> = notes.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(pool("note"), want);
    assert_eq!(pool("nothing"), vec![String::new()]);
    assert_eq!(pool("on"), vec!["0".to_string(), "1".to_string()]);
    assert!(matches!(field("day").strategy, Strategy::Range { .. }));
    assert!(field("mail").unique);
    assert_eq!(
        field("code").strategy_name,
        "seed_pool_weighted",
        "zero-padded codes stay text"
    );
    assert_eq!(field("sometimes").strategy_name, "seed_pool_weighted");
}

#[test]
fn a_broken_seed_gives_positioned_errors_and_no_draft() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bad_seed.yaml");
    fs::write(&p, "entity: X\nrecords:\n  - a: 1\n    a: 2\n").unwrap();
    let inf = infer_file(&p, "seeds/bad_seed.yaml");
    assert!(inf.draft.is_none());
    assert!(inf.has_errors());
    let r = inf.render();
    assert!(r.contains("seeds/bad_seed.yaml:4:5"), "{r}");
    assert!(r.contains("duplicate key `a`"), "{r}");
}

/// A field that some seed records leave out (or set to `null`) is drafted with the share of
/// those records as its `null_rate`, and the draft builds.
#[test]
fn missing_values_draft_a_null_rate() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = tmp.path().join("loans_seed.yaml");
    fs::write(
        &seed,
        "records:\n  - id: 1\n    returned: 2024-01-03\n  - id: 2\n    returned: null\n  - id: 3\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = drafts_beside(&[seed], out.path());
    let draft = fs::read_to_string(dir.join("loans_multiply.yaml")).unwrap();
    assert!(draft.contains("    null_rate: 0.6667\n"), "{draft}");
    assert!(
        draft.contains("2 of 3 records have no value here"),
        "{draft}"
    );
    let report = assert_builds(&dir);
    let program = report.program.unwrap();
    let returned = &program.entities[0].fields[1];
    assert_eq!(returned.name, "returned");
    assert!((returned.null_rate - 2.0 / 3.0).abs() < 1e-3);
}

/// Integers in steps of 10 draft a unique `sequence` from the first, free text of several
/// words a `text` over the seed's own words with the lengths seen, and codes of one shape a
/// `random_string` pattern; the draft builds with those strategies.
#[test]
fn runs_free_text_and_codes_draft_sequence_text_and_patterns() {
    let words = [
        "furiously",
        "final",
        "deposits",
        "sleep",
        "ironic",
        "requests",
    ];
    let mut records = String::new();
    for i in 0..24usize {
        // Distinct: the first two words tell `i` apart.
        let mut comment = vec![words[i % 6], words[i / 6]];
        comment.extend((0..3 + i % 4).map(|k| words[(i + k) % 6]));
        records.push_str(&format!(
            "  - id: {}\n    comment: \"{}\"\n    code: \"{}{}-{:04}\"\n",
            10 + 10 * i,
            comment.join(" "),
            (b'A' + i as u8) as char,
            "XY",
            (i * 397) % 10_000
        ));
    }
    let tmp = tempfile::tempdir().unwrap();
    let seed_path = tmp.path().join("tickets_seed.yaml");
    fs::write(&seed_path, format!("entity: Ticket\nrecords:\n{records}")).unwrap();
    let dir = drafts_beside(&[seed_path], &tmp.path().join("set"));
    let draft = fs::read_to_string(dir.join("tickets_multiply.yaml")).unwrap();
    assert!(draft.contains("    words_from: \"comment\"\n"), "{draft}");
    let program = assert_builds(&dir).program.unwrap();
    let e = &program.entities[0];
    let field = |name: &str| e.fields.iter().find(|f| f.name == name).unwrap();
    assert!(
        matches!(
            field("id").strategy,
            Strategy::Sequence {
                start: 10,
                step: 10
            }
        ),
        "{draft}"
    );
    assert!(field("id").unique, "{draft}");
    let lengths: Vec<usize> = records
        .lines()
        .filter_map(|l| l.strip_prefix("    comment: \""))
        .map(|c| c.trim_end_matches('"').chars().count())
        .collect();
    match &field("comment").strategy {
        Strategy::Words {
            words: pool,
            min_length,
            max_length,
        } => {
            let mut pool = pool.clone();
            pool.sort();
            let mut want: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            want.sort();
            assert_eq!(pool, want);
            let lo = *lengths.iter().min().unwrap() as u32;
            let hi = *lengths.iter().max().unwrap() as u32;
            assert_eq!((*min_length, *max_length), (lo, hi));
        }
        g => panic!("{g:?}\n{draft}"),
    }
    match &field("code").strategy {
        Strategy::Pattern { source, .. } => assert_eq!(source, "[A-Z]{3}\\-[0-9]{4}"),
        g => panic!("{g:?}\n{draft}"),
    }
}
