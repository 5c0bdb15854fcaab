// An error inside an expression is shown with its text and a caret under the spot.
#[derive(perfgen::Entity)]
#[perfgen(rows = 10)]
struct Line {
    #[perfgen(number(min = 1, max = 50))]
    quantity: i64,
    #[perfgen(pool = ["a", "b"])]
    code: &'static str,
    #[perfgen(expression = "quantity * 2 + quantty")]
    total: i64,
    #[perfgen(expression = "quantity + code")]
    mixed: i64,
    #[perfgen(cases(when("quantity", categorical(big = 1.0)), else(categorical(small = 1.0))))]
    size: &'static str,
}

fn main() {}
