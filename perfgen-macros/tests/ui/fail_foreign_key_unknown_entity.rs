use perfgen::Uuid;

#[derive(perfgen::Entity)]
#[perfgen(rows = 100)]
struct Customer {
    #[perfgen(uuid)]
    id: Uuid,
}

#[derive(perfgen::Entity)]
#[perfgen(rows = 500)]
struct Order {
    #[perfgen(foreign_key(Custmer, id), zipf(alpha = 1.2))]
    customer_id: Uuid,
}

fn main() {}
