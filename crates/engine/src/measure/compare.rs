//! The comparison with an earlier measurement (MODEL.md §9 `--compare`): the previous rank of
//! each ranked municipality, its change, and how alike the two rankings are.
//!
//! ```text
//! rank_change_k = previous_rank_k − rank_k           (positive = moved up)
//! spearman      = Pearson correlation of the two rank lists re-ranked within the common
//!                 municipalities (1..n, ties averaged); null below 3 common
//! ```

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use serde::{Deserialize, Serialize};

use super::{read_side_table, MeasureError};
use crate::read::{read_up_to, source_error};

/// The earlier ranking: each ranked municipality's rank.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviousRanking {
    /// The file's name, as the report states it.
    pub source: String,
    pub ranks: Vec<(String, usize)>,
}

/// MODEL.md §9's top-level `comparison`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Comparison {
    pub source: String,
    /// How many municipalities the earlier measurement ranked.
    pub previous_ranked: usize,
    /// How many are ranked in both.
    pub common: usize,
    pub spearman: Option<f64>,
}

#[derive(Deserialize)]
struct PreviousJson {
    ranking: Vec<PreviousJsonRow>,
}

#[derive(Deserialize)]
struct PreviousJsonRow {
    rank: usize,
    municipality: String,
}

impl PreviousRanking {
    /// Reads a JSON report written by `--json`, or a ranking CSV/xlsx written by this tool's
    /// export in either language (`rank`/`rang`, `municipality`/`kommune`; the national row,
    /// which has no rank, is skipped; a `'` that formula neutralisation put in front of a
    /// name is removed).
    pub fn read<R: Read + Seek>(
        mut source: R,
        name: &str,
    ) -> Result<PreviousRanking, MeasureError> {
        let mut start = [0u8; 64];
        let n = read_up_to(&mut source, &mut start).map_err(MeasureError::PreviousFile)?;
        source
            .seek(SeekFrom::Start(0))
            .map_err(|e| MeasureError::PreviousFile(source_error(e)))?;
        let text_start = start[..n]
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&start[..n]);
        let ranks = if text_start
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'{')
        {
            let mut bytes = Vec::new();
            source
                .read_to_end(&mut bytes)
                .map_err(|e| MeasureError::PreviousFile(source_error(e)))?;
            let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let json: PreviousJson =
                serde_json::from_slice(text).map_err(|e| MeasureError::PreviousFormat {
                    detail: e.to_string(),
                })?;
            json.ranking
                .into_iter()
                .map(|row| (row.municipality, row.rank))
                .collect()
        } else {
            read_exported_table(source)?
        };
        Ok(PreviousRanking {
            source: name.to_owned(),
            ranks,
        })
    }
}

fn read_exported_table<R: Read + Seek>(source: R) -> Result<Vec<(String, usize)>, MeasureError> {
    const COLUMNS: [&str; 2] = ["`rank`/`rang`", "`municipality`/`kommune`"];
    let mut ranks = Vec::new();
    read_side_table(
        source,
        [&["rank", "rang"], &["municipality", "kommune"]],
        |column| MeasureError::PreviousMissingColumn {
            names: COLUMNS[column].to_owned(),
        },
        MeasureError::PreviousFile,
        &mut |line, [rank_text, name]| {
            // The national row has no rank.
            if rank_text.is_empty() {
                return Ok(());
            }
            // An xlsx cell holds 3 as the number 3, which may read as "3" or "3.0".
            let rank = rank_text.parse::<usize>().ok().or_else(|| {
                rank_text
                    .replace(',', ".")
                    .parse::<f64>()
                    .ok()
                    .filter(|r| r.fract() == 0.0 && *r >= 1.0 && *r < 1e9)
                    .map(|r| r as usize)
            });
            match rank {
                Some(rank) => {
                    ranks.push((unneutralised(name).to_owned(), rank));
                    Ok(())
                }
                None => Err(MeasureError::PreviousBadRank {
                    line,
                    value: rank_text.to_owned(),
                }),
            }
        },
    )?;
    Ok(ranks)
}

/// A name as it was before the export's formula neutralisation: the `'` it puts in front
/// of text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is removed; any other
/// leading `'` belongs to the name.
fn unneutralised(name: &str) -> &str {
    match name.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => name,
    }
}

/// Each current row's previous rank (in the order of `current`), and the comparison.
/// `current` holds (municipality, rank) of today's ranking.
pub fn compare(
    current: &[(&str, usize)],
    previous: &PreviousRanking,
) -> (Vec<Option<usize>>, Comparison) {
    let previous_rank: HashMap<&str, usize> = previous
        .ranks
        .iter()
        .map(|(name, rank)| (name.as_str(), *rank))
        .collect();
    let before: Vec<Option<usize>> = current
        .iter()
        .map(|(name, _)| previous_rank.get(name).copied())
        .collect();
    let (now, then): (Vec<f64>, Vec<f64>) = current
        .iter()
        .zip(&before)
        .filter_map(|((_, rank), before)| before.map(|b| (*rank as f64, b as f64)))
        .unzip();
    let common = now.len();
    let spearman = (common >= 3)
        .then(|| pearson(&average_ranks(&now), &average_ranks(&then)))
        .flatten();
    (
        before,
        Comparison {
            source: previous.source.clone(),
            previous_ranked: previous.ranks.len(),
            common,
            spearman,
        },
    )
}

/// Ranks 1..n of `values`, ties given the mean of the ranks they share.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1..=end: their mean.
        let mean = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = mean;
        }
        start = end;
    }
    ranks
}

/// Pearson's correlation; `None` when either list is constant.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_neutralising_quote_is_removed() {
        assert_eq!(unneutralised("'=HYPERLINK(\"x\")"), "=HYPERLINK(\"x\")");
        assert_eq!(unneutralised("'-Nord"), "-Nord");
        assert_eq!(unneutralised("'t Veld"), "'t Veld");
        assert_eq!(unneutralised("Odense"), "Odense");
    }

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(
            average_ranks(&[10.0, 30.0, 20.0, 20.0]),
            [1.0, 4.0, 2.5, 2.5]
        );
    }
}
