#[derive(perfgen::Entity)]
#[perfgen(rows = 100)]
struct Order {
    #[perfgen(categorical(delivered = 0.7, shipped = 0.15, pending = 0.1))]
    status: &'static str,
}

fn main() {}
