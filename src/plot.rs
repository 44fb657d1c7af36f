//! The cohort curves as an SVG drawn by plotters (on the main thread: in the browser plotters
//! measures text through the DOM).

use kommunebench_engine::model::intervals::{
    caterpillar_interval, funnel_constant, funnel_limit, Z_95, Z_998,
};
use kommunebench_engine::model::profile::MunicipalityProfile;
use kommunebench_engine::report::JsonRanked;
use plotters::prelude::*;

use crate::i18n::Lang;
use crate::protocol::CurvePoints;

/// Colours for up to eight cohorts, distinguishable and dark enough on white.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x0b, 0x5c, 0xad),
    RGBColor(0xc2, 0x4e, 0x00),
    RGBColor(0x1d, 0x6b, 0x3a),
    RGBColor(0x8e, 0x24, 0x8e),
    RGBColor(0xa1, 0x2a, 0x2a),
    RGBColor(0x3d, 0x3d, 0x3d),
    RGBColor(0x00, 0x7a, 0x7a),
    RGBColor(0x6b, 0x55, 0x00),
];

/// Font sizes of tick labels and legends, and of axis descriptions. In the browser plotters
/// measures text with an inline style per size; `xtask/src/csp.rs` allows exactly these
/// sizes (`PLOT_FONT_SIZES_PX`), so change both together.
const LABEL_FONT_PX: u32 = 13;
const AXIS_FONT_PX: u32 = 14;

/// The chart frame every plot shares: margin and room for the axis labels.
fn chart_frame<'a, 'b, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, plotters::coord::Shift>,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(52);
    builder
}

/// Step curves of F(t) = 1 − S(t) per permit year, 0–72 months, with a legend.
pub fn cohort_curves_svg(curves: &[CurvePoints], lang: Lang) -> String {
    let texts = lang.texts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 420)).into_drawing_area();
        // Drawing into a string cannot fail for I/O reasons; a failure would leave the plot
        // empty, which is shown as such rather than breaking the page.
        let _ = draw(&root, curves, lang, texts.plot_x_label, texts.plot_y_label);
        let _ = root.present();
    }
    svg
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    curves: &[CurvePoints],
    lang: Lang,
    x_label: &str,
    y_label: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let mut chart = chart_frame(root).build_cartesian_2d(0.0..72.0, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{} %", lang.format_number(100.0 * y, 0)))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .label_style(("sans-serif", LABEL_FONT_PX))
        .axis_desc_style(("sans-serif", AXIS_FONT_PX))
        .draw()?;
    for (index, curve) in curves.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        let mut steps = Vec::with_capacity(2 * curve.time.len());
        for (j, (&t, &f)) in curve.time.iter().zip(&curve.cumulative).enumerate() {
            if t > 72.0 {
                break;
            }
            if j > 0 {
                steps.push((t, curve.cumulative[j - 1]));
            }
            steps.push((t, f));
        }
        if let Some(&(_, last)) = steps.last() {
            steps.push((curve.max_time.min(72.0), last));
        }
        chart
            .draw_series(LineSeries::new(steps, colour.stroke_width(2)))?
            .label(curve.permit_year.to_string())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(0xc9, 0xd1, 0xdb))
        .label_font(("sans-serif", LABEL_FONT_PX))
        .draw()?;
    Ok(())
}

/// A municipality's observed cumulative curve (steps) with its 95 % band, against its
/// expected curve under the model (dashed), 0 to the horizon.
pub fn profile_svg(profile: &MunicipalityProfile, horizon: f64, lang: Lang) -> String {
    let texts = lang.texts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 380)).into_drawing_area();
        let _ = draw_profile(&root, profile, horizon, lang, texts);
        let _ = root.present();
    }
    svg
}

fn draw_profile<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    profile: &MunicipalityProfile,
    horizon: f64,
    lang: Lang,
    texts: &crate::i18n::Texts,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let mut chart = chart_frame(root).build_cartesian_2d(0.0..horizon, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc(texts.plot_x_label)
        .y_desc(texts.plot_y_label)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{} %", lang.format_number(100.0 * y, 0)))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .label_style(("sans-serif", LABEL_FONT_PX))
        .axis_desc_style(("sans-serif", AXIS_FONT_PX))
        .draw()?;
    let steps = |values: &[Option<f64>]| -> Vec<(f64, f64)> {
        let mut points = Vec::new();
        for j in 0..profile.time.len() {
            if let Some(v) = values[j] {
                if j > 0 {
                    if let Some(previous) = values[j - 1] {
                        points.push((profile.time[j], previous));
                    }
                }
                points.push((profile.time[j], v));
            }
        }
        if let Some(&(_, last)) = points.last() {
            points.push((horizon, last));
        }
        points
    };
    let band_colour = RGBColor(0x0b, 0x5c, 0xad).mix(0.18);
    let upper = steps(&profile.upper);
    let lower = steps(&profile.lower);
    if !upper.is_empty() && !lower.is_empty() {
        let polygon: Vec<(f64, f64)> = upper
            .iter()
            .copied()
            .chain(lower.iter().rev().copied())
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(polygon, band_colour.filled())))?;
    }
    let observed: Vec<Option<f64>> = profile.cumulative.iter().map(|&f| Some(f)).collect();
    chart
        .draw_series(LineSeries::new(
            steps(&observed),
            PALETTE[0].stroke_width(2),
        ))?
        .label(texts.profile_observed)
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], PALETTE[0].stroke_width(3)));
    let expected: Vec<(f64, f64)> = profile
        .expected_time
        .iter()
        .copied()
        .zip(profile.expected_cumulative.iter().copied())
        .collect();
    chart
        .draw_series(DashedLineSeries::new(
            expected,
            6,
            4,
            PALETTE[1].stroke_width(2),
        ))?
        .label(texts.profile_expected)
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], PALETTE[1].stroke_width(3)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(0xc9, 0xd1, 0xdb))
        .label_font(("sans-serif", LABEL_FONT_PX))
        .draw()?;
    Ok(())
}

