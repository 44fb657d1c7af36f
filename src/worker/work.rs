//! What the analysis worker does with a request, as plain Rust over any `Read + Seek`
//! source, so that it is tested natively; `src/bin/worker.rs` only connects it to the
//! browser's worker messages and `File`s.

use std::cell::OnceCell;
use std::io::{Read, Seek};

use kommunebench_engine::demo::{demo_csv, DEFAULT_SEED};
use kommunebench_engine::measure::compare::PreviousRanking;
use kommunebench_engine::measure::{apply, Mapping, Measured, Measurement};
use kommunebench_engine::model::design::ModelOptions;
use kommunebench_engine::model::profile::ProfileCache;
use kommunebench_engine::model::RankingModel;
use kommunebench_engine::progress::{Phase, PhaseTimer, Progress as EngineProgress};
use kommunebench_engine::read::{inspect_columns, read_spells, ReadOptions, SourceFormat};
use kommunebench_engine::report::{analyse_measured, JsonReport};
use kommunebench_engine::Cohort;
use kommunebench_engine::Language;

use super::protocol::{
    Action, ColumnInfo, CurvePoints, Progress, Request, Response, WebResult, WorkerError,
};

/// What the worker keeps between messages: the last analysis' spells and model, so that a
/// municipality's drill-down is computed when the page opens it, not all of them up front,
/// and what the drill-downs share, built at the first (the national mix at 1 M spells is a
/// pass over every spell).
#[derive(Debug, Default)]
pub struct WorkerState {
    last: Option<(Cohort, RankingModel, OnceCell<ProfileCache>)>,
}

/// Carries out `request` on `source` (ignored for the demo), sending progress and the
/// answer through `post`; `clock` (seconds, any origin) times the analysis' steps. `map` is
/// the mapping file of MODEL.md §9 `--map`, if the officer chose one.
pub fn perform<R: Read + Seek>(
    state: &mut WorkerState,
    request: &Request,
    source: Option<R>,
    map: Option<R>,
    clock: &mut dyn FnMut() -> f64,
    post: &mut dyn FnMut(Response),
) {
    let read_options = ReadOptions {
        roles: request.roles.clone(),
        sheet: request.sheet.clone(),
    };
    // A new file or analysis replaces what was kept (and frees it first).
    if matches!(
        request.action,
        Action::Inspect | Action::Analyse | Action::AnalyseDemo
    ) {
        state.last = None;
    }
    let response = match (request.action, source) {
        (Action::AnalyseDemo, _) => {
            let bytes = demo_csv(DEFAULT_SEED);
            analyse_source(
                state,
                request,
                std::io::Cursor::new(bytes),
                None::<R>,
                &read_options,
                clock,
                post,
            )
        }
        (Action::ExportXlsx, _) => match &request.export {
            Some(export) => {
                let language = if export.danish {
                    Language::Danish
                } else {
                    Language::English
                };
                match kommunebench_export::ranking_xlsx(&export.report, language) {
                    Ok(bytes) => Response::Xlsx {
                        bytes: Some(bytes),
                        error: None,
                    },
                    Err(error) => Response::Xlsx {
                        bytes: None,
                        error: Some(error.to_string()),
                    },
                }
            }
            None => Response::Failed(WorkerError::BadRequest(
                "an export without a report".to_owned(),
            )),
        },
        (Action::Profile, _) => Response::Profile {
            municipality: request.municipality.clone().unwrap_or_default(),
            profile: state.last.as_ref().and_then(|(cohort, model, shared)| {
                shared
                    .get_or_init(|| ProfileCache::new(cohort, model))
                    .profile(cohort, model, request.municipality.as_deref()?)
                    .map(Box::new)
            }),
        },
        (Action::Inspect, Some(source)) => match inspect_columns(source, &read_options) {
            Ok(preview) => Response::Columns {
                columns: preview
                    .columns
                    .into_iter()
                    .map(|c| ColumnInfo {
                        name: c.name,
                        usage: c.usage,
                    })
                    .collect(),
                format: preview.format.clone(),
                sheet: match &preview.format {
                    SourceFormat::Xlsx { sheet } => Some(sheet.clone()),
                    SourceFormat::Csv { .. } => None,
                },
                sheets: preview.sheets,
            },
            Err(error) => Response::Failed(WorkerError::Read(error)),
        },
        (Action::ReadPrevious, Some(source)) => {
            match PreviousRanking::read(source, &request.source_name) {
                Ok(previous) => Response::Previous(previous),
                Err(error) => Response::PreviousFailed(WorkerError::Measure(error)),
            }
        }
        (Action::Analyse, Some(source)) => {
            analyse_source(state, request, source, map, &read_options, clock, post)
        }
        (_, None) => Response::Failed(WorkerError::NoFile),
    };
    post(response);
}

