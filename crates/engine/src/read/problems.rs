//! What the reader reports: a row left out ([`ExcludedRow`] with its [`RowProblem`]) and a
//! file it cannot use ([`ReadError`]), in Danish and English.

use crate::Language;

/// Why a row was left out. The first problem found is reported, checking in this order:
/// field count, `municipality`, `permit_date`, `end_date`, `entry_date`, `outcome`, the date
/// order, then the covariates in header order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RowProblem {
    WrongFieldCount {
        expected: usize,
        found: usize,
    },
    MissingValue,
    InvalidDate,
    UnknownOutcome,
    EntryBeforePermit,
    EndNotAfterEntry,
    NotANumber,
    /// A field longer than [`MAX_FIELD_CHARS`] characters.
    FieldTooLong,
    /// A number with |x| > 1e9 (MODEL.md §6): no covariate of a spell is that large, and such
    /// a value would wreck the model's numerics.
    NumberOutOfRange,
}

/// The longest field a row may have (MODEL.md §6).
pub const MAX_FIELD_CHARS: usize = 10_000;
/// How much of an excluded row's value is kept (MODEL.md §6): the first 200 characters and `…`.
pub const MAX_VALUE_CHARS: usize = 200;
/// The largest magnitude a number may have (MODEL.md §6).
pub const MAX_NUMBER_MAGNITUDE: f64 = 1e9;

impl RowProblem {
    /// A stable code for programs (`excluded_rows[].reason` in the JSON).
    pub fn code(self) -> &'static str {
        match self {
            RowProblem::WrongFieldCount { .. } => "wrong_field_count",
            RowProblem::MissingValue => "missing_value",
            RowProblem::InvalidDate => "invalid_date",
            RowProblem::UnknownOutcome => "unknown_outcome",
            RowProblem::EntryBeforePermit => "entry_before_permit",
            RowProblem::EndNotAfterEntry => "end_not_after_entry",
            RowProblem::NotANumber => "not_a_number",
            RowProblem::FieldTooLong => "field_too_long",
            RowProblem::NumberOutOfRange => "number_out_of_range",
        }
    }
}

/// A row left out of the analysis.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExcludedRow {
    /// 1-based physical line where the record starts (header = line 1), or the sheet row.
    pub line: u64,
    /// The column at fault, as written in the header (none for a wrong field count).
    pub column: Option<String>,
    /// The offending value, trimmed (none for a wrong field count).
    pub value: Option<String>,
    pub problem: RowProblem,
}

impl ExcludedRow {
    /// A sentence for an officer, e.g. "Line 14: `permit_date` is “2003-02-30”, which is not a
    /// valid date (use YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY)."
    pub fn message(&self, language: Language) -> String {
        let column = self.column.as_deref().unwrap_or("");
        let value = self.value.as_deref().unwrap_or("");
        let line = self.line;
        match (language, self.problem) {
            (Language::Danish, RowProblem::WrongFieldCount { expected, found }) => format!(
                "Linje {line}: rækken har {found} felter, men overskriften har {expected}."
            ),
            (Language::English, RowProblem::WrongFieldCount { expected, found }) => format!(
                "Line {line}: the row has {found} fields but the header has {expected}."
            ),
            (Language::Danish, RowProblem::MissingValue) => {
                format!("Linje {line}: `{column}` er tom, men skal udfyldes.")
            }
            (Language::English, RowProblem::MissingValue) => {
                format!("Line {line}: `{column}` is empty but must have a value.")
            }
            (Language::Danish, RowProblem::InvalidDate) => format!(
                "Linje {line}: `{column}` er «{value}», som ikke er en gyldig dato (brug ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ eller DD.MM.ÅÅÅÅ)."
            ),
            (Language::English, RowProblem::InvalidDate) => format!(
                "Line {line}: `{column}` is “{value}”, which is not a valid date (use YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY)."
            ),
            (Language::Danish, RowProblem::UnknownOutcome) => format!(
                "Linje {line}: `{column}` er «{value}»; brug selvforsørgelse, uddannelse eller ingen (self_support, education, none)."
            ),
            (Language::English, RowProblem::UnknownOutcome) => format!(
                "Line {line}: `{column}` is “{value}”; use self_support, education or none (selvforsørgelse, uddannelse, ingen)."
            ),
            (Language::Danish, RowProblem::EntryBeforePermit) => format!(
                "Linje {line}: `entry_date` ({value}) ligger før `permit_date`."
            ),
            (Language::English, RowProblem::EntryBeforePermit) => format!(
                "Line {line}: `entry_date` ({value}) is before `permit_date`."
            ),
            (Language::Danish, RowProblem::EndNotAfterEntry) => format!(
                "Linje {line}: `end_date` ({value}) ligger ikke efter forløbets start (`entry_date` eller `permit_date`)."
            ),
            (Language::English, RowProblem::EndNotAfterEntry) => format!(
                "Line {line}: `end_date` ({value}) is not after the start of the spell (`entry_date` or `permit_date`)."
            ),
            (Language::Danish, RowProblem::NotANumber) => {
                format!("Linje {line}: `{column}` er «{value}», som ikke er et tal.")
            }
            (Language::English, RowProblem::NotANumber) => {
                format!("Line {line}: `{column}` is “{value}”, which is not a number.")
            }
            (Language::Danish, RowProblem::FieldTooLong) => format!(
                "Linje {line}: `{column}` er længere end {MAX_FIELD_CHARS} tegn (den begynder «{value}»)."
            ),
            (Language::English, RowProblem::FieldTooLong) => format!(
                "Line {line}: `{column}` is longer than {MAX_FIELD_CHARS} characters (it starts “{value}”)."
            ),
            (Language::Danish, RowProblem::NumberOutOfRange) => format!(
                "Linje {line}: `{column}` er «{value}», som er større end 1.000.000.000 i absolut værdi."
            ),
            (Language::English, RowProblem::NumberOutOfRange) => format!(
                "Line {line}: `{column}` is “{value}”, which is larger than 1,000,000,000 in absolute value."
            ),
        }
    }
}

