//! The cohort curves as an SVG drawn by plotters (on the main thread: in the browser plotters
//! measures text through the DOM).

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
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(52)
        .build_cartesian_2d(0.0..72.0, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{} %", lang.format_number(100.0 * y, 0)))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
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
        .label_font(("sans-serif", 13))
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
