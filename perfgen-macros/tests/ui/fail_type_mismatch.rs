#[derive(perfgen::Entity)]
#[perfgen(rows = 100)]
struct User {
    #[perfgen(uuid)]
    id: String,
    #[perfgen(normal(mean = 35, stddev = 12, min = 18, max = 80))]
    age: u32,
}

fn main() {}
