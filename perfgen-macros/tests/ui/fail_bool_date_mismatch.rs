// `bool` and `perfgen::Date` fields against what their strategies generate.
#[derive(perfgen::Entity)]
#[perfgen(rows = 10)]
struct Member {
    #[perfgen(boolean(probability = 0.3))]
    active: &'static str,
    #[perfgen(categorical(true = 0.1, false = 0.9))]
    vip: i64,
    #[perfgen(range(start = "2024-01-01", end = "2024-12-31"))]
    joined_on: perfgen::Timestamp,
    #[perfgen(range(start = "2024-01-01T08:00:00Z", end = "2024-12-31T00:00:00Z"))]
    last_seen: perfgen::Date,
    #[perfgen(number(min = 0, max = 1))]
    share: f64,
}

fn main() {}