fn analyse_source<R: Read + Seek, M: Read + Seek>(
    state: &mut WorkerState,
    request: &Request,
    source: R,
    map: Option<M>,
    read_options: &ReadOptions,
    clock: &mut dyn FnMut() -> f64,
    post: &mut dyn FnMut(Response),
) -> Response {
    let mut timer = PhaseTimer::new(clock);
    timer.begin(Phase::Read);
    let read = match read_spells(source, read_options, &mut |p| {
        post(Response::Progress(Progress::Reading {
            bytes_read: p.bytes_read as f64,
            total_bytes: p.total_bytes as f64,
        }))
    }) {
        Ok(read) => read,
        Err(error) => return Response::Failed(WorkerError::Read(error)),
    };
    // MODEL.md §9: the permit-year window and the mapping after reading and checking the file.
    let mapping = match map.map(Mapping::read).transpose() {
        Ok(mapping) => mapping,
        Err(error) => return Response::Failed(WorkerError::Measure(error)),
    };
    let map_name = mapping.as_ref().and(request.map_name.as_deref());
    let measurement = Measurement {
        success: request.success.outcomes(),
        permit_years: request.permit_years,
        mapping,
    };
    let Measured {
        read,
        rows_outside_window,
    } = match apply(read, &measurement) {
        Ok(measured) => measured,
        Err(error) => return Response::Failed(WorkerError::Measure(error)),
    };
    let options = ModelOptions {
        horizon_months: request.horizon_months,
        piece_months: request.piece_months,
        min_spells: request.min_spells,
        ..ModelOptions::default()
    };
    // A model that cannot be fitted still leaves the outcome and cohort tables, the excluded
    // rows and the warnings to show, with its error beside them.
    let analysis = analyse_measured(&read, options, &measurement.success, &mut |p| match p {
        EngineProgress::Phase(phase) => timer.begin(phase),
        EngineProgress::Newton(p) => post(Response::Progress(Progress::Fitting {
            iteration: p.iteration,
            max_abs_score: p.max_abs_score,
        })),
    });
    timer.begin(Phase::Report);
    let report = JsonReport::new(&read, &analysis, Language::English).with_window_and_mapping(
        rows_outside_window,
        request.permit_years,
        map_name,
    );
    let curves = analysis.cohorts.iter().map(CurvePoints::of).collect();
    let result = WebResult {
        source_name: request.source_name.clone(),
        format: read.format.clone(),
        report,
        excluded_rows: read.excluded_rows.clone(),
        warnings: read.warnings.clone(),
        model_error: analysis.model.as_ref().err().cloned(),
        curves,
        phases: timer.finish(),
        worker_memory_bytes: None,
    };
    if let Ok(model) = analysis.model {
        state.last = Some((read.cohort, model, OnceCell::new()));
    }
    Response::Results(Box::new(result))
}

/// Spells and municipalities of [`warm_up`]'s synthetic file: enough for every hot loop of
/// the reader and the fit to run thousands of times, little enough to take a fraction of a
/// second in baseline code.
const WARM_UP_SPELLS: usize = 4_000;
const WARM_UP_MUNICIPALITIES: usize = 40;

