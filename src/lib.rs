//! kommunebench in the browser: a Leptos client-side app over the engine.
//!
//! State and derivations live in plain modules tested natively (`state`, `view`, `i18n`,
//! `plots`, `worker::work`); components only render them. Nothing here sends data anywhere: the page's Content-Security-Policy allows
//! no connection but to its own origin.

mod components;
pub mod download;
pub mod i18n;
pub mod plots;
pub mod state;
pub mod view;
pub mod worker;

pub use components::App;
