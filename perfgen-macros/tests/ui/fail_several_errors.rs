// Every problem of a struct is reported in one build, each at its own tokens.
#[derive(perfgen::Entity)]
struct User {
    #[perfgen(uuid)]
    id: perfgen::Uuid,
    #[perfgen(normal(mean = 35, stddev = -1))]
    age: i64,
    #[perfgen(range(start = "2024-01-01", end = "2022-01-01"), unique)]
    created_at: perfgen::Timestamp,
    #[perfgen(derive(craeted_at, add_random_duration(min = "0d", max = "1d")))]
    updated_at: perfgen::Timestamp,
    #[perfgen(pool = ["a", "b"], zipf(alhpa = 1.5))]
    tag: &'static str,
}

fn main() {}
