//! Why the ranking model cannot be estimated: one error for the design, stage 1 and stage 2
//! (the kernel and the checker return it; none of them imports the driver).

use crate::Language;

/// Why the model cannot be estimated.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ModelError {
    InvalidOption {
        option: String,
        value: f64,
    },
    /// horizon / piece width gives more pieces than the fit allows.
    TooManyPieces {
        n_pieces: f64,
        max: usize,
    },
    NoEventsWithinHorizon {
        horizon_months: f64,
    },
    ConstantCovariate {
        column: String,
    },
    Collinear {
        term: String,
    },
    NotConverged {
        iterations: usize,
        max_abs_score: f64,
    },
    /// The stage-2 design is singular: too few ranked municipalities, or a municipal
    /// covariate that is constant or collinear among them.
    StageTwoSingular {
        column: String,
        n_ranked: usize,
    },
    /// A municipal categorical covariate has the same level in every ranked municipality.
    StageTwoConstant {
        column: String,
        level: String,
        n_ranked: usize,
    },
    /// More individual model terms than the fit allows.
    TooManyTerms {
        n_terms: usize,
        max: usize,
    },
    /// |β̂| > 20 after convergence: the likelihood has no finite maximum in this term.
    Diverged {
        term: String,
        estimate: f64,
    },
    /// Fewer ranked municipalities than stage 2 needs (one more than its columns).
    TooFewRanked {
        n_ranked: usize,
        needed: usize,
    },
}

impl ModelError {
    /// A stable code for programs (`model_error.code` in the JSON).
    pub fn code(&self) -> &'static str {
        match self {
            ModelError::InvalidOption { .. } => "invalid_option",
            ModelError::TooManyPieces { .. } => "too_many_pieces",
            ModelError::NoEventsWithinHorizon { .. } => "no_events_within_horizon",
            ModelError::ConstantCovariate { .. } => "constant_covariate",
            ModelError::Collinear { .. } => "collinear",
            ModelError::NotConverged { .. } => "not_converged",
            ModelError::StageTwoSingular { .. } => "stage_two_singular",
            ModelError::StageTwoConstant { .. } => "stage_two_constant",
            ModelError::TooFewRanked { .. } => "too_few_ranked",
            ModelError::Diverged { .. } => "diverged",
            ModelError::TooManyTerms { .. } => "too_many_terms",
        }
    }

    pub fn message(&self, language: Language) -> String {
        use Language::{Danish, English};
        match (language, self) {
            (Danish, ModelError::InvalidOption { option, value }) => {
                format!("Indstillingen --{option} skal være et positivt tal, ikke {value}.")
            }
            (English, ModelError::InvalidOption { option, value }) => {
                format!("The option --{option} must be a positive number, not {value}.")
            }
            (Danish, ModelError::TooManyPieces { n_pieces, max }) => format!(
                "Horisonten delt i baseline-intervaller giver {n_pieces} intervaller; højst {max} er tilladt. Brug længere intervaller eller en kortere horisont."
            ),
            (English, ModelError::TooManyPieces { n_pieces, max }) => format!(
                "The horizon divided into baseline pieces gives {n_pieces} pieces; at most {max} are allowed. Use longer pieces or a shorter horizon."
            ),
            (Danish, ModelError::NoEventsWithinHorizon { horizon_months }) => format!(
                "Ingen forløb slutter med selvforsørgelse eller uddannelse inden for {horizon_months} måneder: modellen kan ikke estimeres."
            ),
            (English, ModelError::NoEventsWithinHorizon { horizon_months }) => format!(
                "No spell ends in self-support or education within {horizon_months} months: the model cannot be estimated."
            ),
            (Danish, ModelError::ConstantCovariate { column }) => {
                format!("Variablen `{column}` er konstant: dens effekt kan ikke estimeres. Fjern den eller giv den rollen ignore.")
            }
            (English, ModelError::ConstantCovariate { column }) => {
                format!("The covariate `{column}` is constant: it cannot be estimated. Remove it or give it the role ignore.")
            }
            (Danish, ModelError::Collinear { term }) => format!(
                "`{term}` er kollineær med andre led i modellen (fx konstant inden for hver kommune): den kan ikke estimeres."
            ),
            (English, ModelError::Collinear { term }) => format!(
                "`{term}` is collinear with other terms of the model (e.g. constant within each municipality): it cannot be estimated."
            ),
            (Danish, ModelError::NotConverged { iterations, max_abs_score }) => format!(
                "Estimationen konvergerede ikke efter {iterations} iterationer (største skalerede score {max_abs_score:.3e})."
            ),
            (English, ModelError::NotConverged { iterations, max_abs_score }) => format!(
                "The estimation did not converge in {iterations} iterations (largest scaled score {max_abs_score:.3e})."
            ),
            (Danish, ModelError::StageTwoSingular { column, n_ranked }) => format!(
                "Den kommunale variabel `{column}` kan ikke bruges blandt de {n_ranked} rangordnede kommuner (den er konstant eller kollineær, eller der er for få kommuner)."
            ),
            (English, ModelError::StageTwoSingular { column, n_ranked }) => format!(
                "The municipal covariate `{column}` cannot be used among the {n_ranked} ranked municipalities (it is constant or collinear, or there are too few municipalities)."
            ),
            (Danish, ModelError::StageTwoConstant { column, level, n_ranked }) => format!(
                "Den kommunale variabel `{column}` har værdien `{level}` i alle {n_ranked} rangordnede kommuner: dens effekt kan ikke estimeres. Giv den rollen ignore."
            ),
            (English, ModelError::StageTwoConstant { column, level, n_ranked }) => format!(
                "The municipal covariate `{column}` is `{level}` in all {n_ranked} ranked municipalities: its effect cannot be estimated. Give it the role ignore."
            ),
            (Danish, ModelError::TooManyTerms { n_terms, max }) => format!(
                "Modellen ville få {n_terms} led for borgernes forhold; højst {max} er tilladt. Giv kategoriske variable med mange værdier (fx et id) rollen ignore."
            ),
            (English, ModelError::TooManyTerms { n_terms, max }) => format!(
                "The model would have {n_terms} terms for the individual characteristics; at most {max} are allowed. Give categorical covariates with many values (e.g. an identifier) the role ignore."
            ),
            (Danish, ModelError::Diverged { term, estimate }) => format!(
                "Estimatet for `{term}` løber mod uendelig ({estimate:.1} på log-skala): alle med denne værdi (eller alle uden) er fx selvforsørgende med det samme eller aldrig. Slå niveauer sammen, eller giv variablen rollen ignore."
            ),
            (English, ModelError::Diverged { term, estimate }) => format!(
                "The estimate for `{term}` runs off to infinity ({estimate:.1} on the log scale): e.g. everyone with this value (or everyone without it) becomes self-supporting at once or never. Merge levels, or give the covariate the role ignore."
            ),
            (Danish, ModelError::TooFewRanked { n_ranked, needed }) => format!(
                "Der er {n_ranked} rangordnede kommuner, men sammenligningen med de kommunale forhold kræver mindst {needed}. Sænk mindste antal forløb, eller fjern kommunale variable."
            ),
            (English, ModelError::TooFewRanked { n_ranked, needed }) => format!(
                "There are {n_ranked} ranked municipalities, but the comparison with the municipal characteristics needs at least {needed}. Lower the minimum number of spells, or remove municipal covariates."
            ),
        }
    }
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Language::English))
    }
}

impl std::error::Error for ModelError {}
