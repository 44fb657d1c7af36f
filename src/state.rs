//! The page's state as plain Rust, tested natively: where the user is ([`Stage`]), the
//! options form with its validation ([`OptionsForm`]), and the request sent to the worker.

use std::sync::Arc;

use kommunebench_engine::cohort::values::parse_number;
use kommunebench_engine::measure::{PermitYears, DEFAULT_SUCCESS};
use kommunebench_engine::read::SourceFormat;
use kommunebench_engine::{Outcome, Role};

use crate::worker::protocol::{Action, ColumnInfo, Progress, Request, WebResult, WorkerError};

/// Where the user is.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    Start,
    Inspecting,
    Columns {
        columns: Vec<ColumnInfo>,
        format: SourceFormat,
        sheets: Vec<String>,
    },
    Running {
        progress: Option<Progress>,
    },
    Results(Arc<WebResult>),
    Failed(WorkerError),
}

/// The model options as typed into the form (text, so that a half-typed value stays).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionsForm {
    pub horizon: String,
    pub piece: String,
    pub min_spells: String,
    /// MODEL.md §9: which outcomes count as success.
    pub success: SuccessChoice,
    /// MODEL.md §9: the permit-year window's ends (empty: open).
    pub permit_from: String,
    pub permit_to: String,
}

/// The success definitions the options step offers (MODEL.md §9 `--success`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SuccessChoice {
    /// Self-support or education, as the seed measured.
    #[default]
    Both,
    SelfSupportOnly,
    EducationOnly,
}

impl SuccessChoice {
    pub const ALL: [SuccessChoice; 3] = [
        SuccessChoice::Both,
        SuccessChoice::SelfSupportOnly,
        SuccessChoice::EducationOnly,
    ];

    /// The outcomes that count as success.
    pub fn outcomes(self) -> Vec<Outcome> {
        match self {
            SuccessChoice::Both => DEFAULT_SUCCESS.to_vec(),
            SuccessChoice::SelfSupportOnly => vec![Outcome::SelfSupport],
            SuccessChoice::EducationOnly => vec![Outcome::Education],
        }
    }

    /// A stable name for form values and tests.
    pub fn code(self) -> &'static str {
        match self {
            SuccessChoice::Both => "both",
            SuccessChoice::SelfSupportOnly => "self_support",
            SuccessChoice::EducationOnly => "education",
        }
    }
}

impl Default for OptionsForm {
    /// MODEL.md's defaults: H = 48 months, w = 3 months, 80 spells.
    fn default() -> OptionsForm {
        OptionsForm {
            horizon: "48".to_owned(),
            piece: "3".to_owned(),
            min_spells: "80".to_owned(),
            success: SuccessChoice::Both,
            permit_from: String::new(),
            permit_to: String::new(),
        }
    }
}

/// A field of the options form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionField {
    Horizon,
    Piece,
    MinSpells,
    PermitYears,
}

/// The model options once the form is valid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelChoices {
    pub horizon_months: f64,
    pub piece_months: f64,
    pub min_spells: usize,
    pub success: SuccessChoice,
    pub permit_years: PermitYears,
}

impl Default for ModelChoices {
    /// MODEL.md's defaults, as the default form gives them.
    fn default() -> ModelChoices {
        ModelChoices {
            horizon_months: 48.0,
            piece_months: 3.0,
            min_spells: 80,
            success: SuccessChoice::Both,
            permit_years: PermitYears::default(),
        }
    }
}

impl OptionsForm {
    /// The options, or every field that is not valid (never a silent default): months are
    /// positive numbers (decimal comma accepted, by the engine's one number parser), the
    /// spell count a whole number ≥ 1.
    pub fn validate(&self) -> Result<ModelChoices, Vec<OptionField>> {
        let positive = |text: &str| parse_number(text).filter(|v| *v > 0.0);
        let horizon = positive(&self.horizon);
        let piece = positive(&self.piece);
        let min_spells = self
            .min_spells
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1);
        // Both ends empty: every year; else the engine's own rule (four digits, FROM ≤ TO).
        let permit_years = match (self.permit_from.trim(), self.permit_to.trim()) {
            ("", "") => Some(PermitYears::default()),
            (from, to) => PermitYears::parse(&format!("{from}-{to}")).ok(),
        };
        match (horizon, piece, min_spells, permit_years) {
            (Some(horizon_months), Some(piece_months), Some(min_spells), Some(permit_years)) => {
                Ok(ModelChoices {
                    horizon_months,
                    piece_months,
                    min_spells,
                    success: self.success,
                    permit_years,
                })
            }
            _ => Err([
                (horizon.is_none(), OptionField::Horizon),
                (piece.is_none(), OptionField::Piece),
                (min_spells.is_none(), OptionField::MinSpells),
                (permit_years.is_none(), OptionField::PermitYears),
            ]
            .into_iter()
            .filter_map(|(bad, field)| bad.then_some(field))
            .collect()),
        }
    }
}

