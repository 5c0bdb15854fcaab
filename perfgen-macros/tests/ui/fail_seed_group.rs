// A derive has no seed file: the records of a `seed_group` are its members' pools.
#[derive(perfgen::Entity)]
#[perfgen(rows = 10)]
struct Place {
    #[perfgen(seed_group(group = "address"), pool = ["Paris", "Lyon"])]
    city: &'static str,
    #[perfgen(seed_group(group = "address"), pool = ["75001"])]
    zip: &'static str,
    #[perfgen(seed_group(group = "address"))]
    country: &'static str,
}

fn main() {}
