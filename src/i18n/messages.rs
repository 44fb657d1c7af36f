//! The texts with parameters: role labels, option errors, list counts, file formats and the
//! worker's errors, in Danish and English (the engine words its own errors).

use kommunebench_engine::progress::Phase;
use kommunebench_engine::read::{SourceFormat, TextEncoding};
use kommunebench_engine::Role;

use super::Lang;
use crate::worker::protocol::WorkerError;

impl Lang {
    /// The label of a role in this language.
    pub fn role_label(self, role: Role) -> &'static str {
        let texts = self.texts();
        match role {
            Role::IndividualNumeric => texts.role_individual_numeric,
            Role::IndividualCategorical => texts.role_individual_categorical,
            Role::MunicipalNumeric => texts.role_municipal_numeric,
            Role::MunicipalCategorical => texts.role_municipal_categorical,
            Role::Ignore => texts.role_ignore,
        }
    }
}

impl Lang {
    /// What is wrong with a field of the options form, in this language.
    pub fn option_error(self, field: crate::state::OptionField) -> &'static str {
        use crate::state::OptionField::{Horizon, MinSpells, PermitYears, Piece};
        match (self, field) {
            (Lang::Da, Horizon | Piece) => "Skriv et positivt tal i måneder (fx 48 eller 2,5).",
            (Lang::En, Horizon | Piece) => "Enter a positive number of months (e.g. 48 or 2.5).",
            (Lang::Da, MinSpells) => "Skriv et helt tal på mindst 1.",
            (Lang::En, MinSpells) => "Enter a whole number of at least 1.",
            (Lang::Da, PermitYears) => {
                "Skriv årstal med fire cifre (fx 2001 og 2003); det første højst det sidste. Lad et felt stå tomt for ingen grænse."
            }
            (Lang::En, PermitYears) => {
                "Enter years of four digits (e.g. 2001 and 2003), the first at most the last. Leave a field empty for no limit."
            }
        }
    }
}

impl Lang {
    /// "Showing the first 100 of 2,345 (all are in the download)."
    pub fn shown_of(self, shown: usize, total: usize) -> String {
        match self {
            Lang::Da => {
                format!("Viser de første {shown} af {total} (alle er med i filen, der kan hentes).")
            }
            Lang::En => format!("Showing the first {shown} of {total} (all are in the download)."),
        }
    }
}

/// How a file was read ("CSV, Windows-1252, `;`" / "xlsx, ark …"), in `lang`.
pub fn describe_format(lang: Lang, format: &SourceFormat) -> String {
    match (lang, format) {
        (
            _,
            SourceFormat::Csv {
                encoding,
                delimiter,
            },
        ) => {
            let encoding = match encoding {
                TextEncoding::Utf8 => "UTF-8",
                TextEncoding::Utf8WithBom => "UTF-8 (BOM)",
                TextEncoding::Windows1252 => "Windows-1252",
                TextEncoding::Utf16Le => "UTF-16 LE",
                TextEncoding::Utf16Be => "UTF-16 BE",
            };
            let delimiter = match (lang, *delimiter) {
                (Lang::Da, '\t') => "tabulator".to_owned(),
                (Lang::En, '\t') => "tab".to_owned(),
                (_, other) => format!("'{other}'"),
            };
            format!("CSV, {encoding}, {delimiter}")
        }
        (_, SourceFormat::Xlsx { sheet }) => format!("xlsx, {sheet}"),
    }
}