/// The request for `action`: the role of every column that can have one (as the user left
/// it, in `roles`, one per column), the sheet and the model options.
pub fn build_request(
    action: Action,
    source_name: String,
    columns: &[ColumnInfo],
    roles: &[Role],
    sheet: Option<String>,
    choices: ModelChoices,
) -> Request {
    Request {
        action,
        file_id: 0,
        source_name,
        roles: columns
            .iter()
            .zip(roles)
            .filter(|(column, _)| column.has_role())
            .map(|(column, role)| (column.name.clone(), *role))
            .collect(),
        sheet,
        horizon_months: choices.horizon_months,
        piece_months: choices.piece_months,
        min_spells: choices.min_spells,
        success: choices.success,
        permit_years: choices.permit_years,
        map_name: None,
        export: None,
        municipality: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kommunebench_engine::read::ColumnUsage;

    #[test]
    fn the_default_form_is_model_md_and_valid() {
        assert_eq!(
            OptionsForm::default().validate(),
            Ok(ModelChoices::default())
        );
        assert_eq!(ModelChoices::default().horizon_months, 48.0);
        assert_eq!(ModelChoices::default().piece_months, 3.0);
        assert_eq!(ModelChoices::default().min_spells, 80);
    }

    #[test]
    fn the_permit_year_window_is_checked_by_the_engine_rule() {
        let window = |from: &str, to: &str| {
            OptionsForm {
                permit_from: from.to_owned(),
                permit_to: to.to_owned(),
                ..OptionsForm::default()
            }
            .validate()
            .map(|c| c.permit_years)
        };
        assert_eq!(
            window("2001", "2003"),
            Ok(PermitYears {
                from: Some(2001),
                to: Some(2003)
            })
        );
        assert_eq!(
            window(" 2002 ", ""),
            Ok(PermitYears {
                from: Some(2002),
                to: None
            })
        );
        assert_eq!(window("2004", "2002"), Err(vec![OptionField::PermitYears]));
        assert_eq!(window("02", ""), Err(vec![OptionField::PermitYears]));
        assert_eq!(
            SuccessChoice::SelfSupportOnly.outcomes(),
            [Outcome::SelfSupport]
        );
    }

    #[test]
    fn invalid_fields_are_named_not_replaced_by_defaults() {
        let form = OptionsForm {
            horizon: "36,5".to_owned(),
            piece: "-1".to_owned(),
            min_spells: "many".to_owned(),
            ..OptionsForm::default()
        };
        assert_eq!(
            form.validate(),
            Err(vec![OptionField::Piece, OptionField::MinSpells])
        );
        let form = OptionsForm {
            horizon: "".to_owned(),
            ..OptionsForm::default()
        };
        assert_eq!(form.validate(), Err(vec![OptionField::Horizon]));
        let form = OptionsForm {
            horizon: " 36,5 ".to_owned(),
            ..OptionsForm::default()
        };
        assert_eq!(form.validate().map(|c| c.horizon_months), Ok(36.5));
    }

    #[test]
    fn the_request_carries_roles_only_for_columns_that_have_one() {
        let columns = [
            ColumnInfo {
                name: "municipality".to_owned(),
                usage: ColumnUsage::Spell,
            },
            ColumnInfo {
                name: "age".to_owned(),
                usage: ColumnUsage::Covariate(Role::IndividualNumeric),
            },
            ColumnInfo {
                name: "grade".to_owned(),
                usage: ColumnUsage::Unknown,
            },
        ];
        let roles = [Role::Ignore, Role::IndividualCategorical, Role::Ignore];
        let request = build_request(
            Action::Analyse,
            "x.csv".to_owned(),
            &columns,
            &roles,
            None,
            OptionsForm::default().validate().expect("valid"),
        );
        assert_eq!(
            request.roles,
            vec![
                ("age".to_owned(), Role::IndividualCategorical),
                ("grade".to_owned(), Role::Ignore)
            ]
        );
        assert_eq!(request.min_spells, 80);
    }
}
