#[derive(perfgen::Entity)]
#[perfgen(rows = 100)]
struct User {
    #[perfgen(normal(mean = 35, stddev = 12, min = 80, max = 18))]
    age: i64,
}

fn main() {}
