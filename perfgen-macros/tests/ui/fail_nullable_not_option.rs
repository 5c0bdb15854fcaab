// A field that may be NULL is an `Option`: its own `null_rate`, or a field computed from one.
#[derive(perfgen::Entity)]
#[perfgen(rows = 10)]
struct Loan {
    #[perfgen(range(start = "2024-01-01", end = "2024-12-31"), null_rate = 0.4)]
    returned_on: perfgen::Date,
    #[perfgen(template = "R-{returned_on}")]
    receipt: String,
    #[perfgen(number(min = 1, max = 5))]
    copies: Option<i64>,
}

fn main() {}
