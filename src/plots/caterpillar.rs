//! The caterpillar plot: each ranked municipality's effect with its 95 % interval.

use kommunebench_engine::report::JsonRanked;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::*;
use crate::i18n::Lang;

/// The caterpillar plot: every ranked municipality's effect with its 95 % interval mapped
/// through the model (`effect_interval_months`, MODEL.md §7–§8: asymmetric where the model
/// is), ordered by effect; `highlight` drawn in the accent colour. Each point carries a
/// `<title>` with the municipality's name (hover, and keyboard focus); the three fastest, the
/// three slowest and the highlighted one are named beside their points.
pub fn caterpillar_svg(ranking: &[JsonRanked], highlight: Option<&str>, lang: Lang) -> String {
    let texts = lang.texts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 420)).into_drawing_area();
        let _ = draw_caterpillar(
            &root,
            ranking,
            highlight,
            lang,
            texts.caterpillar_x_label,
            texts.th_effect,
        );
        let _ = root.present();
    }
    label_points(&svg, ranking)
}

/// How many municipalities at each end of the caterpillar are named beside their points.
const NAMED_AT_EACH_END: usize = 3;

pub(super) fn draw_caterpillar<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    ranking: &[JsonRanked],
    highlight: Option<&str>,
    lang: Lang,
    x_label: &str,
    y_label: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let intervals: Vec<(f64, f64, f64, bool)> = ranking
        .iter()
        .map(|r| {
            let [low, high] = r
                .effect_interval_months
                .unwrap_or([r.effect_months, r.effect_months]);
            (
                r.effect_months,
                low,
                high,
                highlight == Some(r.municipality.as_str()),
            )
        })
        .collect();
    let (low, high) = intervals
        .iter()
        .fold((-1.0f64, 1.0f64), |(l, h), i| (l.min(i.1), h.max(i.2)));
    let mut chart = chart_frame(root).build_cartesian_2d(
        0.0..(intervals.len() as f64 + 1.0),
        (low - 0.5)..(high + 0.5),
    )?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .y_label_formatter(&|y| lang.format_number(*y, 0))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .label_style(("sans-serif", LABEL_FONT_PX))
        .axis_desc_style(("sans-serif", AXIS_FONT_PX))
        .draw()?;
    chart.draw_series(LineSeries::new(
        vec![(0.0, 0.0), (intervals.len() as f64 + 1.0, 0.0)],
        BLACK.stroke_width(1),
    ))?;
    for (index, &(effect, low, high, highlighted)) in intervals.iter().enumerate() {
        let x = index as f64 + 1.0;
        let colour = if highlighted { PALETTE[1] } else { PALETTE[0] };
        let width = if highlighted { 3 } else { 1 };
        chart.draw_series(LineSeries::new(
            vec![(x, low), (x, high)],
            colour.stroke_width(width),
        ))?;
        chart.draw_series(std::iter::once(Circle::new(
            (x, effect),
            if highlighted { 5 } else { 3 },
            colour.filled(),
        )))?;
    }
    // Names beside the points: the fastest to the right of theirs (they stand at the left),
    // the slowest to the left of theirs, the highlighted one to the right.
    let n = ranking.len();
    for (index, row) in ranking.iter().enumerate() {
        let at_start = index < NAMED_AT_EACH_END;
        let at_end = index + NAMED_AT_EACH_END >= n && !at_start;
        let highlighted = intervals[index].3;
        if !(at_start || at_end || highlighted) {
            continue;
        }
        let x = index as f64 + 1.0;
        let (offset, anchor) = if at_end && !highlighted {
            (-0.8, HPos::Right)
        } else {
            (0.8, HPos::Left)
        };
        let style = TextStyle::from(("sans-serif", LABEL_FONT_PX).into_font())
            .color(if highlighted { &PALETTE[1] } else { &BLACK })
            .pos(Pos::new(anchor, VPos::Center));
        chart.draw_series(std::iter::once(Text::new(
            row.municipality.clone(),
            (x + offset, intervals[index].0),
            style,
        )))?;
    }
    Ok(())
}