/// Why the analysis stopped, in `lang`: the engine words its own errors; the rest is here.
pub fn error_text(lang: Lang, error: &WorkerError) -> String {
    match (lang, error) {
        (_, WorkerError::Read(error)) => error.message(lang.engine()),
        (_, WorkerError::Model(error)) => error.message(lang.engine()),
        (_, WorkerError::Measure(error)) => error.message(lang.engine()),
        (Lang::Da, WorkerError::NoFile) => "Der er ikke valgt nogen fil.".to_owned(),
        (Lang::En, WorkerError::NoFile) => "No file was chosen.".to_owned(),
        (Lang::Da, WorkerError::BadRequest(detail)) => {
            format!("Intern fejl i beskeden til beregningen: {detail}")
        }
        (Lang::En, WorkerError::BadRequest(detail)) => {
            format!("Internal error in the message to the analysis: {detail}")
        }
        (Lang::Da, WorkerError::BadAnswer(detail)) => {
            format!("Uventet svar fra beregningen: {detail}")
        }
        (Lang::En, WorkerError::BadAnswer(detail)) => {
            format!("Unexpected answer from the analysis: {detail}")
        }
        (Lang::Da, WorkerError::Unreachable) => {
            "Browseren kunne ikke starte eller nå beregningen. Prøv igen, eller brug en nyere browser.".to_owned()
        }
        (Lang::En, WorkerError::Unreachable) => {
            "The browser could not start or reach the analysis. Try again, or use a newer browser.".to_owned()
        }
        (Lang::Da, WorkerError::Crashed(detail)) => format!(
            "Beregningen stoppede med en fejl ({detail}). Start forfra; er filen meget stor, så brug kommandolinjen."
        ),
        (Lang::En, WorkerError::Crashed(detail)) => format!(
            "The analysis stopped with an error ({detail}). Start over; if the file is very large, use the command line."
        ),
        (Lang::Da, WorkerError::FileTooLarge { bytes, limit_bytes }) => format!(
            "Filen fylder {:.0} MB; browseren læser højst {:.0} MB. Brug kommandolinjen (`kommunebench analyse`), som læser filer i alle størrelser.",
            bytes / 1e6,
            limit_bytes / 1e6
        ),
        (Lang::En, WorkerError::FileTooLarge { bytes, limit_bytes }) => format!(
            "The file is {:.0} MB; the browser reads at most {:.0} MB. Use the command line (`kommunebench analyse`), which reads files of any size.",
            bytes / 1e6,
            limit_bytes / 1e6
        ),
        (Lang::Da, WorkerError::Unsealed(what)) => format!(
            "Beregningen kunne ikke afskærmes fra netværket ({what}); af hensyn til dine data går den ikke i gang."
        ),
        (Lang::En, WorkerError::Unsealed(what)) => format!(
            "The analysis could not be cut off from the network ({what}); to protect your data it does not start."
        ),
    }
}

impl Lang {
    /// The name of a step of the analysis (the model details' table of times).
    pub fn phase_label(self, phase: Phase) -> &'static str {
        match (self, phase) {
            (Lang::Da, Phase::Read) => "Læsning og kontrol af filen",
            (Lang::En, Phase::Read) => "Reading and checking the file",
            (Lang::Da, Phase::Tables) => "Udfalds- og kohortetabeller",
            (Lang::En, Phase::Tables) => "Outcome and cohort tables",
            (Lang::Da, Phase::Design) => "Modellens design",
            (Lang::En, Phase::Design) => "The model's design",
            (Lang::Da, Phase::Newton) => "Trin 1: Newton-iterationer",
            (Lang::En, Phase::Newton) => "Stage 1: Newton iterations",
            (Lang::Da, Phase::StageTwo) => "Trin 2: kommunale forhold",
            (Lang::En, Phase::StageTwo) => "Stage 2: municipal characteristics",
            (Lang::Da, Phase::RestrictedMeans) => "Faktisk og forventet varighed",
            (Lang::En, Phase::RestrictedMeans) => "Observed and expected durations",
            (Lang::Da, Phase::Uncertainty) => "Usikkerhed: intervaller, q-værdier, rangtrækninger",
            (Lang::En, Phase::Uncertainty) => "Uncertainty: intervals, q-values, rank draws",
            (Lang::Da, Phase::Report) => "Kommuneprofiler og rapport",
            (Lang::En, Phase::Report) => "Municipality profiles and report",
            (Lang::Da, Phase::Transfer) => "Overførsel til siden",
            (Lang::En, Phase::Transfer) => "Transfer to the page",
            (Lang::Da, Phase::Render) => "Visning af resultaterne",
            (Lang::En, Phase::Render) => "Showing the results",
        }
    }
}

impl Lang {
    /// Several files were dropped: which one is used.
    pub fn several_files_dropped(self, n_files: u32, used: &str) -> String {
        match self {
            Lang::Da => {
                format!("Du slap {n_files} filer; kommunebench bruger den første: «{used}».")
            }
            Lang::En => {
                format!("You dropped {n_files} files; kommunebench uses the first: «{used}».")
            }
        }
    }
}

impl Lang {
    /// The worker no longer holds the analysis a drill-down was asked of.
    pub fn profile_gone(self, municipality: &str) -> String {
        match self {
            Lang::Da => format!("Profilen for «{municipality}» kan ikke hentes, fordi beregningen er startet forfra. Analysér filen igen for at se den."),
            Lang::En => format!("The profile of «{municipality}» cannot be fetched because the analysis was restarted. Analyse the file again to see it."),
        }
    }
}

impl Lang {
    /// "Rows 101–200 of 1,234" under a paged table.
    pub fn rows_of(self, first: usize, last: usize, total: usize) -> String {
        match self {
            Lang::Da => format!("Række {first}–{last} af {}", self.format_count(total)),
            Lang::En => format!("Rows {first}–{last} of {}", self.format_count(total)),
        }
    }
}
