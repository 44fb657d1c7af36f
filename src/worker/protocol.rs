//! The messages between the page and the analysis worker (plain serde data; the `File` to
//! read travels beside them, as the `file` property of the request object).

use kommunebench_engine::measure::compare::PreviousRanking;
use kommunebench_engine::measure::{MeasureError, PermitYears};
use kommunebench_engine::model::profile::MunicipalityProfile;
use kommunebench_engine::model::ModelError;
use kommunebench_engine::progress::PhaseTimes;
use kommunebench_engine::read::warnings::ReadWarning;
use kommunebench_engine::read::{ColumnUsage, ExcludedRow, ReadError, SourceFormat};
use kommunebench_engine::report::JsonReport;
use kommunebench_engine::survival::tables::CohortCurve;
use kommunebench_engine::Role;
use serde::{Deserialize, Serialize};

use crate::state::SuccessChoice;

/// What the page asks of the worker.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Request {
    pub action: Action,
    /// The page's number for the chosen spell file (1, 2, … per file chosen; 0: none): the
    /// worker keeps a file's bytes from reading its header to its analyses, and uses them
    /// only for a request with the same number.
    pub file_id: u64,
    /// The file's name, for the report (the `File` itself is attached beside).
    pub source_name: String,
    /// The role of each column that can have one, as the user left it.
    pub roles: Vec<(String, Role)>,
    pub sheet: Option<String>,
    pub horizon_months: f64,
    pub piece_months: f64,
    pub min_spells: usize,
    /// MODEL.md §9.
    pub success: SuccessChoice,
    pub permit_years: PermitYears,
    /// The mapping file's name (the `File` itself is attached beside, as `map`).
    pub map_name: Option<String>,
    /// For `ExportXlsx` only.
    pub export: Option<Box<ExportRequest>>,
    /// For `Profile` only: the ranked municipality whose drill-down is asked for.
    pub municipality: Option<String>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Action {
    /// Read the header of the attached file: columns and their default uses.
    Inspect,
    /// Read and analyse the attached file.
    Analyse,
    /// Generate the demo data set and analyse it.
    AnalyseDemo,
    /// Read the attached earlier measurement (MODEL.md §9 `--compare`).
    ReadPrevious,
    /// The drill-down of the ranked municipality named in `municipality`, from the last
    /// analysis the worker kept.
    Profile,
    /// The ranking of `export` as an Excel workbook: the xlsx writer lives in the worker's
    /// wasm, which is fetched when the first analysis starts, not in the page's.
    ExportXlsx,
}

/// The report to export as xlsx, and in which language.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportRequest {
    pub report: JsonReport,
    pub danish: bool,
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
        format: SourceFormat,
        /// The sheets of an xlsx workbook (empty for CSV) and the one read.
        sheets: Vec<String>,
        sheet: Option<String>,
    },
    Results(Box<WebResult>),
    /// The earlier measurement's ranks.
    Previous(PreviousRanking),
    /// The earlier measurement could not be read (the results stay).
    PreviousFailed(WorkerError),
    /// The workbook of `ExportXlsx`, or why it could not be written.
    Xlsx {
        bytes: Option<Vec<u8>>,
        error: Option<String>,
    },
    /// A municipality's drill-down; `None` when the worker no longer holds the analysis.
    Profile {
        municipality: String,
        profile: Option<Box<MunicipalityProfile>>,
    },
    /// A fatal problem; the page words it in the chosen language.
    Failed(WorkerError),
}

/// Why the worker could not answer. Engine errors cross as they are (with their parameters)
/// and are worded by the page (`crate::i18n::error_text`), in the language shown.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub enum WorkerError {
    Read(ReadError),
    Model(ModelError),
    /// A measurement choice of MODEL.md §9 that cannot be carried out.
    Measure(MeasureError),
    /// An analysis of a file was asked for without a file.
    NoFile,
    /// The worker could not read the page's message (a bug): the detail.
    BadRequest(String),
    /// The page could not read the worker's answer (a bug): the detail.
    BadAnswer(String),
    /// The browser could not start or reach the worker.
    Unreachable,
    /// The worker's seal against the network did not hold: what stayed reachable.
    Unsealed(String),
    /// The worker stopped with an error (a panic, out of memory): the browser's words.
    Crashed(String),
    /// The file is larger than the browser version reads.
    FileTooLarge {
        bytes: f64,
        limit_bytes: f64,
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
    pub usage: ColumnUsage,
}

impl ColumnInfo {
    /// Spell columns and identifiers have fixed meanings: no role to choose.
    pub fn has_role(&self) -> bool {
        matches!(self.usage, ColumnUsage::Covariate(_) | ColumnUsage::Unknown)
    }

    /// The role MODEL.md gives the column (`ignore` for columns it does not know).
    pub fn default_role(&self) -> Role {
        match self.usage {
            ColumnUsage::Covariate(role) => role,
            _ => Role::Ignore,
        }
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
    pub format: SourceFormat,
    /// The report of MODEL.md §5 (its excluded rows' messages in English).
    pub report: JsonReport,
    /// The excluded rows with their reasons as data, worded by the page in its language.
    pub excluded_rows: Vec<ExcludedRow>,
    /// Warnings about the valid rows (MODEL.md §6), worded by the page.
    pub warnings: Vec<ReadWarning>,
    /// Why the ranking model could not be fitted; the tables are shown all the same.
    pub model_error: Option<ModelError>,
    pub curves: Vec<CurvePoints>,
    /// The seconds of each step in the worker (the page adds its own).
    pub phases: PhaseTimes,
    /// The worker's wasm memory after the analysis (it only grows, so this is its peak);
    /// set by the worker's glue, `None` natively.
    pub worker_memory_bytes: Option<f64>,
}
