//! The analysis worker: the messages between page and worker (`protocol`), what the worker
//! does as plain Rust tested natively (`work`), the page's side (`client`) and the seal that
//! cuts the worker off from the network (`seal`).

pub(crate) mod client;
pub mod protocol;
pub mod seal;
pub mod work;
