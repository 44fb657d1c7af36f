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
    /// Fewer ranked municipalities than stage 2 needs (one more than its columns).
    TooFewRanked {
        n_ranked: usize,
        needed: usize,
    },
}

impl ModelError {
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
