//! What the analysis worker does with a request, as plain Rust over any `Read + Seek`
//! source, so that it is tested natively; `src/bin/worker.rs` only connects it to the
//! browser's worker messages and `File`s.

use std::io::{Read, Seek};

use kommunebench_engine::demo::{demo_csv, DEFAULT_SEED};
use kommunebench_engine::model::design::ModelOptions;
use kommunebench_engine::model::profile::municipality_profiles;
use kommunebench_engine::read::{inspect_columns, read_spells, ReadOptions, SourceFormat};
use kommunebench_engine::report::{analyse_with_progress, JsonReport};
use kommunebench_engine::{Language, Role};

use crate::protocol::{
    describe_format, Action, ColumnInfo, CurvePoints, Progress, Request, Response, WebResult,
};

/// Carries out `request` on `source` (ignored for the demo), sending progress and the
/// answer through `post`.
pub fn perform<R: Read + Seek>(
    request: &Request,
    source: Option<R>,
    post: &mut dyn FnMut(Response),
) {
    let read_options = ReadOptions {
        roles: request
            .roles
            .iter()
            .filter_map(|(column, role)| Some((column.clone(), Role::parse(role)?)))
            .collect(),
        sheet: request.sheet.clone(),
    };
    let response = match (request.action, source) {
        (Action::AnalyseDemo, _) => {
            let bytes = demo_csv(DEFAULT_SEED);
            analyse_source(request, std::io::Cursor::new(bytes), &read_options, post)
        }
        (Action::Inspect, Some(source)) => match inspect_columns(source, &read_options) {
            Ok(preview) => Response::Columns {
                columns: preview
                    .columns
                    .into_iter()
                    .map(|c| ColumnInfo::new(c.name, &c.usage))
                    .collect(),
                format: describe_format(&preview.format),
                sheet: match &preview.format {
                    SourceFormat::Xlsx { sheet } => Some(sheet.clone()),
                    SourceFormat::Csv { .. } => None,
                },
                sheets: preview.sheets,
            },
            Err(error) => failed(|language| error.message(language)),
        },
        (Action::Analyse, Some(source)) => analyse_source(request, source, &read_options, post),
        (_, None) => failed(|language| match language {
            Language::Danish => "Der er ikke valgt nogen fil.".to_owned(),
            Language::English => "No file was chosen.".to_owned(),
        }),
    };
    post(response);
}

fn failed(message: impl Fn(Language) -> String) -> Response {
    Response::Failed {
        danish: message(Language::Danish),
        english: message(Language::English),
    }
}

fn analyse_source<R: Read + Seek>(
    request: &Request,
    source: R,
    read_options: &ReadOptions,
    post: &mut dyn FnMut(Response),
) -> Response {
    let read = match read_spells(source, read_options, &mut |p| {
        post(Response::Progress(Progress::Reading {
            bytes_read: p.bytes_read as f64,
            total_bytes: p.total_bytes as f64,
        }))
    }) {
        Ok(read) => read,
        Err(error) => return failed(|language| error.message(language)),
    };
    let options = ModelOptions {
        horizon_months: request.horizon_months,
        piece_months: request.piece_months,
        min_spells: request.min_spells,
    };
    let analysis = match analyse_with_progress(&read, options, &mut |p| {
        post(Response::Progress(Progress::Fitting {
            iteration: p.iteration,
            max_abs_score: p.max_abs_score,
        }))
    }) {
        Ok(analysis) => analysis,
        Err(error) => return failed(|language| error.message(language)),
    };
    Response::Results(Box::new(WebResult {
        source_name: request.source_name.clone(),
        format: describe_format(&read.format),
        report: JsonReport::new(&read, &analysis, Language::English),
        excluded_messages_danish: read
            .excluded_rows
            .iter()
            .map(|row| row.message(Language::Danish))
            .collect(),
        curves: analysis.cohorts.iter().map(CurvePoints::of).collect(),
        profiles: municipality_profiles(&read.cohort, &analysis.model),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(action: Action) -> Request {
        Request {
            action,
            source_name: "test".to_owned(),
            roles: Vec::new(),
            sheet: None,
            horizon_months: 48.0,
            piece_months: 3.0,
            min_spells: 80,
        }
    }

    #[test]
    fn the_demo_request_gives_progress_then_72_ranked_municipalities() {
        let mut responses = Vec::new();
        perform::<std::io::Cursor<Vec<u8>>>(&request(Action::AnalyseDemo), None, &mut |r| {
            responses.push(r)
        });
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
        assert_eq!(result.format, "CSV, UTF-8, ','");
    }

    #[test]
    fn inspect_lists_columns_and_a_bad_file_fails_in_both_languages() {
        let text = "municipality;permit_date;end_date;outcome;age;grade\n";
        let mut responses = Vec::new();
        perform(
            &request(Action::Inspect),
            Some(std::io::Cursor::new(text.as_bytes())),
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
        assert_eq!(format, "CSV, UTF-8, ';'");
        assert_eq!(
            columns[4],
            ColumnInfo {
                name: "age".into(),
                usage: "covariate".into(),
                default_role: "individual-numeric".into()
            }
        );
        assert_eq!(columns[5].usage, "unknown");

        let mut responses = Vec::new();
        perform(
            &request(Action::Analyse),
            Some(std::io::Cursor::new(b"a,b\n1,2\n")),
            &mut |r| responses.push(r),
        );
        assert_eq!(
            responses.last(),
            Some(&Response::Failed {
                danish: "Filen mangler den påkrævede kolonne `municipality`.".to_owned(),
                english: "The file lacks the required column `municipality`.".to_owned(),
            })
        );
    }
}
