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
