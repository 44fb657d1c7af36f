//! Warnings about the valid rows (MODEL.md §6): the analysis goes on, but an officer should
//! look, because each usually means the file is not what it seems.
//!
//! - `duplicate_spell_id`: a `spell_id` on more than one row;
//! - `overlapping_spells`: a `person_id` with two spells whose (entry, end] overlap;
//! - `lookalike_municipalities`: names that differ but are equal after Unicode NFKC
//!   normalisation, case folding and removal of whitespace and format characters (`Tårnby`
//!   typed on a Mac, `aarhus`, `Aarhus` with a zero-width space): they are ranked as
//!   different municipalities;
//! - `implausible_dates`: a date before 1950-01-01 or after 2100-12-31.
//!
//! Unicode normalisation is the `unicode-normalization` crate's (the same tables natively and
//! in wasm).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::cohort::time::Date;
use crate::numeric::hashing::Fnv1a;
use crate::Language;

/// At most this many line numbers are listed per warning (MODEL.md §6).
pub const MAX_WARNING_LINES: usize = 20;

/// What a warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    DuplicateSpellId,
    OverlappingSpells,
    LookalikeMunicipalities,
    ImplausibleDates,
    /// MODEL.md §9: a `from` of the mapping that no valid row has (`names`: one group per
    /// name; `lines`: the mapping file's lines).
    UnusedMapping,
    /// MODEL.md §9: merged municipalities' numeric municipal covariates were averaged
    /// (`names`: one group per merged unit, the unit first, then its municipalities).
    MunicipalCovariatesAveraged,
}

impl WarningCode {
    pub fn code(self) -> &'static str {
        match self {
            WarningCode::DuplicateSpellId => "duplicate_spell_id",
            WarningCode::OverlappingSpells => "overlapping_spells",
            WarningCode::LookalikeMunicipalities => "lookalike_municipalities",
            WarningCode::ImplausibleDates => "implausible_dates",
            WarningCode::UnusedMapping => "unused_mapping",
            WarningCode::MunicipalCovariatesAveraged => "municipal_covariates_averaged",
        }
    }
}

/// One warning: how many rows (or names) it concerns, up to 20 of their lines, and for
/// look-alike names the names themselves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadWarning {
    pub code: WarningCode,
    pub count: usize,
    pub lines: Vec<u64>,
    /// For `lookalike_municipalities`: the groups of names, each as written.
    pub names: Vec<Vec<String>>,
}

impl ReadWarning {
    pub fn message(&self, language: Language) -> String {
        let lines: Vec<String> = self.lines.iter().map(u64::to_string).collect();
        let lines = lines.join(", ");
        let more = self.count > self.lines.len();
        let groups: Vec<String> = self
            .names
            .iter()
            .map(|group| {
                let quoted: Vec<String> = group.iter().map(|n| format!("«{n}»")).collect();
                quoted.join(" / ")
            })
            .collect();
        let groups = groups.join("; ");
        match (language, self.code) {
            (Language::Danish, WarningCode::DuplicateSpellId) => format!(
                "{} rækker har et `spell_id`, som også står på en anden række (linje {lines}{}). Er forløb talt to gange?",
                self.count,
                if more { " …" } else { "" }
            ),
            (Language::English, WarningCode::DuplicateSpellId) => format!(
                "{} rows have a `spell_id` that another row has too (lines {lines}{}). Are spells counted twice?",
                self.count,
                if more { " …" } else { "" }
            ),
            (Language::Danish, WarningCode::OverlappingSpells) => format!(
                "{} forløb overlapper et andet forløb for samme `person_id` (linje {lines}{}). En person kan kun være i én kommune ad gangen.",
                self.count,
                if more { " …" } else { "" }
            ),
            (Language::English, WarningCode::OverlappingSpells) => format!(
                "{} spells overlap another spell of the same `person_id` (lines {lines}{}). A person can be in only one municipality at a time.",
                self.count,
                if more { " …" } else { "" }
            ),
            (Language::Danish, WarningCode::LookalikeMunicipalities) => format!(
                "Kommunenavne, der næsten er ens, rangordnes som forskellige kommuner: {groups} (linje {lines}). Ret stavningen, hvis det er samme kommune."
            ),
            (Language::English, WarningCode::LookalikeMunicipalities) => format!(
                "Municipality names that are almost the same are ranked as different municipalities: {groups} (lines {lines}). Correct the spelling if they are one municipality."
            ),
            (Language::Danish, WarningCode::ImplausibleDates) => format!(
                "{} rækker har en dato før 1950 eller efter 2100 (linje {lines}{}). Er årstallet skrevet rigtigt?",
                self.count,
                if more { " …" } else { "" }
            ),
            (Language::English, WarningCode::ImplausibleDates) => format!(
                "{} rows have a date before 1950 or after 2100 (lines {lines}{}). Is the year right?",
                self.count,
                if more { " …" } else { "" }
            ),
            (Language::Danish, WarningCode::UnusedMapping) => format!(
                "Navne i omkodningsfilens kolonne `from`, som ikke findes i data ({}): {groups} (omkodningsfilens linje {lines}). Er de stavet som i data?",
                self.count
            ),
            (Language::English, WarningCode::UnusedMapping) => format!(
                "Names in the mapping file's `from` column that do not occur in the data ({}): {groups} (mapping file lines {lines}). Are they spelt as in the data?",
                self.count
            ),
            (Language::Danish, WarningCode::MunicipalCovariatesAveraged) => format!(
                "{} enheder er lagt sammen af flere kommuner; deres kommunale talvariable er gennemsnit vægtet med antal forløb: {}.",
                self.count,
                merged_units(&self.names, "af")
            ),
            (Language::English, WarningCode::MunicipalCovariatesAveraged) => format!(
                "{} units merge several municipalities; their numeric municipal covariates are means weighted by spells: {}.",
                self.count,
                merged_units(&self.names, "of")
            ),
        }
    }
}

