//! The cohort curves (table 3) as step curves of F(t) = 1 − S(t) per permit year.

use plotters::prelude::*;

use super::*;
use crate::i18n::Lang;
use crate::worker::protocol::CurvePoints;

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

pub(super) fn draw<DB: DrawingBackend>(
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
