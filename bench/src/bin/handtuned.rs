//! The reference point of the speed issue: a hand-tuned, single-purpose generator of the seed
//! document's users table (id, email, first_name, last_name, age, created_at, updated_at),
//! written the way one would without perfgen: per-chunk seeded SmallRng, alias-free small
//! tables, hand-formatted UUIDs and timestamps, itoa, 8 MiB chunk buffers, worker threads
//! formatting chunks and one writer keeping row order.
//!
//! `handtuned ROWS THREADS OUT_FILE` (OUT_FILE `-` discards the bytes).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::sync::mpsc;

const FIRST: [&str; 8] = [
    "alice", "bob", "carol", "david", "eve", "frank", "grace", "heidi",
];
const LAST: [&str; 8] = [
    "johnson", "smith", "williams", "jones", "brown", "davis", "miller", "wilson",
];
const FIRST_CAP: [&str; 8] = [
    "Alice", "Bob", "Carol", "David", "Eve", "Frank", "Grace", "Heidi",
];
const LAST_CAP: [&str; 8] = [
    "Johnson", "Smith", "Williams", "Jones", "Brown", "Davis", "Miller", "Wilson",
];
const DOMAINS: [&str; 4] = ["example.com", "test.org", "demo.net", "sample.io"];
const CHUNK_ROWS: u64 = 64 * 1024;
const START: i64 = 1_640_995_200; // 2022-01-01
const END: i64 = 1_705_320_000; // 2024-01-15T12:00:00Z

/// "00".."ff": two hex digits per table load.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [H[i >> 4], H[i & 15]];
        i += 1;
    }
    t
};

/// "00".."99".
const DEC_PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

fn hex(out: &mut Vec<u8>, v: u128) {
    let bytes = v.to_be_bytes();
    let mut b = [b'-'; 36];
    let mut j = 0;
    for (i, &x) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            j += 1;
        }
        b[j..j + 2].copy_from_slice(&HEX_PAIRS[x as usize]);
        j += 2;
    }
    out.extend_from_slice(&b);
}

fn ts(out: &mut Vec<u8>, t: i64) {
    // 1970..9999 only (this program's range): unsigned arithmetic, divisions by constants.
    let t = t as u64;
    let days = (t / 86_400) as u32;
    let sod = (t % 86_400) as u32;
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as u32;
    let mut b = *b"0000-00-00T00:00:00Z";
    let mut two = |at: usize, v: u32| b[at..at + 2].copy_from_slice(&DEC_PAIRS[v as usize]);
    two(0, y / 100);
    two(2, y % 100);
    two(5, m);
    two(8, d);
    two(11, sod / 3600);
    two(14, sod / 60 % 60);
    two(17, sod % 60);
    out.extend_from_slice(&b);
}

/// Walker/Vose alias table: a column by the high bits of one u64, a coin by the low.
struct Alias {
    threshold: Vec<u64>,
    alias: Vec<usize>,
}

impl Alias {
    fn new(w: &[f64]) -> Alias {
        let n = w.len();
        let sum: f64 = w.iter().sum();
        let mut p: Vec<f64> = w.iter().map(|x| x * n as f64 / sum).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| p[i] < 1.0);
        let mut threshold = vec![u64::MAX; n];
        let mut alias: Vec<usize> = (0..n).collect();
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            threshold[s] = (p[s] * 18_446_744_073_709_551_616.0) as u64;
            alias[s] = l;
            p[l] = (p[l] + p[s]) - 1.0;
            if p[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        Alias { threshold, alias }
    }

    #[inline]
    fn sample(&self, x: u64) -> usize {
        let m = x as u128 * self.threshold.len() as u128;
        let i = (m >> 64) as usize;
        if (m as u64) < self.threshold[i] {
            i
        } else {
            self.alias[i]
        }
    }
}

fn age_table() -> Alias {
    // Mass of round(N(35, 12)) at each whole age, by the density at the age (close enough
    // for a benchmark's reference).
    let w: Vec<f64> = (18..=80)
        .map(|k| (-0.5 * ((k as f64 - 35.0) / 12.0).powi(2)).exp())
        .collect();
    Alias::new(&w)
}

fn chunk(index: u64, rows: u64, total: u64, out: &mut Vec<u8>, ages: &Alias) {
    let mut rng = SmallRng::seed_from_u64(index);
    let mut itoa = itoa::Buffer::new();
    let start = index * CHUNK_ROWS;
    for i in start..(start + CHUNK_ROWS).min(rows) {
        let id: u128 = rng.random();
        let id = (id & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
        hex(out, id);
        out.push(b',');
        // Zipf-like popularity by squaring a uniform draw.
        let u: f64 = rng.random();
        let f = ((u * u) * 8.0) as usize;
        let l = rng.random_range(0..8);
        out.extend_from_slice(FIRST[f].as_bytes());
        out.push(b'.');
        out.extend_from_slice(LAST[l].as_bytes());
        out.extend_from_slice(itoa.format(i).as_bytes());
        out.push(b'@');
        out.extend_from_slice(DOMAINS[rng.random_range(0..4)].as_bytes());
        out.push(b',');
        out.extend_from_slice(FIRST_CAP[f].as_bytes());
        out.push(b',');
        out.extend_from_slice(LAST_CAP[l].as_bytes());
        out.push(b',');
        // Ages 18..=80 from an alias table of the rounded, truncated normal: one draw.
        let age = 18 + ages.sample(rng.random());
        out.extend_from_slice(&DEC_PAIRS[age]);
        out.push(b',');
        let created = START + ((END - START) as u64 * i / total) as i64;
        ts(out, created);
        out.push(b',');
        ts(out, created + rng.random_range(0..=365 * 86_400));
        out.push(b'\n');
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let threads: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    let path = args.get(3).cloned().unwrap_or_else(|| "-".into());
    let mut out: Box<dyn Write> = if path == "-" {
        Box::new(std::io::sink())
    } else {
        Box::new(std::fs::File::create(&path).expect("create output"))
    };
    out.write_all(b"id,email,first_name,last_name,age,created_at,updated_at\n")
        .unwrap();
    let chunks = rows.div_ceil(CHUNK_ROWS);
    let ages = &age_table();
    let next = std::sync::atomic::AtomicU64::new(0);
    let (tx, rx) = mpsc::sync_channel::<(u64, Vec<u8>)>(threads as usize * 2);
    // Written buffers go back to the workers: 8 MiB buffers reused, never re-faulted.
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    let free_rx = std::sync::Mutex::new(free_rx);
    for _ in 0..threads * 3 {
        free_tx.send(Vec::with_capacity(8 << 20)).unwrap();
    }
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let next = &next;
            let free_rx = &free_rx;
            s.spawn(move || loop {
                let Ok(mut buf) = free_rx.lock().unwrap().recv() else {
                    break;
                };
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= chunks {
                    break;
                }
                buf.clear();
                chunk(i, rows, rows, &mut buf, ages);
                if tx.send((i, buf)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending = std::collections::BTreeMap::new();
        let mut want = 0;
        for (i, buf) in rx {
            pending.insert(i, buf);
            while let Some(buf) = pending.remove(&want) {
                out.write_all(&buf).unwrap();
                want += 1;
                let _ = free_tx.send(buf);
            }
        }
        drop(free_tx);
    });
    out.flush().unwrap();
}