/// The caterpillar plot: every ranked municipality's effect with its 95 % interval
/// effect ± 1.96·SE (MODEL.md §7), ordered by effect; `highlight` drawn in the accent colour.
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
    svg
}

fn draw_caterpillar<DB: DrawingBackend>(
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
            let (low, high) = r
                .effect_se_months
                .map_or((r.effect_months, r.effect_months), |se| {
                    caterpillar_interval(r.effect_months, se, Z_95)
                });
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
    Ok(())
}

/// The funnel plot: effect against spells with the 95 % and 99.8 % control limits
/// ±z·√(c/n), c the median of n_k·SE_k² (MODEL.md §7, after Spiegelhalter 2005). Each point
/// carries a `<title>` with the municipality's name, shown on hover.
pub fn funnel_svg(ranking: &[JsonRanked], lang: Lang) -> String {
    let texts = lang.texts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 420)).into_drawing_area();
        let _ = draw_funnel(&root, ranking, lang, texts.th_spells, texts.th_effect);
        let _ = root.present();
    }
    label_points(&svg, ranking)
}

fn draw_funnel<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    ranking: &[JsonRanked],
    lang: Lang,
    x_label: &str,
    y_label: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let spells_and_se: Vec<(usize, Option<f64>)> = ranking
        .iter()
        .map(|r| (r.spells, r.effect_se_months))
        .collect();
    let c = funnel_constant(&spells_and_se);
    let max_spells = ranking.iter().map(|r| r.spells).max().unwrap_or(100) as f64 * 1.05;
    let min_spells = ranking.iter().map(|r| r.spells).min().unwrap_or(1).max(1) as f64 * 0.9;
    let outer = c.map_or(1.0, |c| funnel_limit(c, min_spells, Z_998));
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
        .x_label_formatter(&|x| format!("{x:.0}"))
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
                chart.draw_series(LineSeries::new(line, colour.stroke_width(1)))?;
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
    Ok(())
}

/// Adds a `<title>` (the municipality's name, shown on hover) to each point circle, in the
/// order they were drawn; the points also get `tabindex` so keyboard users can reach them.
fn label_points(svg: &str, ranking: &[JsonRanked]) -> String {
    let mut out = String::with_capacity(svg.len() + 64 * ranking.len());
    let mut names = ranking.iter().map(|r| &r.municipality);
    for line in svg.split_inclusive('\n') {
        if line.starts_with("<circle") && line.trim_end().ends_with("/>") {
            if let Some(name) = names.next() {
                let escaped = name
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;");
                let open = line.trim_end().trim_end_matches("/>").trim_end();
                out.push_str(&format!(
                    "{open} tabindex=\"0\"><title>{escaped}</title></circle>\n"
                ));
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(rank: usize, name: &str, effect: f64, spells: usize, se: f64) -> JsonRanked {
        JsonRanked {
            rank,
            municipality: name.to_owned(),
            observed_months: 30.0 + effect,
            expected_months: 30.0,
            effect_months: effect,
            p_value: Some(0.5),
            stars: String::new(),
            spells,
            completed_share: 0.4,
            effect_se_months: Some(se),
        }
    }

    #[test]
    fn caterpillar_and_funnel_draw_every_municipality() {
        let ranking = [
            ranked(1, "A & B", -2.0, 100, 0.5),
            ranked(2, "Odense", 0.5, 400, 0.3),
            ranked(3, "Ålborg", 1.5, 90, 0.9),
        ];
        let caterpillar = caterpillar_svg(&ranking, Some("Odense"), Lang::Da);
        assert_eq!(caterpillar.matches("<circle").count(), 3);
        let funnel = funnel_svg(&ranking, Lang::En);
        assert_eq!(funnel.matches("<title>").count(), 3);
        assert!(funnel.contains("<title>A &amp; B</title>"), "{funnel}");
        assert!(!funnel.contains("style="));
    }

    #[test]
    fn draws_one_path_per_cohort_with_a_legend() {
        let curves = [
            CurvePoints {
                permit_year: 1999,
                time: vec![0.0, 10.0, 20.0],
                cumulative: vec![0.0, 0.2, 0.4],
                max_time: 80.0,
            },
            CurvePoints {
                permit_year: 2004,
                time: vec![0.0, 5.0],
                cumulative: vec![0.0, 0.1],
                max_time: 20.0,
            },
        ];
        let svg = cohort_curves_svg(&curves, Lang::En);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(
            svg.contains("\n1999\n") && svg.contains("\n2004\n"),
            "{svg}"
        );
        assert!(svg.contains("Months since residence permit"));
        // No inline style attributes: the Content-Security-Policy forbids them.
        assert!(!svg.contains("style="), "{svg}");
    }
}
