//! The funnel plot: effects against spells with control limits (MODEL.md §7).

use kommunebench_engine::model::intervals::{
    funnel_constant, funnel_limit, funnel_limit_overdispersed, Z_95, Z_998,
};
use kommunebench_engine::report::JsonRanked;
use plotters::prelude::*;

use super::*;
use crate::i18n::Lang;

/// The funnel plot: effect against spells with the 95 % and 99.8 % control limits
/// ±z·√(c/n), c the median of n_k·SE_k² (MODEL.md §7, after Spiegelhalter 2005), and, given
/// τ_m² (`overdispersion`), the same limits widened to ±z·√(c/n + τ_m²), dashed. Each point
/// carries a `<title>` with the municipality's name, shown on hover; a legend names the
/// limits.
pub fn funnel_svg(ranking: &[JsonRanked], lang: Lang, overdispersion: Option<f64>) -> String {
    let texts = lang.texts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 420)).into_drawing_area();
        let _ = draw_funnel(
            &root,
            ranking,
            lang,
            overdispersion,
            (texts.th_spells, texts.th_effect),
        );
        let _ = root.present();
    }
    label_points(&svg, ranking)
}

pub(super) fn draw_funnel<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    ranking: &[JsonRanked],
    lang: Lang,
    overdispersion: Option<f64>,
    (x_label, y_label): (&str, &str),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let spells_and_se: Vec<(usize, Option<f64>)> = ranking
        .iter()
        .map(|r| (r.spells, r.effect_se_months))
        .collect();
    let c = funnel_constant(&spells_and_se);
    let max_spells = ranking.iter().map(|r| r.spells).max().unwrap_or(100) as f64 * 1.05;
    let min_spells = ranking.iter().map(|r| r.spells).min().unwrap_or(1).max(1) as f64 * 0.9;
    let outer = c.map_or(1.0, |c| {
        funnel_limit_overdispersed(c, min_spells, Z_998, overdispersion.unwrap_or(0.0))
    });
    let extent = ranking
        .iter()
        .fold(outer, |m, r| m.max(r.effect_months.abs()))
        * 1.1;
    let mut chart = chart_frame(root)
        .build_cartesian_2d((min_spells..max_spells).log_scale(), -extent..extent)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .y_label_formatter(&|y| lang.format_number(*y, 0))
        // The spells axis is logarithmic: whole counts with the language's thousands
        // separator, and only at 1, 2 and 5 × 10^k, so that the crowded end stays readable.
        .x_label_formatter(&|x| log_tick(*x).map_or_else(String::new, |n| lang.format_count(n)))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .label_style(("sans-serif", LABEL_FONT_PX))
        .axis_desc_style(("sans-serif", AXIS_FONT_PX))
        .draw()?;
    if let Some(c) = c {
        let grid: Vec<f64> = (0..=100)
            .map(|i| min_spells * (max_spells / min_spells).powf(f64::from(i) / 100.0))
            .collect();
        for (z, colour) in [(Z_95, PALETTE[0]), (Z_998, PALETTE[4])] {
            for sign in [1.0, -1.0] {
                let line: Vec<(f64, f64)> = grid
                    .iter()
                    .map(|&n| (n, sign * funnel_limit(c, n, z)))
                    .collect();
                let drawn = chart.draw_series(LineSeries::new(line, colour.stroke_width(1)))?;
                // The legend names each limit once.
                if sign > 0.0 {
                    drawn
                        .label(limit_label(lang, z, false))
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(1))
                        });
                }
                if let Some(tau_m2) = overdispersion {
                    // Dashed: every other short segment of the widened limit.
                    for (segment, pair) in grid.windows(2).step_by(2).enumerate() {
                        let drawn = chart.draw_series(LineSeries::new(
                            pair.iter()
                                .map(|&n| (n, sign * funnel_limit_overdispersed(c, n, z, tau_m2))),
                            colour.stroke_width(2),
                        ))?;
                        if sign > 0.0 && segment == 0 {
                            drawn
                                .label(limit_label(lang, z, true))
                                .legend(move |(x, y)| {
                                    PathElement::new(
                                        vec![(x, y), (x + 6, y)],
                                        colour.stroke_width(2),
                                    )
                                });
                        }
                    }
                }
            }
        }
    }
    chart.draw_series(LineSeries::new(
        vec![(min_spells, 0.0), (max_spells, 0.0)],
        BLACK.stroke_width(1),
    ))?;
    chart.draw_series(
        ranking
            .iter()
            .map(|r| Circle::new((r.spells as f64, r.effect_months), 4, PALETTE[5].filled())),
    )?;
    if c.is_some() {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(0xc9, 0xd1, 0xdb))
            .label_font(("sans-serif", LABEL_FONT_PX))
            .draw()?;
    }
    Ok(())
}

/// A log-axis tick worth a label: a count of 1, 2 or 5 × 10^k.
fn log_tick(x: f64) -> Option<usize> {
    let n = x.round();
    if n < 1.0 {
        return None;
    }
    let scale = 10f64.powi(n.log10().floor() as i32);
    let leading = n / scale;
    [1.0, 2.0, 5.0]
        .iter()
        .any(|&m| (leading - m).abs() < 1e-9)
        .then_some(n as usize)
}

/// The legend's name of a control limit: "95 %-grænse", "99.8 % limit, overdispersed".
fn limit_label(lang: Lang, z: f64, overdispersed: bool) -> String {
    let level = if z == Z_95 { 95.0 } else { 99.8 };
    let level = lang.format_number(level, if z == Z_95 { 0 } else { 1 });
    match (lang, overdispersed) {
        (Lang::Da, false) => format!("{level} %-grænse"),
        (Lang::Da, true) => format!("{level} %-grænse med overspredning"),
        (Lang::En, false) => format!("{level} % limit"),
        (Lang::En, true) => format!("{level} % limit, overdispersed"),
    }
}
