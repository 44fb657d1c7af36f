//! `kommunebench`: the engine's numbers from the command line.
fn main() {
    println!("kommunebench {}", env!("CARGO_PKG_VERSION"));
}
