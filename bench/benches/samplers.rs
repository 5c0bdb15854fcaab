//! Criterion benchmarks of the samplers and of whole-row formatting.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use perfgen_runtime::rng::CellRng;
use perfgen_runtime::sample::{AliasTable, TruncatedNormal, Zipf};
use perfgen_runtime::{Context, Entity};

fn samplers(c: &mut Criterion) {
    let mut g = c.benchmark_group("samplers");
    g.throughput(Throughput::Elements(1));
    let normal = TruncatedNormal::new(35.0, 12.0, 18.0, 80.0);
    let zipf = Zipf::new(10_000_000, 1.2);
    let alias = AliasTable::new(&[0.7, 0.15, 0.1, 0.04, 0.01]);
    let mut row = 0u64;
    g.bench_function("cell_rng_new", |b| {
        b.iter(|| {
            row += 1;
            black_box(CellRng::new(1, 2, 3, row).next_u64())
        })
    });
    g.bench_function("truncated_normal", |b| {
        b.iter(|| {
            row += 1;
            black_box(normal.sample(&mut CellRng::new(1, 2, 3, row)))
        })
    });
    g.bench_function("zipf_10M", |b| {
        b.iter(|| {
            row += 1;
            black_box(zipf.sample(&mut CellRng::new(1, 2, 3, row)))
        })
    });
    g.bench_function("alias_5", |b| {
        b.iter(|| {
            row += 1;
            black_box(alias.sample(&mut CellRng::new(1, 2, 3, row)))
        })
    });
    g.bench_function("exponential_in_window", |b| {
        b.iter(|| {
            row += 1;
            let lo = 1.64e9 + (row % 1000) as f64 * 6e4;
            black_box(perfgen_runtime::sample::exponential_toward_end(
                &mut CellRng::new(1, 2, 3, row),
                1.64e9,
                1.705e9,
                3.0,
                lo,
                1.705e9,
            ))
        })
    });
    g.finish();
}

fn formatting(c: &mut Criterion) {
    use perfgen_runtime::format::{uuid_v4_from_bits, write_decimal, write_i64, write_uuid};
    use perfgen_runtime::Timestamp;
    let mut g = c.benchmark_group("format");
    g.throughput(Throughput::Elements(1));
    let mut buf = Vec::with_capacity(1 << 16);
    let mut t = 0i64;
    g.bench_function("rfc3339", |b| {
        b.iter(|| {
            // Over three years, as a dataset's timestamps are.
            t = (t + 7919) % 100_000_000;
            buf.clear();
            Timestamp(black_box(1_640_995_200 + t)).write_rfc3339(&mut buf);
            black_box(buf.len())
        })
    });
    let mut x = 0u128;
    g.bench_function("uuid", |b| {
        b.iter(|| {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
            buf.clear();
            write_uuid(&uuid_v4_from_bits(black_box(x)), &mut buf);
            black_box(buf.len())
        })
    });
    let mut v = 0.0f64;
    g.bench_function("decimal_2", |b| {
        b.iter(|| {
            v += 1.37;
            buf.clear();
            write_decimal(black_box(v), 2, &mut buf);
            black_box(buf.len())
        })
    });
    let mut k = 0i64;
    g.bench_function("i64", |b| {
        b.iter(|| {
            k += 977;
            buf.clear();
            write_i64(black_box(k), &mut buf);
            black_box(buf.len())
        })
    });
    g.finish();
}

fn rows(c: &mut Criterion) {
    use perfgen_fixtures::golden::{Author, Post, CATALOG};
    let cx = Context {
        seed: 1,
        rows: CATALOG.entities.iter().map(|e| e.target_count).collect(),
        now: None,
        fan_outs: Vec::new(),
        scale: 1.0,
    };
    let mut g = c.benchmark_group("rows");
    g.throughput(Throughput::Elements(1));
    let mut buf = Vec::with_capacity(1 << 20);
    let (mut a, mut p) = (Author::default(), Post::default());
    let mut i = 0u64;
    g.bench_function("author_fill_and_format", |b| {
        b.iter(|| {
            i = (i + 1) % 1000;
            buf.clear();
            a.fill(&cx, i).unwrap();
            a.write_csv(&mut buf);
            black_box(buf.len())
        })
    });
    g.bench_function("post_fill_and_format", |b| {
        b.iter(|| {
            i = (i + 1) % 5000;
            buf.clear();
            p.fill(&cx, i).unwrap();
            p.write_csv(&mut buf);
            black_box(buf.len())
        })
    });
    // The seed document's users table, the reference row (about 127 bytes).
    let users = &perfgen_fixtures::seed_doc::CATALOG;
    let ucx = Context {
        seed: 1,
        rows: users.entities.iter().map(|e| e.target_count).collect(),
        now: None,
        fan_outs: Vec::new(),
        scale: 1.0,
    };
    let mut u = perfgen_fixtures::seed_doc::User::default();
    g.bench_function("seed_doc_user_fill_and_format", |b| {
        b.iter(|| {
            i = (i + 1) % 100_000;
            buf.clear();
            u.fill(&ucx, i).unwrap();
            u.write_csv(&mut buf);
            black_box(buf.len())
        })
    });
    g.finish();
}

criterion_group!(benches, samplers, formatting, rows);
criterion_main!(benches);