/// A problem that makes the whole file unusable.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ReadError {
    /// The source could not be read (the caller's I/O failed).
    Source {
        detail: String,
    },
    /// No header line: the file is empty or holds only blank lines.
    Empty,
    DuplicateColumn {
        name: String,
    },
    MissingColumn {
        name: String,
    },
    /// A role was given for a column the file does not have.
    RoleForUnknownColumn {
        name: String,
    },
    /// A role was given for one of the spell columns, which have fixed meanings.
    RoleForSpellColumn {
        name: String,
    },
    MunicipalCovariateNotConstant {
        column: String,
        municipality: String,
        line: u64,
        first_value: String,
        value: String,
    },
    /// Every row was excluded: how many per reason code (most frequent first), and the
    /// first excluded row.
    NoValidRows {
        n_excluded: usize,
        by_reason: Vec<(String, usize)>,
        first: Option<Box<ExcludedRow>>,
    },
    Workbook {
        detail: String,
    },
    SheetNotFound {
        name: String,
        available: Vec<String>,
    },
    /// An xlsx workbook that would make the reader allocate without bound.
    UnsafeWorkbook(UnsafeWorkbook),
    /// A quoted field is still open at the end of the file (MODEL.md §6): every later row
    /// would vanish inside it.
    UnterminatedQuote {
        line: u64,
    },
    /// A UTF-8 byte-order mark in front of text that is not UTF-8.
    BomButNotUtf8 {
        line: u64,
    },
    /// Lines in UTF-8 and lines in another encoding in one file (two exports pasted together).
    MixedEncodings {
        utf8_line: u64,
        other_line: u64,
    },
}

/// Why a workbook is refused before it is read (see `read::xlsx`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UnsafeWorkbook {
    /// Its XML decompresses to more than `limit_bytes`.
    TooLarge { limit_bytes: u64 },
    /// A large part is compressed more than any spreadsheet is (a zip bomb).
    CompressionRatio { part: String, ratio: u64 },
    /// `sharedStrings.xml` declares more strings than its size can hold.
    SharedStrings { declared: u64, bytes: u64 },
}

