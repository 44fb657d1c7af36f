//! A municipality's drill-down plot: its Kaplan–Meier curve with band against the expected curve.

use kommunebench_engine::model::profile::MunicipalityProfile;
use plotters::prelude::*;

use super::*;
use crate::i18n::Lang;

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

pub(super) fn draw_profile<DB: DrawingBackend>(
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
