use perfgen::Timestamp;

#[derive(perfgen::Entity)]
#[perfgen(rows = 100, rule(updated_at >= craeted_at))]
struct User {
    #[perfgen(range(start = "2022-01-01T00:00:00Z", end = "2024-01-01T00:00:00Z"))]
    created_at: Timestamp,
    #[perfgen(derive(created_at, add_random_duration(min = "0d", max = "30d")))]
    updated_at: Timestamp,
}

fn main() {}
