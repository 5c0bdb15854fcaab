#[derive(perfgen::Entity)]
#[perfgen(rows = 100)]
struct User {
    #[perfgen(uuid)]
    id: perfgen::Uuid,
    #[perfgen(normal_distrbution(mean = 35, stddev = 12))]
    age: i64,
}

fn main() {}
