//! The plots as SVG drawn by plotters, one file each over one shared frame (on the main
//! thread: in the browser plotters measures text through the DOM).

mod caterpillar;
mod cohorts;
mod funnel;
mod profile;

use kommunebench_engine::report::JsonRanked;
use plotters::prelude::*;

pub use caterpillar::caterpillar_svg;
pub use cohorts::cohort_curves_svg;
pub use funnel::funnel_svg;
pub use profile::profile_svg;

/// Colours for up to eight cohorts, distinguishable and dark enough on white.
pub(super) const PALETTE: [RGBColor; 8] = [
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
pub(super) const LABEL_FONT_PX: u32 = 13;
pub(super) const AXIS_FONT_PX: u32 = 14;

/// The chart frame every plot shares: margin and room for the axis labels.
pub(super) fn chart_frame<'a, 'b, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, plotters::coord::Shift>,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(52);
    builder
}

/// Adds a `<title>` (the municipality's name, shown on hover) to each point circle, in the
/// order they were drawn; the points also get `tabindex` so keyboard users can reach them.
pub(super) fn label_points(svg: &str, ranking: &[JsonRanked]) -> String {
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
    use crate::i18n::Lang;
    use crate::worker::protocol::CurvePoints;

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
            ..JsonRanked::default()
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
        // Every point is named on hover and focus; the ends and the highlighted one beside it.
        assert_eq!(caterpillar.matches("<title>").count(), 3);
        assert_eq!(caterpillar.matches("tabindex=\"0\"").count(), 3);
        assert!(
            caterpillar.contains(">\nA &amp; B\n</text>")
                || caterpillar.contains(">A &amp; B</text>"),
            "{caterpillar}"
        );
        assert!(!caterpillar.contains("style="), "{caterpillar}");
        let funnel = funnel_svg(&ranking, Lang::En, None);
        // The overdispersed limits add four dashed lines of 50 segments each, and two legend
        // samples.
        let widened = funnel_svg(&ranking, Lang::En, Some(1.0));
        assert_eq!(
            widened.matches("<polyline").count(),
            funnel.matches("<polyline").count() + 4 * 50 + 2
        );
        assert_eq!(funnel.matches("<title>").count(), 3);
        assert!(funnel.contains("<title>A &amp; B</title>"), "{funnel}");
        assert!(!funnel.contains("style="));
        // Log ticks: only 1, 2 and 5 × 10^k carry a label.
        assert!(
            funnel.contains(">100<") || funnel.contains("\n100\n"),
            "{funnel}"
        );
        assert!(
            !funnel.contains("\n300\n") && !funnel.contains(">300<"),
            "{funnel}"
        );
        // The legend names the limits, the widened ones too.
        assert!(
            funnel.contains("95 % limit") && funnel.contains("99.8 % limit"),
            "{funnel}"
        );
        assert!(widened.contains("99.8 % limit, overdispersed"), "{widened}");
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