/// Analyses a small synthetic file through the very code a user's file goes through
/// (`source_of` wraps the bytes as the worker wraps a `File`, so the same generic
/// instantiations run) and returns the answer, which the worker throws away; its own state
/// is left as it was.
///
/// Why: Chromium runs a worker's wasm first as baseline code (Liftoff) and compiles a
/// function with its optimising compiler (TurboFan) only after it has run for a while, and a
/// call already running stays in the baseline code to its end. The steps that loop over all
/// spells in one call (observed and expected durations, MODEL.md §8's draws) and every step
/// of a seed-sized file ran 2–4× slower than natively (`cargo xtask bench browser`, and the
/// same run with `--js-flags=--no-liftoff`). The worker calls this once, after it has sent
/// the first file's columns, while the officer looks at them.
pub fn warm_up<R: Read + Seek>(source_of: &dyn Fn(Vec<u8>) -> Option<R>) -> Response {
    let mut bytes = kommunebench_engine::demo::synthetic::SYNTHETIC_HEADER
        .as_bytes()
        .to_vec();
    for row in kommunebench_engine::demo::synthetic::synthetic_rows(
        WARM_UP_SPELLS,
        WARM_UP_MUNICIPALITIES,
        DEFAULT_SEED,
    ) {
        bytes.extend_from_slice(row.as_bytes());
    }
    let request = |action, columns: &[ColumnInfo]| {
        let roles: Vec<_> = columns.iter().map(ColumnInfo::default_role).collect();
        crate::state::build_request(
            action,
            "warm-up.csv".to_owned(),
            columns,
            &roles,
            None,
            crate::state::ModelChoices::default(),
        )
    };
    let mut state = WorkerState::default();
    let mut clock = || 0.0;
    let mut answer = |request: &Request, source| {
        let mut last = None;
        perform(
            &mut state,
            request,
            source,
            None,
            &mut clock,
            &mut |response| last = Some(response),
        );
        last.unwrap_or(Response::Failed(WorkerError::NoFile))
    };
    let columns = match answer(&request(Action::Inspect, &[]), source_of(bytes.clone())) {
        Response::Columns { columns, .. } => columns,
        other => return other,
    };
    answer(&request(Action::Analyse, &columns), source_of(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kommunebench_engine::read::ColumnUsage;
    use kommunebench_engine::Role;

    fn request(action: Action) -> Request {
        crate::state::build_request(
            action,
            "test".to_owned(),
            &[],
            &[],
            None,
            crate::state::ModelChoices::default(),
        )
    }

    /// A drill-down from the kept analysis, asked twice (the second from the shared part
    /// built by the first), equals the engine's own for that municipality.
    #[test]
    fn drill_downs_from_the_kept_analysis_equal_the_engines() {
        use kommunebench_engine::model::profile::municipality_profile;
        let mut state = WorkerState::default();
        let none = None::<std::io::Cursor<Vec<u8>>>;
        let mut clock = || 0.0;
        perform(
            &mut state,
            &request(Action::AnalyseDemo),
            none.clone(),
            None,
            &mut clock,
            &mut |_| {},
        );
        let (name, want) = {
            let (cohort, model, _) = state.last.as_ref().expect("the analysis is kept");
            let name = model.ranking[5].municipality.clone();
            let want = municipality_profile(cohort, model, &name).expect("ranked");
            (name, want)
        };
        for _ in 0..2 {
            let mut ask = request(Action::Profile);
            ask.municipality = Some(name.clone());
            let mut answer = None;
            perform(&mut state, &ask, none.clone(), None, &mut clock, &mut |r| {
                answer = Some(r)
            });
            match answer {
                Some(Response::Profile {
                    municipality,
                    profile,
                }) => {
                    assert_eq!(municipality, name);
                    assert_eq!(profile.as_deref(), Some(&want));
                }
                other => panic!("not a drill-down: {other:?}"),
            }
        }
    }

    /// The warm-up runs the whole analysis (a fitted model that ranks the larger synthetic
    /// municipalities), not an early failure that would leave the fit's code cold.
    #[test]
    fn the_warm_up_fits_and_ranks() {
        let response = warm_up(&|bytes| Some(std::io::Cursor::new(bytes)));
        let Response::Results(result) = response else {
            panic!("the warm-up did not analyse: {response:?}");
        };
        assert_eq!(result.model_error, None);
        assert!(
            result.report.ranking.len() >= 10,
            "{}",
            result.report.ranking.len()
        );
        assert_eq!(result.report.rows_read, WARM_UP_SPELLS);
    }

    /// MODEL.md §9 in the worker: a mapping file beside the spell file merges municipalities,
    /// and the report names it; a permit-year window counts the rows outside it.
    #[test]
    fn a_mapping_file_and_a_window_reach_the_report() {
        let mut analyse = request(Action::Analyse);
        analyse.map_name = Some("reform.csv".to_owned());
        analyse.permit_years = kommunebench_engine::measure::PermitYears {
            from: Some(2001),
            to: None,
        };
        let mut responses = Vec::new();
        let mut state = WorkerState::default();
        perform(
            &mut state,
            &analyse,
            Some(std::io::Cursor::new(demo_csv(DEFAULT_SEED))),
            Some(std::io::Cursor::new(
                b"from;to\nHerning;Herning-Ikast\nIkast;Herning-Ikast\n".to_vec(),
            )),
            &mut || 0.0,
            &mut |r| responses.push(r),
        );
        let Some(Response::Results(result)) = responses.pop() else {
            panic!("results")
        };
        let report = &result.report;
        assert_eq!(report.options.map.as_deref(), Some("reform.csv"));
        assert_eq!(report.options.permit_years.as_deref(), Some("2001-"));
        assert!(report.rows_outside_window > 0);
        assert!(report
            .warnings
            .iter()
            .any(|w| w.code == "municipal_covariates_averaged"
                && w.message.contains("Herning-Ikast")));
        assert!(report
            .ranking
            .iter()
            .any(|r| r.municipality == "Herning-Ikast"));
        assert!(!report.ranking.iter().any(|r| r.municipality == "Herning"));
    }

    /// The xlsx export is written by the worker from the report the page sends.
    #[test]
    fn the_worker_writes_the_xlsx_of_a_report() {
        let mut responses = Vec::new();
        let mut state = WorkerState::default();
        perform::<std::io::Cursor<Vec<u8>>>(
            &mut state,
            &request(Action::AnalyseDemo),
            None,
            None,
            &mut || 0.0,
            &mut |r| responses.push(r),
        );
        let Some(Response::Results(result)) = responses.pop() else {
            panic!("results")
        };
        let mut export = request(Action::ExportXlsx);
        export.export = Some(Box::new(crate::worker::protocol::ExportRequest {
            report: result.report.clone(),
            danish: true,
        }));
        perform::<std::io::Cursor<Vec<u8>>>(
            &mut state,
            &export,
            None,
            None,
            &mut || 0.0,
            &mut |r| responses.push(r),
        );
        let Some(Response::Xlsx {
            bytes: Some(bytes),
            error: None,
        }) = responses.pop()
        else {
            panic!("a workbook")
        };
        // A zip (the workbook), as long as the export module's own (the creation time inside
        // may differ).
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        let own =
            kommunebench_export::ranking_xlsx(&result.report, Language::Danish).expect("writes");
        assert_eq!(bytes.len(), own.len());
    }

    #[test]
    fn the_demo_request_gives_progress_then_72_ranked_municipalities() {
        let mut responses = Vec::new();
        perform::<std::io::Cursor<Vec<u8>>>(
            &mut WorkerState::default(),
            &request(Action::AnalyseDemo),
            None,
            None,
            &mut || 0.0,
            &mut |r| responses.push(r),
        );
        assert!(matches!(
            responses.first(),
            Some(Response::Progress(Progress::Reading { .. }))
        ));
        assert!(responses
            .iter()
            .any(|r| matches!(r, Response::Progress(Progress::Fitting { .. }))));
        let Some(Response::Results(result)) = responses.last() else {
            panic!("results last")
        };
        assert_eq!(result.report.ranking.len(), 72);
        assert_eq!(result.curves.len(), 6);
        assert_eq!(
            result.format,
            SourceFormat::Csv {
                encoding: kommunebench_engine::read::TextEncoding::Utf8,
                delimiter: ','
            }
        );
    }

    #[test]
    fn inspect_lists_columns_and_a_bad_file_fails_in_both_languages() {
        let text = "municipality;permit_date;end_date;outcome;age;grade\n";
        let mut responses = Vec::new();
        perform(
            &mut WorkerState::default(),
            &request(Action::Inspect),
            Some(std::io::Cursor::new(text.as_bytes())),
            None,
            &mut || 0.0,
            &mut |r| responses.push(r),
        );
        let Some(Response::Columns {
            columns,
            format,
            sheets,
            sheet,
        }) = responses.last()
        else {
            panic!("columns")
        };
        assert_eq!((sheets.len(), sheet), (0, &None));
        assert_eq!(
            format,
            &SourceFormat::Csv {
                encoding: kommunebench_engine::read::TextEncoding::Utf8,
                delimiter: ';'
            }
        );
        assert_eq!(
            columns[4],
            ColumnInfo {
                name: "age".into(),
                usage: ColumnUsage::Covariate(Role::IndividualNumeric),
            }
        );
        assert_eq!(columns[4].default_role(), Role::IndividualNumeric);
        assert_eq!(columns[5].usage, ColumnUsage::Unknown);
        assert_eq!(columns[5].default_role(), Role::Ignore);
        assert!(!columns[0].has_role());

        let mut responses = Vec::new();
        perform(
            &mut WorkerState::default(),
            &request(Action::Analyse),
            Some(std::io::Cursor::new(b"a,b\n1,2\n")),
            None,
            &mut || 0.0,
            &mut |r| responses.push(r),
        );
        let Some(Response::Failed(error)) = responses.last() else {
            panic!("a failure")
        };
        assert_eq!(
            error,
            &WorkerError::Read(kommunebench_engine::ReadError::MissingColumn {
                name: "municipality".to_owned()
            })
        );
        // The page words it in either language.
        assert_eq!(
            crate::i18n::error_text(crate::i18n::Lang::Da, error),
            "Filen mangler den påkrævede kolonne `municipality`."
        );
        assert_eq!(
            crate::i18n::error_text(crate::i18n::Lang::En, error),
            "The file lacks the required column `municipality`."
        );
    }
}
