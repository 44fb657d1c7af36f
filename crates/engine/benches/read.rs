//! Reader throughput on a 1 M-row spell file (~120 MB), in both common dialects.
//!
//! Run: `cargo bench -p kommunebench-engine --bench read` (or `cargo xtask bench`).
//! Prints the best of three runs; record the figures in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Instant;

use kommunebench_engine::{read_spells, ReadOptions};

const N_ROWS: usize = 1_000_000;

/// A deterministic synthetic file: every MODEL.md column, ~120 bytes a row.
fn synthetic_file(delimiter: char, danish: bool) -> Vec<u8> {
    let municipalities = [
        "København",
        "Århus",
        "Odense",
        "Ålborg",
        "Høje Taastrup",
        "Brøndby",
        "Esbjerg",
        "Vejle",
    ];
    let header = [
        "spell_id",
        "municipality",
        "permit_date",
        "entry_date",
        "end_date",
        "outcome",
        "sex",
        "residence_basis",
        "origin",
        "age",
        "partner",
        "children",
        "health_services",
        "quota_refugee",
        "danish_track",
        "deprived_area",
        "unemployment_rate",
    ];
    let mut text = header.join(&delimiter.to_string());
    text.push('\n');
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for row in 0..N_ROWS {
        let r = next();
        let k = (r % 8) as usize;
        let (year, month, day) = (1999 + (r >> 8) % 6, 1 + (r >> 12) % 12, 1 + (r >> 16) % 28);
        let end_year = 2005;
        let date = |y: u64, m: u64, d: u64| {
            if danish {
                format!("{d:02}-{m:02}-{y}")
            } else {
                format!("{y}-{m:02}-{d:02}")
            }
        };
        let number = |x: f64| {
            if danish {
                format!("{x:.1}").replace('.', ",")
            } else {
                format!("{x:.1}")
            }
        };
        let fields = [
            row.to_string(),
            municipalities[k].to_owned(),
            date(year, month, day),
            String::new(),
            date(end_year, 12, 12),
            ["none", "self_support", "education"][((r >> 20) % 3) as usize].to_owned(),
            ["M", "K"][((r >> 22) % 2) as usize].to_owned(),
            ["refugee", "family_refugee", "family_other"][((r >> 23) % 3) as usize].to_owned(),
            ["Irak", "Somalia", "Afghanistan", "Iran", "Bosnien"][((r >> 25) % 5) as usize]
                .to_owned(),
            number(18.0 + ((r >> 28) % 400) as f64 / 10.0),
            ["none", "foreign", "danish"][((r >> 37) % 3) as usize].to_owned(),
            ((r >> 39) % 6).to_string(),
            ((r >> 42) % 40).to_string(),
            ((r >> 47) % 2).to_string(),
            (1 + (r >> 48) % 3).to_string(),
            ((r >> 50) % 2).to_string(),
            number(5.0 + k as f64 * 0.5),
        ];
        text.push_str(&fields.join(&delimiter.to_string()));
        text.push('\n');
    }
    if danish {
        encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
    } else {
        text.into_bytes()
    }
}

fn main() {
    for (label, delimiter, danish) in [
        ("UTF-8 ',' ISO dates", ',', false),
        ("Windows-1252 ';' decimal comma", ';', true),
    ] {
        let bytes = synthetic_file(delimiter, danish);
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let started = Instant::now();
            let report = read_spells(
                std::io::Cursor::new(&bytes),
                &ReadOptions::default(),
                &mut |_| {},
            );
            let seconds = started.elapsed().as_secs_f64();
            let n_spells = black_box(report.map(|r| r.cohort.n_spells()).unwrap_or(0));
            assert_eq!(n_spells, N_ROWS, "every synthetic row is valid");
            best = best.min(seconds);
        }
        let megabytes = bytes.len() as f64 / 1e6;
        println!(
            "read {label}: {N_ROWS} rows, {megabytes:.1} MB in {best:.3} s = {:.0} MB/s (best of 3)",
            megabytes / best
        );
    }
}
