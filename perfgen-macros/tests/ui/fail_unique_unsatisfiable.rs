#[derive(perfgen::Entity)]
#[perfgen(rows = 1000)]
struct User {
    #[perfgen(pool = ["alice", "bob", "carol"], unique)]
    nickname: &'static str,
    #[perfgen(template = "{nickname}@example.com", unique)]
    email: String,
}

fn main() {}
