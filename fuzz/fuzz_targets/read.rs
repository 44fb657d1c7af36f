//! Any bytes, as a CSV or an xlsx file, into the reader and the column preview: it may say
//! no, but it must not panic, hang or allocate without bound (libFuzzer's `-rss_limit_mb`
//! and `-timeout`, set by `cargo xtask fuzz`, turn the last two into crashes).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = kommunebench_engine::ReadOptions::default();
    if let Ok(report) = kommunebench_engine::read_spells_from_bytes(data, &options) {
        // Every data row is accounted for.
        assert_eq!(
            report.cohort.line.len(),
            report.cohort.n_spells(),
            "one line per valid spell"
        );
    }
    let _ = kommunebench_engine::read::inspect_columns(std::io::Cursor::new(data), &options);
});
