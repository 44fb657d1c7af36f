//! kommunebench in the browser: a Leptos client-side app over the engine.
//!
//! State and derivations live in plain modules tested natively (`i18n`); components only
//! render them. Nothing here sends data anywhere: the page's Content-Security-Policy allows
//! no connection but to its own origin.

mod app;
pub mod i18n;
pub mod plot;
pub mod protocol;
pub mod seal;
pub mod view;
pub mod work;
mod worker_client;

pub use app::App;
