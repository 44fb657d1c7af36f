//! Danish and English: the user-facing texts and number formats.
//!
//! Every text is a field of [`Texts`], so a translation that is missing is a compile error,
//! not a blank on screen.

/// The language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Danish, the default: the users are Danish municipal officers.
    #[default]
    Da,
    En,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>` and for storing the choice.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// Reads a stored tag; anything unknown gives `None` (the caller falls back to Danish).
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim() {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Da => &DA,
            Lang::En => &EN,
        }
    }

    /// The engine's language, for its messages and number formats.
    pub fn engine(self) -> kommunebench_engine::Language {
        match self {
            Lang::Da => kommunebench_engine::Language::Danish,
            Lang::En => kommunebench_engine::Language::English,
        }
    }

    /// A count with the language's thousands separator: 23.563 in Danish, 23,563 in English.
    pub fn format_count(self, count: usize) -> String {
        let digits = count.to_string();
        let separator = match self {
            Lang::Da => '.',
            Lang::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// `value` with `decimals` digits: decimal comma in Danish, point in English (the
    /// engine's format, shared with the CLI).
    pub fn format_number(self, value: f64, decimals: usize) -> String {
        self.engine().format_number(value, decimals)
    }
}

/// Every text on the page, in one language.
#[derive(Debug, serde::Serialize)]
pub struct Texts {
    pub app_tagline: &'static str,
    pub language_label: &'static str,
    pub intro: &'static str,
    pub privacy: &'static str,
    pub upload_heading: &'static str,
    pub upload_hint: &'static str,
    pub upload_button: &'static str,
    pub demo_button: &'static str,
    pub demo_hint: &'static str,
    pub template_link: &'static str,
    pub columns_heading: &'static str,
    pub columns_intro: &'static str,
    pub column_name: &'static str,
    pub column_role: &'static str,
    pub role_individual_numeric: &'static str,
    pub role_individual_categorical: &'static str,
    pub role_municipal_numeric: &'static str,
    pub role_municipal_categorical: &'static str,
    pub role_ignore: &'static str,
    pub role_spell: &'static str,
    pub role_identifier: &'static str,
    pub options_heading: &'static str,
    pub horizon_label: &'static str,
    pub piece_label: &'static str,
    pub min_spells_label: &'static str,
    pub columns_help_summary: &'static str,
    pub columns_help: &'static [&'static str],
    pub options_help: &'static str,
    pub success_legend: &'static str,
    pub success_both: &'static str,
    pub success_self_support: &'static str,
    pub success_education: &'static str,
    pub permit_years_legend: &'static str,
    pub permit_from_label: &'static str,
    pub permit_to_label: &'static str,
    pub map_legend: &'static str,
    pub map_help: &'static str,
    pub map_button: &'static str,
    pub map_chosen: &'static str,
    pub map_remove: &'static str,
    pub analyse_button: &'static str,
    pub start_over: &'static str,
    pub method_link: &'static str,
    pub export_failed: &'static str,
    pub pager_label: &'static str,
    pub pager_previous: &'static str,
    pub pager_next: &'static str,
    pub profile_loading: &'static str,
    pub compare_heading: &'static str,
    pub permit_years_label_short: &'static str,
    pub map_label_short: &'static str,
    pub compare_label_short: &'static str,
    pub compare_help: &'static str,
    pub compare_button: &'static str,
    pub th_rank_change: &'static str,
    pub rank_change_new: &'static str,
    pub drop_ready: &'static str,
    pub kept_file: &'static str,
    pub use_kept_file: &'static str,
    pub progress_heading: &'static str,
    pub back_button: &'static str,
    pub print_button: &'static str,
    pub progress_reading: &'static str,
    pub progress_fitting: &'static str,
    pub progress_inspecting: &'static str,
    pub cancel_button: &'static str,
    pub error_heading: &'static str,
    pub results_heading: &'static str,
    pub summary_source: &'static str,
    pub summary_spells: &'static str,
    pub summary_ranked: &'static str,
    pub summary_completed: &'static str,
    pub summary_r_squared: &'static str,
    pub summary_horizon: &'static str,
    pub months_unit: &'static str,
    pub sheet_label: &'static str,
    pub download_plot: &'static str,
    pub mix_mean: &'static str,
    pub mix_national: &'static str,
    pub mix_here: &'static str,
    pub mix_level: &'static str,
    pub mix_covariate: &'static str,
    pub profile_mix: &'static str,
    pub profile_expected: &'static str,
    pub profile_observed: &'static str,
    pub profile_choose: &'static str,
    pub profile_heading: &'static str,
    pub print_method: &'static str,
    pub print_options: &'static str,
    pub print_report: &'static str,
    pub summary_heading: &'static str,
    pub export_xlsx: &'static str,
    pub export_csv: &'static str,
    pub no_highlight: &'static str,
    pub highlight_label: &'static str,
    pub funnel_caption: &'static str,
    pub caterpillar_caption: &'static str,
    pub caterpillar_title: &'static str,
    pub caterpillar_file: &'static str,
    pub ranking_file: &'static str,
    pub excluded_file: &'static str,
    pub template_file: &'static str,
    pub funnel_title: &'static str,
    pub funnel_file: &'static str,
    pub cohort_title: &'static str,
    pub cohort_file: &'static str,
    pub uncertainty_heading: &'static str,
    pub caterpillar_x_label: &'static str,
    pub ranking_heading: &'static str,
    pub ranking_intro: &'static str,
    pub search_label: &'static str,
    pub th_rank: &'static str,
    pub th_municipality: &'static str,
    pub th_observed: &'static str,
    pub th_expected: &'static str,
    pub th_effect: &'static str,
    pub th_stars: &'static str,
    pub th_spells: &'static str,
    pub th_completed: &'static str,
    pub national_row: &'static str,
    pub mark_fastest: &'static str,
    pub mark_slowest: &'static str,
    pub stars_legend: &'static str,
    pub no_matches: &'static str,
    pub unranked_heading: &'static str,
    pub reason_too_few: &'static str,
    pub reason_no_event: &'static str,
    pub outcomes_heading: &'static str,
    pub outcome_group: &'static str,
    pub outcome_self_support: &'static str,
    pub outcome_education: &'static str,
    pub outcome_none: &'static str,
    pub outcome_all: &'static str,
    pub sex_men: &'static str,
    pub sex_women: &'static str,
    pub cohorts_heading: &'static str,
    pub cohorts_intro: &'static str,
    pub permit_year: &'static str,
    pub year_word: &'static str,
    pub plot_x_label: &'static str,
    pub plot_y_label: &'static str,
    pub plot_caption: &'static str,
    pub excluded_heading: &'static str,
    pub excluded_none: &'static str,
    pub excluded_download: &'static str,
    pub th_line: &'static str,
    pub th_reason: &'static str,
    pub model_heading: &'static str,
    pub th_term: &'static str,
    pub th_estimate: &'static str,
    pub th_se: &'static str,
    pub convergence_label: &'static str,
    pub log_likelihood_label: &'static str,
    pub th_rank_interval: &'static str,
    pub rank_interval_legend: &'static str,
    pub view_label: &'static str,
    pub view_fixed: &'static str,
    pub view_shrunken: &'static str,
    pub view_fixed_help: &'static str,
    pub view_shrunken_help: &'static str,
    pub th_shrunken_effect: &'static str,
    pub no_shrinkage_note: &'static str,
    pub summary_explained: &'static str,
    pub summary_explained_help: &'static str,
    pub summary_r_squared_help: &'static str,
    pub funnel_overdispersion_label: &'static str,
    pub funnel_overdispersion_help: &'static str,
    pub q_value_label: &'static str,
    pub q_value_help: &'static str,
    pub q_significant_label: &'static str,
    pub tau_squared_label: &'static str,
    pub stage_two_heading: &'static str,
    pub phases_heading: &'static str,
    pub th_phase: &'static str,
    pub th_seconds: &'static str,
    pub th_share: &'static str,
    pub phases_total: &'static str,
    pub worker_memory_label: &'static str,
    pub warnings_heading: &'static str,
    pub model_error_heading: &'static str,
    pub pooled_label: &'static str,
    pub dropped_label: &'static str,
    pub without_events_label: &'static str,
}

const DA: Texts = Texts {
    app_tagline: "Hvor hurtigt bliver nyankomne selvforsørgende eller kommer i uddannelse – i forhold til hvad deres baggrund lader forvente?",
    language_label: "Sprog",
    intro: "kommunebench rangordner kommunerne efter forskellen mellem den observerede og den forventede varighed fra opholdstilladelse til selvforsørgelse eller uddannelse. Metoden følger Integrationsministeriets effektmåling fra 2006.",
    privacy: "Dine data bliver i denne browser. Filen læses og analyseres her på din computer og sendes aldrig nogen steder hen.",
    upload_heading: "Indlæs forløbsdata",
    upload_hint: "Træk en CSV- eller Excel-fil (.xlsx) hertil, eller vælg den:",
    upload_button: "Vælg fil",
    demo_button: "Indlæs demodata",
    demo_hint: "Syntetiske data, der ligner effektmålingen fra 2006 (ingen rigtige personer).",
    template_link: "Hent en skabelon (CSV)",
    columns_heading: "Kolonner og indstillinger",
    columns_intro: "Rollerne er sat efter kolonnernes navne. Ret dem, hvis en kolonne skal bruges anderledes.",
    column_name: "Kolonne",
    column_role: "Rolle",
    role_individual_numeric: "Individuel, numerisk",
    role_individual_categorical: "Individuel, kategorisk",
    role_municipal_numeric: "Kommunal, numerisk",
    role_municipal_categorical: "Kommunal, kategorisk",
    role_ignore: "Bruges ikke",
    role_spell: "Forløbet selv (fast)",
    role_identifier: "Id – bruges aldrig i modellen",
    options_heading: "Indstillinger",
    horizon_label: "Horisont (måneder)",
    piece_label: "Længde af baseline-intervaller (måneder)",
    min_spells_label: "Mindste antal forløb for at blive rangordnet",
    columns_help_summary: "Hvad filen skal indeholde",
    columns_help: &[
        "Én række pr. forløb. Kolonnerne municipality (kommune), permit_date (tilladelsesdato), end_date (slutdato) og outcome (udfald) skal være der; entry_date (tilflytning) er valgfri.",
        "Datoer som 2003-05-17, 17-05-2003 eller 17.05.2003. Tal med komma eller punktum som decimaltegn (3,5 eller 3.5).",
        "Udfald: self_support eller selvforsørgelse, education eller uddannelse, none eller ingen (forløbet sluttede uden nogen af delene).",
        "Andre kolonner er baggrundsvariable: individuelle (én værdi pr. person) eller kommunale (samme værdi for alle forløb i en kommune). Tal eller kategorier; vælg Ignorér for en kolonne, der ikke skal bruges.",
    ],
    options_help: "Horisonten begrænser varighederne (den gennemsnitlige varighed måles op til den). Baseline-intervallerne er modellens tidsopdeling. Kommuner med færre forløb end grænsen får ingen plads i rangordningen, men indgår i modellen. Succes og tilladelsesår ændrer, hvad der måles: kurverne, modellen og rangordningen følger dem; udfaldstabellerne viser altid alle udfald.",
    success_legend: "Hvad tæller som succes",
    success_both: "Selvforsørgelse eller uddannelse (som i 2006)",
    success_self_support: "Kun selvforsørgelse",
    success_education: "Kun uddannelse",
    permit_years_legend: "Tilladelsesår (tomt: alle år)",
    permit_from_label: "Fra og med år",
    permit_to_label: "Til og med år",
    map_legend: "Omkod kommuner (valgfrit)",
    map_help: "En CSV- eller Excel-fil med kolonnerne from og to lægger kommuner sammen eller omdøber dem, fx de 271 kommuner før 2007 til de 98 efter reformen. Kommunale talvariable for sammenlagte kommuner bliver gennemsnit vægtet med antal forløb.",
    map_button: "Vælg en omkodningsfil",
    map_chosen: "Omkodningsfil:",
    map_remove: "Fjern den",
    analyse_button: "Analysér",
    start_over: "Start forfra",
    method_link: "Metode",
    export_failed: "Excel-filen kunne ikke skrives:",
    pager_label: "Sider i rangordningen",
    pager_previous: "Forrige 100",
    pager_next: "Næste 100",
    profile_loading: "Henter kommunens profil …",
    compare_heading: "Sammenlign med en tidligere måling",
    permit_years_label_short: "tilladelsesår",
    map_label_short: "kommuner omkodet efter",
    compare_label_short: "sammenlignet med",
    compare_help: "Vælg en rangordning, du tidligere har hentet fra kommunebench (CSV eller Excel), eller en JSON-rapport fra kommandolinjen. Tabellen får en kolonne med ændringen i rang, og sammendraget fortæller, hvem der har flyttet sig.",
    compare_button: "Vælg den tidligere måling",
    th_rank_change: "Ændring",
    rank_change_new: "ny",
    drop_ready: "Slip filen her.",
    kept_file: "Filen fra før er stadig valgt:",
    use_kept_file: "Analysér den igen",
    progress_heading: "Analysen kører",
    back_button: "Tilbage",
    print_button: "Udskriv rapporten",
    progress_reading: "Læser filen …",
    progress_fitting: "Estimerer modellen – Newton-iteration",
    progress_inspecting: "Læser kolonnerne …",
    cancel_button: "Annullér",
    error_heading: "Filen kunne ikke analyseres",
    results_heading: "Resultater",
    summary_source: "Fil",
    summary_spells: "Forløb i alt",
    summary_ranked: "Rangordnede kommuner",
    summary_completed: "Andel afsluttede forløb",
    summary_r_squared: "Andel af kommuneforskellene, som kommunale forhold forklarer (R²)",
    summary_horizon: "Horisont",
    months_unit: "mdr.",
    sheet_label: "Regneark (fane) med forløbene",
    download_plot: "Hent figuren",
    mix_mean: "gennemsnit",
    mix_national: "Hele landet",
    mix_here: "Kommunen",
    mix_level: "Niveau",
    mix_covariate: "Forhold",
    profile_mix: "Sammensætning: kommunen og hele landet",
    profile_expected: "Forventet efter modellen",
    profile_observed: "Observeret (Kaplan–Meier, 95 %-bånd)",
    profile_choose: "Vælg kommune (eller klik på en kommune i tabellen)",
    profile_heading: "Kommune i fokus",
    print_method: "Metode: varighed fra opholdstilladelse til mindst 26 ugers selvforsørgelse eller uddannelse; stykvis eksponentiel varighedsmodel med individuelle forhold og kommunale effekter; effekt = observeret minus forventet gennemsnitlig varighed op til horisonten (forventet ud fra kommunale forhold). Efter Integrationsministeriets effektmåling 2006.",
    print_options: "Indstillinger",
    print_report: "Rapport fra kommunebench, dannet",
    summary_heading: "Sammenfatning",
    export_xlsx: "Hent rangordningen (Excel)",
    export_csv: "Hent rangordningen (CSV)",
    no_highlight: "(ingen)",
    highlight_label: "Fremhæv kommune",
    funnel_caption: "Sådan læses det: hvert punkt er en kommune; punkter uden for de indre linjer (95 %) er usædvanlige for deres antal forløb, uden for de ydre (99,8 %) meget usædvanlige. Hold musen over eller gå med tabulatortasten til et punkt for at se kommunen.",
    caterpillar_caption: "Sådan læses det: hver lodret streg er en kommunes 95 %-interval for effekten, beregnet gennem modellen (det kan være skævt); et interval, der ikke rører 0-linjen, svarer til mindst én stjerne. De tre hurtigste og tre langsomste er navngivet; hold musen over et punkt, eller vælg en kommune for at fremhæve den.",
    caterpillar_title: "Effekter med usikkerhed (larvediagram)",
    caterpillar_file: "kommunebench-larvediagram",
    ranking_file: "kommunebench-rangordning",
    excluded_file: "kommunebench-sorterede-raekker",
    template_file: "kommunebench-skabelon",
    funnel_title: "Effekt mod kommunens størrelse (tragtdiagram)",
    funnel_file: "kommunebench-tragt",
    cohort_title: "Andel afsluttede forløb pr. årgang",
    cohort_file: "kommunebench-kohorter",
    uncertainty_heading: "Usikkerhed",
    caterpillar_x_label: "Kommuner ordnet efter effekt",
    ranking_heading: "Rangordning (tabel 4)",
    ranking_intro: "Effekt = observeret minus forventet gennemsnitlig varighed op til horisonten, i måneder. Negativ er bedre: hurtigere end forventet.",
    search_label: "Søg kommune",
    th_rank: "Rang",
    th_municipality: "Kommune",
    th_observed: "Observeret (mdr.)",
    th_expected: "Forventet (mdr.)",
    th_effect: "Effekt (mdr.)",
    th_stars: "Sign.",
    th_spells: "Forløb",
    th_completed: "Afsluttede",
    national_row: "Hele landet",
    mark_fastest: "top 5",
    mark_slowest: "bund 5",
    stars_legend: "*** p < 0,05, ** p < 0,10, * p < 0,20: sandsynligheden for at effekten ikke afviger fra landsgennemsnittet. Ingen stjerne: insignifikant.",
    no_matches: "Ingen kommuner passer til søgningen.",
    unranked_heading: "Kommuner uden for rangordningen",
    reason_too_few: "for få forløb",
    reason_no_event: "ingen afsluttede forløb inden for horisonten",
    outcomes_heading: "Udfald (tabel 1 og 2)",
    outcome_group: "Gruppe",
    outcome_self_support: "Selvforsørgelse",
    outcome_education: "Uddannelse",
    outcome_none: "Hverken eller",
    outcome_all: "Alle",
    sex_men: "Mænd",
    sex_women: "Kvinder",
    cohorts_heading: "Andel afsluttede efter år for opholdstilladelse (tabel 3)",
    cohorts_intro: "Kaplan–Meier-skøn af andelen, der er blevet selvforsørgende eller er kommet i uddannelse, 1–6 år efter opholdstilladelsen. Tom: ingen opfølgning så længe.",
    permit_year: "År for opholdstilladelse",
    year_word: "år",
    plot_x_label: "Måneder siden opholdstilladelse",
    plot_y_label: "Andel afsluttet",
    plot_caption: "Sådan læses det: hver kurve er en årgang (året for opholdstilladelsen); den viser, hvor stor en andel der er blevet selvforsørgende eller er begyndt på uddannelse, efter så mange måneder. En stejlere kurve er en hurtigere årgang.",
    excluded_heading: "Sorterede rækker",
    excluded_none: "Ingen rækker blev sorteret fra.",
    excluded_download: "Hent listen (CSV)",
    th_line: "Linje",
    th_reason: "Årsag",
    model_heading: "Modellen",
    th_term: "Led",
    th_estimate: "Estimat",
    th_se: "Std.fejl",
    convergence_label: "Konvergens",
    log_likelihood_label: "Log-likelihood",
    th_rank_interval: "Rang 95 %",
    rank_interval_legend: "Rang 95 %: kommunens placering ligger i dette interval med 95 % sandsynlighed, når usikkerheden på alle kommuners effekter tages med (1.000 tilfældige træk). Overlappende intervaller betyder, at rækkefølgen mellem kommunerne er usikker.",
    view_label: "Effekter",
    view_fixed: "Som i 2006 (faste effekter)",
    view_shrunken: "Krympede effekter (empirisk Bayes)",
    view_fixed_help: "Hver kommunes effekt er dens egen forskel mellem observeret og forventet varighed, som i ministeriets opgørelse.",
    view_shrunken_help: "Små kommuners effekter er trukket mod det forventede i forhold til, hvor usikre de er; rangordningen efter de krympede effekter belønner ikke tilfældige udsving.",
    th_shrunken_effect: "Krympet effekt",
    no_shrinkage_note: "Forskellene mellem kommunerne er ikke større, end tilfældigheder kan forklare (τ̂² = 0): alle krympede effekter er 0, og der er ingen krympet rangordning.",
    summary_explained: "Forklaret af forudsætningerne",
    summary_explained_help: "Andel af forskellene i observeret varighed mellem de rangordnede kommuner, som borgernes og kommunernes forudsætninger forklarer (ministeriet: 72 pct.).",
    summary_r_squared_help: "Andel af forskellene i kommuneeffekterne, som de kommunale forhold forklarer (trin 2).",
    funnel_overdispersion_label: "Vis også grænser med overspredning (Spiegelhalter 2005)",
    funnel_overdispersion_help: "De stiplede grænser lægger kommunernes reelle indbyrdes variation (τ̂²) til den tilfældige usikkerhed: et punkt uden for dem er usædvanligt, selv når kommuner reelt er forskellige.",
    q_value_label: "q-værdi",
    q_value_help: "q-værdien er p-værdien justeret for, at mange kommuner testes på én gang (Benjamini–Hochberg): blandt kommuner med q under 0,05 er højst 5 % forventeligt falske fund.",
    q_significant_label: "Kommuner med q < 0,05",
    tau_squared_label: "Variation mellem kommuner (τ̂²)",
    stage_two_heading: "Kommunale forhold (trin 2): γ̂ med standardfejl",
    phases_heading: "Hvor tiden gik",
    th_phase: "Trin",
    th_seconds: "Sekunder",
    th_share: "Andel",
    phases_total: "I alt",
    worker_memory_label: "Beregningens hukommelse (højeste forbrug)",
    warnings_heading: "Advarsler om filen",
    model_error_heading: "Rangordningsmodellen kunne ikke beregnes",
    pooled_label: "Sjældne niveauer slået sammen",
    dropped_label: "Variable uden variation (udeladt)",
    without_events_label: "Kommuner uden afsluttede forløb inden for horisonten",
};

const EN: Texts = Texts {
    app_tagline: "How fast do newcomers become self-supporting or start education – relative to what their background predicts?",
    language_label: "Language",
    intro: "kommunebench ranks municipalities by the difference between the observed and the expected time from residence permit to self-support or education. The method follows the Danish integration ministry's 2006 benchmarking.",
    privacy: "Your data stays in this browser. The file is read and analysed here on your computer and is never sent anywhere.",
    upload_heading: "Load spell data",
    upload_hint: "Drop a CSV or Excel (.xlsx) file here, or choose it:",
    upload_button: "Choose file",
    demo_button: "Load the demo data",
    demo_hint: "Synthetic data resembling the 2006 benchmarking (no real persons).",
    template_link: "Download a file template (CSV)",
    columns_heading: "Columns and options",
    columns_intro: "Roles are set from the column names. Change them if a column should be used differently.",
    column_name: "Column",
    column_role: "Role",
    role_individual_numeric: "Individual, numeric",
    role_individual_categorical: "Individual, categorical",
    role_municipal_numeric: "Municipal, numeric",
    role_municipal_categorical: "Municipal, categorical",
    role_ignore: "Not used",
    role_spell: "The spell itself (fixed)",
    role_identifier: "Id – never used in the model",
    options_heading: "Options",
    horizon_label: "Horizon (months)",
    piece_label: "Baseline piece width (months)",
    min_spells_label: "Minimum spells to be ranked",
    columns_help_summary: "What the file must hold",
    columns_help: &[
        "One row per spell. The columns municipality, permit_date, end_date and outcome must be there; entry_date (moving in) is optional.",
        "Dates as 2003-05-17, 17-05-2003 or 17.05.2003. Numbers with a decimal comma or point (3,5 or 3.5).",
        "Outcome: self_support (selvforsørgelse), education (uddannelse), none (ingen: the spell ended with neither).",
        "Other columns are covariates: individual (one value per person) or municipal (the same value for every spell of a municipality). Numbers or categories; choose Ignore for a column not to use.",
    ],
    options_help: "The horizon restricts durations (the mean duration is measured up to it). The baseline pieces are the model's division of time. Municipalities with fewer spells than the limit get no rank but are in the model. Success and permit years change what is measured: the curves, the model and the ranking follow them; the outcome tables always show every outcome.",
    success_legend: "What counts as success",
    success_both: "Self-support or education (as in 2006)",
    success_self_support: "Self-support only",
    success_education: "Education only",
    permit_years_legend: "Permit years (empty: every year)",
    permit_from_label: "From year",
    permit_to_label: "To year",
    map_legend: "Map municipalities (optional)",
    map_help: "A CSV or Excel file with the columns from and to merges or renames municipalities, e.g. the 271 municipalities before 2007 into the 98 after the reform. Numeric municipal covariates of merged municipalities become means weighted by spells.",
    map_button: "Choose a mapping file",
    map_chosen: "Mapping file:",
    map_remove: "Remove it",
    analyse_button: "Analyse",
    start_over: "Start over",
    method_link: "Method",
    export_failed: "The Excel file could not be written:",
    pager_label: "Pages of the ranking",
    pager_previous: "Previous 100",
    pager_next: "Next 100",
    profile_loading: "Fetching the municipality's profile …",
    compare_heading: "Compare with an earlier measurement",
    permit_years_label_short: "permit years",
    map_label_short: "municipalities mapped by",
    compare_label_short: "compared with",
    compare_help: "Choose a ranking you downloaded from kommunebench before (CSV or Excel), or a JSON report from the command line. The table gains a column with the change of rank, and the summary tells who has moved.",
    compare_button: "Choose the earlier measurement",
    th_rank_change: "Change",
    rank_change_new: "new",
    drop_ready: "Drop the file here.",
    kept_file: "The file from before is still chosen:",
    use_kept_file: "Analyse it again",
    progress_heading: "The analysis is running",
    back_button: "Back",
    print_button: "Print the report",
    progress_reading: "Reading the file …",
    progress_fitting: "Fitting the model – Newton iteration",
    progress_inspecting: "Reading the columns …",
    cancel_button: "Cancel",
    error_heading: "The file could not be analysed",
    results_heading: "Results",
    summary_source: "File",
    summary_spells: "Spells in all",
    summary_ranked: "Ranked municipalities",
    summary_completed: "Completed spells",
    summary_r_squared: "Share of municipal differences explained by municipal characteristics (R²)",
    summary_horizon: "Horizon",
    months_unit: "months",
    sheet_label: "Worksheet with the spells",
    download_plot: "Download the plot",
    mix_mean: "mean",
    mix_national: "National",
    mix_here: "Municipality",
    mix_level: "Level",
    mix_covariate: "Characteristic",
    profile_mix: "Mix: the municipality and the whole country",
    profile_expected: "Expected by the model",
    profile_observed: "Observed (Kaplan–Meier, 95 % band)",
    profile_choose: "Choose a municipality (or click one in the table)",
    profile_heading: "Municipality in focus",
    print_method: "Method: time from residence permit to at least 26 weeks of self-support or education; piecewise-exponential duration model with individual characteristics and municipality effects; effect = observed minus expected mean duration up to the horizon (expected from municipal characteristics). After the Danish integration ministry's 2006 benchmarking.",
    print_options: "Options",
    print_report: "kommunebench report, produced",
    summary_heading: "Summary",
    export_xlsx: "Download the ranking (Excel)",
    export_csv: "Download the ranking (CSV)",
    no_highlight: "(none)",
    highlight_label: "Highlight municipality",
    funnel_caption: "How to read it: each point is a municipality; points outside the inner lines (95 %) are unusual for their number of spells, outside the outer lines (99.8 %) very unusual. Hover over a point, or reach it with the Tab key, to see the municipality.",
    caterpillar_caption: "How to read it: each vertical line is a municipality's 95 % interval of the effect, mapped through the model (it may be asymmetric); an interval that does not touch the 0 line goes with at least one star. The three fastest and three slowest are named; hover over a point, or choose a municipality to highlight it.",
    caterpillar_title: "Effects with their uncertainty (caterpillar plot)",
    caterpillar_file: "kommunebench-caterpillar",
    ranking_file: "kommunebench-ranking",
    excluded_file: "kommunebench-excluded-rows",
    template_file: "kommunebench-template",
    funnel_title: "Effect against the municipality's size (funnel plot)",
    funnel_file: "kommunebench-funnel",
    cohort_title: "Share of completed spells by cohort",
    cohort_file: "kommunebench-cohorts",
    uncertainty_heading: "Uncertainty",
    caterpillar_x_label: "Municipalities ordered by effect",
    ranking_heading: "Ranking (table 4)",
    ranking_intro: "Effect = observed minus expected mean duration up to the horizon, in months. Negative is better: faster than expected.",
    search_label: "Search municipality",
    th_rank: "Rank",
    th_municipality: "Municipality",
    th_observed: "Observed (months)",
    th_expected: "Expected (months)",
    th_effect: "Effect (months)",
    th_stars: "Sign.",
    th_spells: "Spells",
    th_completed: "Completed",
    national_row: "National",
    mark_fastest: "top 5",
    mark_slowest: "bottom 5",
    stars_legend: "*** p < 0.05, ** p < 0.10, * p < 0.20: the probability that the effect does not differ from the national average. No star: not significant.",
    no_matches: "No municipality matches the search.",
    unranked_heading: "Municipalities outside the ranking",
    reason_too_few: "too few spells",
    reason_no_event: "no completed spell within the horizon",
    outcomes_heading: "Outcomes (tables 1 and 2)",
    outcome_group: "Group",
    outcome_self_support: "Self-support",
    outcome_education: "Education",
    outcome_none: "Neither",
    outcome_all: "All",
    sex_men: "Men",
    sex_women: "Women",
    cohorts_heading: "Share completed by year of permit (table 3)",
    cohorts_intro: "Kaplan–Meier estimate of the share that became self-supporting or started education 1–6 years after the permit. Blank: no follow-up that long.",
    permit_year: "Permit year",
    year_word: "yr",
    plot_x_label: "Months since residence permit",
    plot_y_label: "Share completed",
    plot_caption: "How to read it: each curve is a cohort (the year of the residence permit); it shows the share that has become self-supporting or started education after so many months. A steeper curve is a faster cohort.",
    excluded_heading: "Excluded rows",
    excluded_none: "No rows were excluded.",
    excluded_download: "Download the list (CSV)",
    th_line: "Line",
    th_reason: "Reason",
    model_heading: "The model",
    th_term: "Term",
    th_estimate: "Estimate",
    th_se: "Std. error",
    convergence_label: "Convergence",
    log_likelihood_label: "Log-likelihood",
    th_rank_interval: "Rank 95 %",
    rank_interval_legend: "Rank 95 %: the municipality's place lies in this interval with 95 % probability once the uncertainty of every municipality's effect is taken into account (1,000 random draws). Overlapping intervals mean that the order between those municipalities is uncertain.",
    view_label: "Effects",
    view_fixed: "As in 2006 (fixed effects)",
    view_shrunken: "Shrunken effects (empirical Bayes)",
    view_fixed_help: "Each municipality's effect is its own difference between observed and expected duration, as in the ministry's report.",
    view_shrunken_help: "Small municipalities' effects are pulled towards expectation as far as they are uncertain; ranking by the shrunken effects does not reward chance.",
    th_shrunken_effect: "Shrunken effect",
    no_shrinkage_note: "The differences between the municipalities are no larger than chance explains (τ̂² = 0): every shrunken effect is 0 and there is no shrunken ranking.",
    summary_explained: "Explained by circumstances",
    summary_explained_help: "Share of the differences in observed duration between the ranked municipalities that the people's and the municipalities' circumstances explain (the ministry: 72 per cent).",
    summary_r_squared_help: "Share of the differences in municipality effects that the municipal characteristics explain (stage 2).",
    funnel_overdispersion_label: "Also show limits with overdispersion (Spiegelhalter 2005)",
    funnel_overdispersion_help: "The dashed limits add the municipalities' real variation (τ̂²) to chance: a point outside them is unusual even though municipalities really differ.",
    q_value_label: "q value",
    q_value_help: "The q value is the p value adjusted for testing many municipalities at once (Benjamini–Hochberg): among municipalities with q below 0.05, at most 5 % are expected to be false findings.",
    q_significant_label: "Municipalities with q < 0.05",
    tau_squared_label: "Variation between municipalities (τ̂²)",
    stage_two_heading: "Municipal characteristics (stage 2): γ̂ with standard errors",
    phases_heading: "Where the time went",
    th_phase: "Step",
    th_seconds: "Seconds",
    th_share: "Share",
    phases_total: "Total",
    worker_memory_label: "Memory of the analysis (peak)",
    warnings_heading: "Warnings about the file",
    model_error_heading: "The ranking model could not be fitted",
    pooled_label: "Rare levels pooled",
    dropped_label: "Covariates without variation (dropped)",
    without_events_label: "Municipalities without completed spells within the horizon",
};

mod messages;
mod method;

pub use messages::{describe_format, error_text};
pub use method::MethodSection;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::protocol::WorkerError;
    use kommunebench_engine::read::{SourceFormat, TextEncoding};
    use kommunebench_engine::Role;

    #[test]
    fn numbers_use_the_language_decimal_separator() {
        assert_eq!(Lang::Da.format_number(-7.2058, 3), "\u{2212}7,206");
        assert_eq!(Lang::En.format_number(-7.2058, 3), "\u{2212}7.206");
        assert_eq!(Lang::Da.format_number(37.891, 1), "37,9");
        assert_eq!(Lang::En.format_number(-0.0004, 3), "0.000");
        assert_eq!(Lang::En.format_number(f64::NAN, 3), "–");
    }

    #[test]
    fn the_method_page_has_every_section_in_both_languages() {
        let (da, en) = (Lang::Da.method_sections(), Lang::En.method_sections());
        assert_eq!(da.len(), en.len());
        for (da, en) in da.iter().zip(en) {
            assert!(!da.heading.is_empty() && da.heading != en.heading);
            assert_eq!(da.paragraphs.len(), en.paragraphs.len(), "{}", da.heading);
            for (da, en) in da.paragraphs.iter().zip(en.paragraphs) {
                assert!(da.len() > 40 && da != en, "{da}");
            }
        }
    }

    #[test]
    fn counts_group_thousands_as_the_language_writes_them() {
        assert_eq!(Lang::Da.format_count(23_563), "23.563");
        assert_eq!(Lang::En.format_count(23_563), "23,563");
        assert_eq!(Lang::En.format_count(1_000_000), "1,000,000");
        assert_eq!(Lang::Da.format_count(999), "999");
        assert_eq!(Lang::Da.format_count(0), "0");
    }

    #[test]
    fn language_codes_round_trip() {
        for lang in [Lang::Da, Lang::En] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("de"), None);
    }

    #[test]
    fn the_two_languages_differ_where_they_should() {
        let (da, en) = (Lang::Da.texts(), Lang::En.texts());
        for (da, en) in [
            (da.privacy, en.privacy),
            (da.demo_button, en.demo_button),
            (da.th_municipality, en.th_municipality),
            (da.national_row, en.national_row),
            (da.stars_legend, en.stars_legend),
        ] {
            assert!(!da.is_empty() && da != en, "{da} / {en}");
        }
    }

    #[test]
    fn role_labels_cover_every_role() {
        for role in Role::ALL {
            for lang in [Lang::Da, Lang::En] {
                assert!(!lang.role_label(role).is_empty());
            }
            assert_ne!(Lang::Da.role_label(role), Lang::En.role_label(role));
        }
        assert_eq!(
            Lang::En.role_label(Role::MunicipalNumeric),
            "Municipal, numeric"
        );
    }

    /// Texts that are the same in Danish and English: "Sign." and "Log-likelihood" are the
    /// terms Danish statistics uses too, and "top 5" is said so in Danish as well.
    const SAME_IN_BOTH: [&str; 3] = ["th_stars", "mark_fastest", "log_likelihood_label"];

    /// Every text exists in both languages, is not blank, and is translated: a Danish text
    /// left in English (or a copy) fails here, naming the field.
    #[test]
    fn every_text_is_present_and_translated() {
        let as_map = |texts: &Texts| -> serde_json::Map<String, serde_json::Value> {
            match serde_json::to_value(texts).expect("texts serialise") {
                serde_json::Value::Object(map) => map,
                other => panic!("texts are an object, not {other}"),
            }
        };
        let (da, en) = (as_map(Lang::Da.texts()), as_map(Lang::En.texts()));
        assert_eq!(da.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>());
        assert!(da.len() > 50, "only {} texts", da.len());
        // A list of texts (a help list) is checked as its lines joined.
        let text = |value: &serde_json::Value| -> String {
            match value {
                serde_json::Value::Array(lines) => lines
                    .iter()
                    .map(|l| l.as_str().expect("a line of text"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                other => other.as_str().expect("text").to_owned(),
            }
        };
        for (field, danish) in &da {
            let (danish, english) = (text(danish), text(&en[field]));
            let (danish, english) = (danish.as_str(), english.as_str());
            assert!(!danish.trim().is_empty(), "Danish `{field}` is blank");
            assert!(!english.trim().is_empty(), "English `{field}` is blank");
            if !SAME_IN_BOTH.contains(&field.as_str()) {
                assert_ne!(danish, english, "`{field}` is not translated");
            }
        }
    }

    #[test]
    fn every_error_is_worded_in_both_languages() {
        let errors = [
            WorkerError::NoFile,
            WorkerError::BadRequest("x".to_owned()),
            WorkerError::BadAnswer("x".to_owned()),
            WorkerError::Unreachable,
            WorkerError::Unsealed("fetch".to_owned()),
            WorkerError::Crashed("RuntimeError: unreachable".to_owned()),
            WorkerError::FileTooLarge {
                bytes: 9e8,
                limit_bytes: 5e8,
            },
            WorkerError::Read(kommunebench_engine::ReadError::Empty),
            WorkerError::Model(
                kommunebench_engine::model::ModelError::NoEventsWithinHorizon {
                    horizon_months: 48.0,
                },
            ),
        ];
        for error in &errors {
            let (da, en) = (error_text(Lang::Da, error), error_text(Lang::En, error));
            assert!(!da.is_empty() && !en.is_empty() && da != en, "{error:?}");
        }
        let tab = SourceFormat::Csv {
            encoding: TextEncoding::Windows1252,
            delimiter: '\t',
        };
        assert_eq!(
            describe_format(Lang::Da, &tab),
            "CSV, Windows-1252, tabulator"
        );
        assert_eq!(describe_format(Lang::En, &tab), "CSV, Windows-1252, tab");
    }
}
