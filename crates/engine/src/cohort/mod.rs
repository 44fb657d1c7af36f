//! The validated data the statistics work on: one entry per valid spell (MODEL.md §1–2).

pub mod time;
pub mod values;

use values::Outcome;

/// What a column is used for in the model, as the user (or the default of MODEL.md) says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    IndividualNumeric,
    IndividualCategorical,
    MunicipalNumeric,
    MunicipalCategorical,
    Ignore,
}

impl Role {
    /// The CLI spelling (`individual-numeric`, …, `ignore`) of MODEL.md §5.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.code().eq_ignore_ascii_case(text.trim()))
    }

    pub const ALL: [Role; 5] = [
        Role::IndividualNumeric,
        Role::IndividualCategorical,
        Role::MunicipalNumeric,
        Role::MunicipalCategorical,
        Role::Ignore,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::IndividualNumeric => "individual-numeric",
            Role::IndividualCategorical => "individual-categorical",
            Role::MunicipalNumeric => "municipal-numeric",
            Role::MunicipalCategorical => "municipal-categorical",
            Role::Ignore => "ignore",
        }
    }

    pub fn is_municipal(self) -> bool {
        matches!(self, Role::MunicipalNumeric | Role::MunicipalCategorical)
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Role::IndividualNumeric | Role::MunicipalNumeric)
    }

    /// The role MODEL.md §1 gives a column by its (lower-case) name; `None` for columns that
    /// are not covariates (the spell columns, identifiers) and for unknown names.
    pub fn default_for(name: &str) -> Option<Role> {
        match name {
            "sex" | "residence_basis" | "origin" | "partner" | "quota_refugee" | "danish_track"
            | "deprived_area" => Some(Role::IndividualCategorical),
            "age" | "children" | "health_services" => Some(Role::IndividualNumeric),
            "unemployment_rate"
            | "share_third_country"
            | "share_integration_law"
            | "share_skilled_jobs"
            | "jobs_per_capita" => Some(Role::MunicipalNumeric),
            _ => None,
        }
    }
}

/// The values of one covariate column.
#[derive(Clone, Debug, PartialEq)]
pub enum CovariateValues {
    Numeric(Vec<f64>),
    /// `codes[i]` indexes `levels`; levels are sorted in code-point order, so the cohort does
    /// not depend on the order of the rows.
    Categorical {
        levels: Vec<String>,
        codes: Vec<u32>,
    },
}

impl CovariateValues {
    pub fn len(&self) -> usize {
        match self {
            CovariateValues::Numeric(values) => values.len(),
            CovariateValues::Categorical { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A covariate column: its name as in the header (trimmed) and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Covariate {
    pub name: String,
    pub values: CovariateValues,
}

/// The valid spells of a file, column by column.
///
/// Spell `i` is at risk on (`time_enter[i]`, `time_exit[i]`] months since its permit date and
/// ends with `outcome[i]`. Municipalities are sorted by name (code-point order).
#[derive(Clone, Debug, PartialEq)]
pub struct Cohort {
    pub municipality_names: Vec<String>,
    /// Index into `municipality_names`, per spell.
    pub municipality: Vec<u32>,
    /// t0: months from permit date to entry into the municipality (0 unless the spell moved in).
    pub time_enter: Vec<f64>,
    /// t1: months from permit date to the end of the spell.
    pub time_exit: Vec<f64>,
    pub outcome: Vec<Outcome>,
    /// The calendar year of the permit date (always an individual categorical covariate).
    pub permit_year: Vec<i32>,
    /// Individual covariates, one value per spell, in header order.
    pub individual: Vec<Covariate>,
    /// Municipal covariates, one value per municipality (constant within it), in header order.
    pub municipal: Vec<Covariate>,
    /// The file line (or sheet row) each spell came from, for messages.
    pub line: Vec<u64>,
}

impl Cohort {
    pub fn n_spells(&self) -> usize {
        self.outcome.len()
    }

    pub fn n_municipalities(&self) -> usize {
        self.municipality_names.len()
    }

    /// The indices of each municipality's spells, indexed like `municipality_names`.
    pub fn spells_by_municipality(&self) -> Vec<Vec<usize>> {
        let mut spells_of: Vec<Vec<usize>> = vec![Vec::new(); self.n_municipalities()];
        for (i, &k) in self.municipality.iter().enumerate() {
            spells_of[k as usize].push(i);
        }
        spells_of
    }

    /// The distinct permit years of the valid spells, ascending.
    pub fn permit_years(&self) -> Vec<i32> {
        let mut years = self.permit_year.clone();
        years.sort_unstable();
        years.dedup();
        years
    }

    /// The individual covariate named `name`, if any.
    pub fn individual_covariate(&self, name: &str) -> Option<&Covariate> {
        self.individual
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}
