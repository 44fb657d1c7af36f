//! The messages between the page and the analysis worker (plain serde data; the `File` to
//! read travels beside them, as the `file` property of the request object).

use kommunebench_engine::model::profile::MunicipalityProfile;
use kommunebench_engine::read::{ColumnUsage, SourceFormat, TextEncoding};
use kommunebench_engine::report::JsonReport;
use kommunebench_engine::survival::tables::CohortCurve;
use serde::{Deserialize, Serialize};

/// What the page asks of the worker.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Request {
    pub action: Action,
    /// The file's name, for the report (the `File` itself is attached beside).
    pub source_name: String,
    /// `(column, role code)` for columns whose role the user set.
    pub roles: Vec<(String, String)>,
    pub sheet: Option<String>,
    pub horizon_months: f64,
    pub piece_months: f64,
    pub min_spells: usize,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Action {
    /// Read the header of the attached file: columns and their default uses.
    Inspect,
    /// Read and analyse the attached file.
    Analyse,
    /// Generate the demo data set and analyse it.
    AnalyseDemo,
}

/// What the worker answers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind")]
pub enum Response {
    /// The worker has loaded and listens.
    Ready,
    Progress(Progress),
    Columns {
        columns: Vec<ColumnInfo>,
        format: String,
        /// The sheets of an xlsx workbook (empty for CSV) and the one read.
        sheets: Vec<String>,
        sheet: Option<String>,
    },
    Results(Box<WebResult>),
    /// A fatal problem, in both languages.
    Failed {
        danish: String,
        english: String,
    },
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub enum Progress {
    Reading {
        bytes_read: f64,
        total_bytes: f64,
    },
    Fitting {
        iteration: usize,
        max_abs_score: f64,
    },
}

/// A header column for the role step.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    /// `spell`, `identifier`, `covariate` or `unknown`.
    pub usage: String,
    /// The default role code for covariates (`individual-numeric`, …), else `ignore`.
    pub default_role: String,
}

impl ColumnInfo {
    pub fn new(name: String, usage: &ColumnUsage) -> ColumnInfo {
        let (usage, default_role) = match usage {
            ColumnUsage::Spell => ("spell", "ignore"),
            ColumnUsage::Identifier => ("identifier", "ignore"),
            ColumnUsage::Covariate(role) => ("covariate", role.code()),
            ColumnUsage::Unknown => ("unknown", "ignore"),
        };
        ColumnInfo {
            name,
            usage: usage.to_owned(),
            default_role: default_role.to_owned(),
        }
    }

    /// Spell columns and identifiers have fixed meanings: no role to choose.
    pub fn has_role(&self) -> bool {
        self.usage == "covariate" || self.usage == "unknown"
    }
}

/// A short description of how the file was read ("CSV, Windows-1252, `;`" / "xlsx, sheet …").
pub fn describe_format(format: &SourceFormat) -> String {
    match format {
        SourceFormat::Csv {
            encoding,
            delimiter,
        } => {
            let encoding = match encoding {
                TextEncoding::Utf8 => "UTF-8",
                TextEncoding::Utf8WithBom => "UTF-8 (BOM)",
                TextEncoding::Windows1252 => "Windows-1252",
            };
            let delimiter = if *delimiter == '\t' {
                "tab".to_owned()
            } else {
                format!("'{delimiter}'")
            };
            format!("CSV, {encoding}, {delimiter}")
        }
        SourceFormat::Xlsx { sheet } => format!("xlsx, {sheet}"),
    }
}

/// One cohort's Kaplan–Meier curve as steps (t, F(t)), starting at (0, 0).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CurvePoints {
    pub permit_year: i32,
    pub time: Vec<f64>,
    pub cumulative: Vec<f64>,
    /// The largest exit time: the curve is drawn up to here.
    pub max_time: f64,
}

impl CurvePoints {
    pub fn of(curve: &CohortCurve) -> CurvePoints {
        let time = std::iter::once(0.0)
            .chain(curve.km.time.iter().copied())
            .collect();
        let cumulative = std::iter::once(0.0)
            .chain(curve.km.survival.iter().map(|s| 1.0 - s))
            .collect();
        CurvePoints {
            permit_year: curve.permit_year,
            time,
            cumulative,
            max_time: curve.km.max_time_exit,
        }
    }
}

/// Everything the results page shows.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WebResult {
    pub source_name: String,
    pub format: String,
    /// The report of MODEL.md §5, with English messages for excluded rows.
    pub report: JsonReport,
    /// The Danish messages of the excluded rows, in the same order.
    pub excluded_messages_danish: Vec<String>,
    pub curves: Vec<CurvePoints>,
    /// The drill-down of each ranked municipality, in rank order.
    pub profiles: Vec<MunicipalityProfile>,
}
