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
    g.finish();
}

fn rows(c: &mut Criterion) {
    use perfgen_fixtures::golden::{Author, Post, CATALOG};
    let cx = Context {
        seed: 1,
        rows: CATALOG.entities.iter().map(|e| e.target_count).collect(),
        now: None,
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
    g.finish();
}

criterion_group!(benches, samplers, rows);
criterion_main!(benches);