impl ReadError {
    pub fn message(&self, language: Language) -> String {
        use Language::{Danish, English};
        match (language, self) {
            (Danish, ReadError::Source { detail }) => format!("Filen kunne ikke læses: {detail}"),
            (English, ReadError::Source { detail }) => format!("The file could not be read: {detail}"),
            (Danish, ReadError::Empty) => "Filen er tom: der er ingen overskriftslinje.".to_owned(),
            (English, ReadError::Empty) => "The file is empty: there is no header line.".to_owned(),
            (Danish, ReadError::DuplicateColumn { name }) => {
                format!("Kolonnen `{name}` står to gange i overskriften.")
            }
            (English, ReadError::DuplicateColumn { name }) => {
                format!("The column `{name}` appears twice in the header.")
            }
            (Danish, ReadError::MissingColumn { name }) => {
                format!("Filen mangler den påkrævede kolonne `{name}`.")
            }
            (English, ReadError::MissingColumn { name }) => {
                format!("The file lacks the required column `{name}`.")
            }
            (Danish, ReadError::RoleForUnknownColumn { name }) => {
                format!("Der er angivet en rolle for kolonnen `{name}`, men filen har ingen sådan kolonne.")
            }
            (English, ReadError::RoleForUnknownColumn { name }) => {
                format!("A role was given for the column `{name}`, but the file has no such column.")
            }
            (Danish, ReadError::RoleForSpellColumn { name }) => {
                format!("Kolonnen `{name}` beskriver selve forløbet og kan ikke få en anden rolle.")
            }
            (English, ReadError::RoleForSpellColumn { name }) => {
                format!("The column `{name}` describes the spell itself and cannot be given another role.")
            }
            (Danish, ReadError::MunicipalCovariateNotConstant { column, municipality, line, first_value, value }) => format!(
                "Den kommunale variabel `{column}` skal være ens for alle forløb i {municipality}, men linje {line} har «{value}», hvor tidligere linjer har «{first_value}»."
            ),
            (English, ReadError::MunicipalCovariateNotConstant { column, municipality, line, first_value, value }) => format!(
                "The municipal covariate `{column}` must be the same for every spell in {municipality}, but line {line} has “{value}” where earlier lines have “{first_value}”."
            ),
            (_, ReadError::NoValidRows {
                n_excluded,
                by_reason,
                first,
            }) => {
                let reasons: Vec<String> = by_reason
                    .iter()
                    .map(|(code, n)| format!("{n} {code}"))
                    .collect();
                let first = first
                    .as_ref()
                    .map(|row| row.message(language))
                    .unwrap_or_default();
                match language {
                    Danish => format!(
                        "Ingen gyldige rækker: alle {n_excluded} rækker blev sorteret fra ({}). Den første: {first}",
                        reasons.join(", ")
                    ),
                    English => format!(
                        "No valid rows: all {n_excluded} rows were excluded ({}). The first: {first}",
                        reasons.join(", ")
                    ),
                }
            }
            (Danish, ReadError::Workbook { detail }) => {
                format!("Excel-filen kunne ikke læses: {detail}")
            }
            (English, ReadError::Workbook { detail }) => {
                format!("The Excel file could not be read: {detail}")
            }
            (Danish, ReadError::SheetNotFound { name, available }) => format!(
                "Excel-filen har intet ark ved navn «{name}» (arkene er: {}).",
                available.join(", ")
            ),
            (English, ReadError::SheetNotFound { name, available }) => format!(
                "The Excel file has no sheet named “{name}” (its sheets are: {}).",
                available.join(", ")
            ),
            (Danish, ReadError::UnsafeWorkbook(UnsafeWorkbook::TooLarge { limit_bytes })) => format!(
                "Excel-filen pakker sig ud til mere end {} MB og læses ikke. Gem arket som CSV, eller brug kommandolinjen.",
                limit_bytes >> 20
            ),
            (English, ReadError::UnsafeWorkbook(UnsafeWorkbook::TooLarge { limit_bytes })) => format!(
                "The Excel file unpacks to more than {} MB and is not read. Save the sheet as CSV, or use the command line.",
                limit_bytes >> 20
            ),
            (Danish, ReadError::UnsafeWorkbook(UnsafeWorkbook::CompressionRatio { part, ratio })) => format!(
                "Excel-filen er ikke et almindeligt regneark: delen «{part}» er pakket {ratio} gange sammen (en «zip-bombe»). Den læses ikke."
            ),
            (English, ReadError::UnsafeWorkbook(UnsafeWorkbook::CompressionRatio { part, ratio })) => format!(
                "The Excel file is not an ordinary spreadsheet: its part “{part}” is compressed {ratio} to 1 (a “zip bomb”). It is not read."
            ),
            (Danish, ReadError::UnsafeWorkbook(UnsafeWorkbook::SharedStrings { declared, bytes })) => format!(
                "Excel-filen er beskadiget eller manipuleret: den angiver {declared} tekster i {bytes} bytes. Åbn og gem den igen i Excel, eller gem arket som CSV."
            ),
            (English, ReadError::UnsafeWorkbook(UnsafeWorkbook::SharedStrings { declared, bytes })) => format!(
                "The Excel file is damaged or tampered with: it declares {declared} texts in {bytes} bytes. Open and save it again in Excel, or save the sheet as CSV."
            ),
            (Danish, ReadError::UnterminatedQuote { line }) => format!(
                "Linje {line}: et citationstegn (\") åbner et felt, som aldrig lukkes. Alle senere rækker ville forsvinde i det felt; ret linjen, og indlæs filen igen."
            ),
            (English, ReadError::UnterminatedQuote { line }) => format!(
                "Line {line}: a quotation mark (\") opens a field that is never closed. Every later row would vanish into that field; correct the line and load the file again."
            ),
            (Danish, ReadError::BomButNotUtf8 { line }) => format!(
                "Filen begynder som UTF-8 (med BOM), men linje {line} er ikke UTF-8 (måske Windows-1252). Gem hele filen i én tegnkodning."
            ),
            (English, ReadError::BomButNotUtf8 { line }) => format!(
                "The file starts as UTF-8 (with a BOM), but line {line} is not UTF-8 (perhaps Windows-1252). Save the whole file in one encoding."
            ),
            (Danish, ReadError::MixedEncodings { utf8_line, other_line }) => format!(
                "Filen blander tegnkodninger: linje {utf8_line} er UTF-8, linje {other_line} er ikke (måske to eksporter sat sammen). Navne som «København» ville blive til to kommuner; gem hele filen i én tegnkodning."
            ),
            (English, ReadError::MixedEncodings { utf8_line, other_line }) => format!(
                "The file mixes encodings: line {utf8_line} is UTF-8, line {other_line} is not (perhaps two exports pasted together). Names like “København” would become two municipalities; save the whole file in one encoding."
            ),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Language::English))
    }
}

impl std::error::Error for ReadError {}
