//! What the demo takes from the publication: table 4 (`data/table4.csv`), the other
//! municipalities of the time, the outcome shares of tables 1–2 and table 3's cohort curves.

/// The spell table of the seed's table 4 (rank, name, observed, expected, effect, stars,
/// spells, completed %).
const TABLE4_CSV: &str = include_str!("../../data/table4.csv");
const OTHER_MUNICIPALITIES: &str = include_str!("../../data/other-municipalities.txt");

/// Total spells (table 1).
pub const TOTAL_SPELLS: usize = 23_563;
/// Spells of men and of women (table 2).
pub const SPELLS_MEN: usize = 11_815;
pub const SPELLS_WOMEN: usize = 11_748;
/// Published shares in percent: (self-support, education, none) overall, men, women.
pub const SHARES_ALL: [f64; 3] = [31.8, 2.8, 65.4];
pub const SHARES_MEN: [f64; 3] = [36.8, 3.0, 60.2];
pub const SHARES_WOMEN: [f64; 3] = [26.7, 2.6, 70.6];
/// Table 3: F in percent at 1–6 years by permit year 1999–2004 (`None`: blank).
pub const TABLE3: [[Option<f64>; 6]; 6] = [
    [
        Some(11.0),
        Some(20.0),
        Some(29.0),
        Some(38.0),
        Some(44.0),
        Some(50.0),
    ],
    [
        Some(11.0),
        Some(21.0),
        Some(31.0),
        Some(39.0),
        Some(45.0),
        None,
    ],
    [Some(10.0), Some(20.0), Some(29.0), Some(38.0), None, None],
    [Some(14.0), Some(25.0), Some(37.0), None, None, None],
    [Some(12.0), Some(29.0), None, None, None, None],
    [Some(14.0), None, None, None, None, None],
];

/// A ranked municipality of the publication.
#[derive(Clone, Debug, PartialEq)]
pub struct PublishedMunicipality {
    pub rank: usize,
    pub name: String,
    pub observed_months: f64,
    pub expected_months: f64,
    pub effect_months: f64,
    pub spells: usize,
    pub completed_percent: f64,
}

/// The 72 ranked municipalities of the seed's table 4.
pub fn published_ranking() -> Vec<PublishedMunicipality> {
    TABLE4_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            Some(PublishedMunicipality {
                rank: fields.first()?.parse().ok()?,
                name: fields.get(1)?.to_string(),
                observed_months: fields.get(2)?.parse().ok()?,
                expected_months: fields.get(3)?.parse().ok()?,
                effect_months: fields.get(4)?.parse().ok()?,
                spells: fields.get(6)?.parse().ok()?,
                completed_percent: fields.get(7)?.parse().ok()?,
            })
        })
        .collect()
}

/// The other municipalities of the time (not ranked).
pub fn other_municipalities() -> Vec<String> {
    OTHER_MUNICIPALITIES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Integer outcome counts (self-support, education, none) for men and women whose shares
/// round to every published one-decimal share of tables 1–2; the solution closest to the
/// published shares.
pub fn outcome_counts() -> ([usize; 3], [usize; 3]) {
    let rounds_to = |count: usize, n: usize, percent: f64| {
        (count as f64 / n as f64 * 100.0 - percent).abs() < 0.05
    };
    let candidates = |n: usize, percent: f64| {
        let centre = (percent / 100.0 * n as f64) as usize;
        (centre.saturating_sub(10)..centre + 10).filter(move |&c| rounds_to(c, n, percent))
    };
    let mut best: Option<(f64, [usize; 3], [usize; 3])> = None;
    for self_support_men in candidates(SPELLS_MEN, SHARES_MEN[0]) {
        for education_men in candidates(SPELLS_MEN, SHARES_MEN[1]) {
            let none_men = SPELLS_MEN - self_support_men - education_men;
            if !rounds_to(none_men, SPELLS_MEN, SHARES_MEN[2]) {
                continue;
            }
            for self_support_women in candidates(SPELLS_WOMEN, SHARES_WOMEN[0]) {
                for education_women in candidates(SPELLS_WOMEN, SHARES_WOMEN[1]) {
                    let none_women = SPELLS_WOMEN - self_support_women - education_women;
                    let totals = [
                        self_support_men + self_support_women,
                        education_men + education_women,
                        none_men + none_women,
                    ];
                    if !rounds_to(none_women, SPELLS_WOMEN, SHARES_WOMEN[2])
                        || !(0..3).all(|c| rounds_to(totals[c], TOTAL_SPELLS, SHARES_ALL[c]))
                    {
                        continue;
                    }
                    let men = [self_support_men, education_men, none_men];
                    let women = [self_support_women, education_women, none_women];
                    let deviation: f64 = (0..3)
                        .map(|c| {
                            (men[c] as f64 / SPELLS_MEN as f64 * 100.0 - SHARES_MEN[c]).abs()
                                + (women[c] as f64 / SPELLS_WOMEN as f64 * 100.0 - SHARES_WOMEN[c])
                                    .abs()
                        })
                        .sum();
                    if best.as_ref().is_none_or(|(d, ..)| deviation < *d) {
                        best = Some((deviation, men, women));
                    }
                }
            }
        }
    }
    best.map_or(([0; 3], [0; 3]), |(_, men, women)| (men, women))
}