/// "«Unit» (of «A», «B»); …" for groups of [unit, municipalities…].
fn merged_units(groups: &[Vec<String>], of: &str) -> String {
    groups
        .iter()
        .filter_map(|group| {
            let (unit, parts) = group.split_first()?;
            let parts: Vec<String> = parts.iter().map(|p| format!("«{p}»")).collect();
            Some(format!("«{unit}» ({of} {})", parts.join(", ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The key under which look-alike names meet: NFKC, case-folded, without whitespace and
/// format characters (zero-width spaces, joiners, the BOM, soft hyphens…).
pub fn lookalike_key(name: &str) -> String {
    name.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !is_format_character(*c))
        .collect()
}

/// Unicode's general category Cf (format) for the characters that occur in pasted text.
fn is_format_character(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// An identifier of a valid row, kept for the warnings: its hash and where its text lies in
/// the collector's arena.
#[derive(Clone, Copy, Debug)]
struct IdSpan {
    hash: u64,
    start: usize,
    end: usize,
}

/// Collects what the warnings need from the valid rows, as they come.
///
/// Every identifier's text goes into one arena and each row adds a fixed-size record, so a
/// million rows cost two growing vectors, not two million small allocations and hash-map
/// entries; `finish` sorts the records by (hash, text) and compares the texts of equal
/// hashes exactly, so a hash collision never makes a false warning.
#[derive(Debug, Default)]
pub(super) struct WarningCollector {
    arena: String,
    /// (spell_id, line) per row that has one.
    spell_ids: Vec<(IdSpan, u64)>,
    /// (person_id, entry day, end day, line) per row that has one.
    persons: Vec<(IdSpan, i64, i64, u64)>,
    implausible_lines: Vec<u64>,
}

impl WarningCollector {
    fn keep(&mut self, id: &str) -> IdSpan {
        let start = self.arena.len();
        self.arena.push_str(id);
        let mut hasher = Fnv1a::default();
        std::hash::Hasher::write(&mut hasher, id.as_bytes());
        IdSpan {
            hash: std::hash::Hasher::finish(&hasher),
            start,
            end: self.arena.len(),
        }
    }

    /// A valid row: its identifiers (if the file has them) and its dates.
    pub(super) fn observe(
        &mut self,
        line: u64,
        spell_id: Option<&str>,
        person_id: Option<&str>,
        permit: Date,
        entry: Date,
        end: Date,
    ) {
        if let Some(id) = spell_id.map(str::trim).filter(|id| !id.is_empty()) {
            let span = self.keep(id);
            self.spell_ids.push((span, line));
        }
        if let Some(id) = person_id.map(str::trim).filter(|id| !id.is_empty()) {
            let span = self.keep(id);
            self.persons
                .push((span, entry.days_since_epoch(), end.days_since_epoch(), line));
        }
        let plausible = |d: Date| (1950..=2100).contains(&d.year);
        if !(plausible(permit) && plausible(entry) && plausible(end)) {
            self.implausible_lines.push(line);
        }
    }

    /// The warnings, given each municipality's name and the line where it first appears.
    pub(super) fn finish(self, municipalities: &[(String, u64)]) -> Vec<ReadWarning> {
        let WarningCollector {
            arena,
            mut spell_ids,
            mut persons,
            implausible_lines,
        } = self;
        let text = |span: &IdSpan| &arena[span.start..span.end];
        let by_id = |a: &IdSpan, b: &IdSpan| a.hash.cmp(&b.hash).then_with(|| text(a).cmp(text(b)));
        let mut warnings = Vec::new();
        let listed = |mut lines: Vec<u64>| {
            lines.sort_unstable();
            lines.dedup();
            let count = lines.len();
            lines.truncate(MAX_WARNING_LINES);
            (count, lines)
        };
        // Every row of a `spell_id` that occurs more than once is listed.
        spell_ids.sort_unstable_by(|a, b| by_id(&a.0, &b.0).then(a.1.cmp(&b.1)));
        let mut duplicate_lines = Vec::new();
        for group in spell_ids.chunk_by(|a, b| by_id(&a.0, &b.0).is_eq()) {
            if group.len() > 1 {
                duplicate_lines.extend(group.iter().map(|&(_, line)| line));
            }
        }
        if !duplicate_lines.is_empty() {
            let (count, lines) = listed(duplicate_lines);
            warnings.push(ReadWarning {
                code: WarningCode::DuplicateSpellId,
                count,
                lines,
                names: Vec::new(),
            });
        }
        // Per person, spells sorted by (entry, end, line).
        persons.sort_unstable_by(|a, b| {
            by_id(&a.0, &b.0)
                .then(a.1.cmp(&b.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        let mut overlapping = Vec::new();
        for spells in persons.chunk_by(|a, b| by_id(&a.0, &b.0).is_eq()) {
            if spells.len() < 2 {
                continue;
            }
            // (entry, end] intervals sorted by entry: one overlaps an earlier one when it
            // enters before the latest end so far.
            let (mut latest_end, mut latest_line) = (spells[0].2, spells[0].3);
            for &(_, entry, end, line) in &spells[1..] {
                if entry < latest_end {
                    overlapping.push(latest_line);
                    overlapping.push(line);
                }
                if end > latest_end {
                    latest_end = end;
                    latest_line = line;
                }
            }
        }
        if !overlapping.is_empty() {
            let (count, lines) = listed(overlapping);
            warnings.push(ReadWarning {
                code: WarningCode::OverlappingSpells,
                count,
                lines,
                names: Vec::new(),
            });
        }
        let mut by_key: HashMap<String, Vec<&(String, u64)>> = HashMap::new();
        for municipality in municipalities {
            by_key
                .entry(lookalike_key(&municipality.0))
                .or_default()
                .push(municipality);
        }
        let mut groups: Vec<Vec<&(String, u64)>> =
            by_key.into_values().filter(|g| g.len() > 1).collect();
        if !groups.is_empty() {
            for group in &mut groups {
                group.sort_by_key(|(_, line)| *line);
            }
            groups.sort_by_key(|group| group[0].1);
            let lines: Vec<u64> = groups.iter().flatten().map(|(_, line)| *line).collect();
            let names = groups
                .iter()
                .map(|group| group.iter().map(|(name, _)| name.clone()).collect())
                .collect();
            let (count, lines) = listed(lines);
            warnings.push(ReadWarning {
                code: WarningCode::LookalikeMunicipalities,
                count,
                lines,
                names,
            });
        }
        if !implausible_lines.is_empty() {
            let (count, lines) = listed(implausible_lines);
            warnings.push(ReadWarning {
                code: WarningCode::ImplausibleDates,
                count,
                lines,
                names: Vec::new(),
            });
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalike_names_meet_and_real_differences_do_not() {
        assert_eq!(lookalike_key("Tårnby"), lookalike_key("Ta\u{30a}rnby"));
        assert_eq!(lookalike_key("Aarhus"), lookalike_key("aarhus"));
        assert_eq!(lookalike_key("Aarhus"), lookalike_key("Aar\u{200b}hus"));
        assert_ne!(lookalike_key("Søby"), lookalike_key("Såby"));
        assert_ne!(
            lookalike_key("Høje-Taastrup"),
            lookalike_key("Høje Taastrup")
        );
    }
}
