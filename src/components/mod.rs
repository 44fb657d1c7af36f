//! The page's components, one file per screen or panel. They render what `crate::state`,
//! `crate::view` and `crate::plots` derive; none of them computes a number.

mod app;
mod columns;
mod excluded;
mod figure;
mod method;
mod model_details;
mod profile;
mod ranking;
mod results;
mod tables;

pub use app::App;
use columns::*;
use excluded::*;
use figure::*;
use method::*;
use model_details::*;
use profile::*;
use ranking::*;
use results::*;
use tables::*;

/// The file a file input's `change` event chose (the first, if several). The input is then
/// emptied, so that choosing the same file again fires `change` again.
fn take_chosen_file(event: &web_sys::Event) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    let input = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())?;
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    file
}
