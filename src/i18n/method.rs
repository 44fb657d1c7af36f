//! The method page ("Metode" / "Method"): the measure, the model in plain words, how to read
//! every number and plot, and the limits the seed itself names. Reached from every step.

use super::Lang;

/// One section of the method page: a heading and its paragraphs.
#[derive(Debug)]
pub struct MethodSection {
    pub heading: &'static str,
    pub paragraphs: &'static [&'static str],
}

impl Lang {
    /// The method page's title.
    pub fn method_title(self) -> &'static str {
        match self {
            Lang::Da => "Metode: sådan måler kommunebench",
            Lang::En => "Method: how kommunebench measures",
        }
    }

    /// The method page, section by section.
    pub fn method_sections(self) -> &'static [MethodSection] {
        match self {
            Lang::Da => &METHOD_DA,
            Lang::En => &METHOD_EN,
        }
    }
}

const METHOD_DA: [MethodSection; 7] = [
    MethodSection {
        heading: "Hvad der måles",
        paragraphs: &[
            "Et forløb begynder, når en udlænding under integrationsprogrammet får opholdstilladelse (eller flytter til kommunen), og slutter, når personen har været selvforsørgende i mindst 26 uger eller er begyndt på en ordinær uddannelse. Måltallet er den gennemsnitlige varighed til det sker, begrænset til horisonten (normalt 4 år = 48 måneder): et forløb, der ikke er afsluttet inden horisonten, tæller med horisonten.",
            "Under Indstillinger kan man vælge, at kun selvforsørgelse (eller kun uddannelse) tæller som succes, og at kun forløb med tilladelse i bestemte år indgår. Udfaldstabellerne viser altid alle udfald.",
        ],
    },
    MethodSection {
        heading: "Modellen i almindelige ord",
        paragraphs: &[
            "Hvor hurtigt folk bliver selvforsørgende afhænger meget af, hvem de er: alder, køn, opholdsgrundlag, oprindelsesland, familie, helbred og tilladelsesår. En varighedsmodel (stykvis eksponentiel, som i Integrationsministeriets måling fra 2006) beregner ud fra disse forhold, hvor lang tid hver person kunne forventes at bruge, og hver kommunes eget bidrag.",
            "Kommunernes bidrag forklares derefter med kommunale forhold (fx ledighed, andel job). Det, der er tilbage, er kommunens effekt: hvad kommunen selv ser ud til at gøre.",
        ],
    },
    MethodSection {
        heading: "Faktisk, forventet og effekt",
        paragraphs: &[
            "Faktisk varighed er den gennemsnitlige varighed for kommunens egne forløb, som modellen beregner den med kommunens eget bidrag. Forventet varighed er den varighed, de samme personer kunne forventes at have i en kommune med samme kommunale forhold. Effekten er faktisk minus forventet, i måneder: negativ er hurtigere end forventet, positiv langsommere.",
        ],
    },
    MethodSection {
        heading: "Stjerner og q-værdier",
        paragraphs: &[
            "Stjernerne viser, hvor sikkert effekten er forskellig fra 0 (som i ministeriets tabel 4): *** p < 0,05, ** p < 0,10, * p < 0,20. Når mange kommuner testes på én gang, vil nogle få se signifikante ud ved et tilfælde; q-værdien (Benjamini–Hochberg) tager højde for det: q < 0,05 betyder, at højst omkring 5 % af kommunerne med så lave q-værdier ventes at være falske fund.",
        ],
    },
    MethodSection {
        heading: "Rangintervaller og empirisk Bayes",
        paragraphs: &[
            "En rangplads er usikker: rangintervallet (fx 3–11) er de pladser, kommunen ligger på med 95 % sandsynlighed, når usikkerheden på alle effekterne trækkes tilfældigt 1.000 gange. Kommuner tæt på hinanden i tabellen kan sagtens have byttet plads.",
            "Visningen \"krympede effekter (empirisk Bayes)\" trækker effekterne for små kommuner ind mod 0, i det omfang de er usikre: det giver en mere forsigtig rangordning. Visningen \"som i 2006\" viser de faste effekter som i ministeriets tabel 4.",
        ],
    },
    MethodSection {
        heading: "Tragt- og larvediagram",
        paragraphs: &[
            "Larvediagrammet viser hver kommunes effekt med sit 95 %-interval: et interval, der ikke rører 0, hører til en kommune med tre stjerner (p < 0,05). Tragtdiagrammet viser effekten mod antal forløb: kommuner uden for de indre linjer (95 %) er usædvanlige for deres størrelse, uden for de ydre (99,8 %) meget usædvanlige. Grænserne med overspredning tager højde for, at kommuner altid vil variere noget.",
            "Forklaringsandelen er den del af forskellene i faktisk varighed mellem de rangordnede kommuner, som personernes og kommunernes forhold forklarer (i 2006: 72 %). R² for trin 2 er den del af kommunernes egne bidrag, som de kommunale forhold forklarer.",
        ],
    },
    MethodSection {
        heading: "Begrænsninger",
        paragraphs: &[
            "Effekten er et mål for hele perioden: en kommune, der har ændret sin indsats sent i perioden, vil først se det senere (vælg eventuelt et vindue af tilladelsesår). Forhold, som data ikke indeholder, kan stå bag en effekt. Kommuner med færre forløb end mindstetallet under Indstillinger (normalt 80) rangordnes ikke. Læg ikke for meget i små forskelle i rang.",
            "Data forlader aldrig browseren: filen læses og analyseres på din egen maskine.",
        ],
    },
];

const METHOD_EN: [MethodSection; 7] = [
    MethodSection {
        heading: "What is measured",
        paragraphs: &[
            "A spell begins when a newcomer under the integration programme gets a residence permit (or moves to the municipality) and ends when the person has been self-supporting for at least 26 weeks or has begun ordinary education. The measure is the mean time until that happens, restricted to the horizon (normally 4 years = 48 months): a spell not completed within the horizon counts with the horizon.",
            "Under Options one may count only self-support (or only education) as success, and analyse only spells with a permit in chosen years. The outcome tables always show every outcome.",
        ],
    },
    MethodSection {
        heading: "The model in plain words",
        paragraphs: &[
            "How fast people become self-supporting depends much on who they are: age, sex, residence basis, country of origin, family, health and permit year. A duration model (piecewise exponential, as in the Danish integration ministry's benchmarking of 2006) estimates from these how long each person could be expected to take, and each municipality's own contribution.",
            "The municipalities' contributions are then explained by municipal characteristics (e.g. unemployment, jobs). What is left is the municipality's effect: what the municipality itself appears to do.",
        ],
    },
    MethodSection {
        heading: "Observed, expected and effect",
        paragraphs: &[
            "The observed duration is the mean duration of the municipality's own spells as the model computes it with the municipality's own contribution. The expected duration is what the same people could be expected to take in a municipality with the same municipal characteristics. The effect is observed minus expected, in months: negative is faster than expected, positive slower.",
        ],
    },
    MethodSection {
        heading: "Stars and q-values",
        paragraphs: &[
            "The stars show how surely the effect differs from 0 (as in the ministry's table 4): *** p < 0.05, ** p < 0.10, * p < 0.20. When many municipalities are tested at once, a few look significant by chance; the q-value (Benjamini–Hochberg) allows for that: q < 0.05 means that at most about 5 % of the municipalities with q-values that low are expected to be false findings.",
        ],
    },
    MethodSection {
        heading: "Rank intervals and empirical Bayes",
        paragraphs: &[
            "A rank is uncertain: the rank interval (e.g. 3–11) holds the ranks the municipality takes with 95 % probability when the uncertainty of all effects is drawn at random 1,000 times. Municipalities close together in the table may well have swapped places.",
            "The view \"shrunken effects (empirical Bayes)\" pulls the effects of small municipalities towards 0 as far as they are uncertain: a more cautious ranking. The view \"as in 2006\" shows the fixed effects of the ministry's table 4.",
        ],
    },
    MethodSection {
        heading: "Funnel and caterpillar plots",
        paragraphs: &[
            "The caterpillar plot shows each municipality's effect with its 95 % interval: an interval that does not touch 0 belongs to a municipality with three stars (p < 0.05). The funnel plot shows the effect against the number of spells: municipalities outside the inner lines (95 %) are unusual for their size, outside the outer lines (99.8 %) very unusual. The overdispersed limits allow for municipalities always differing somewhat.",
            "The explained share is the part of the differences in observed duration between the ranked municipalities that the people's and the municipalities' characteristics explain (in 2006: 72 %). Stage 2's R² is the part of the municipalities' own contributions that the municipal characteristics explain.",
        ],
    },
    MethodSection {
        heading: "Limits",
        paragraphs: &[
            "The effect measures the whole period: a municipality that changed its effort late in the period will see it only later (choose a window of permit years if so). Characteristics the data do not hold may lie behind an effect. Municipalities with fewer spells than the minimum under Options (normally 80) are not ranked. Do not read much into small differences of rank.",
            "No data leave the browser: the file is read and analysed on your own machine.",
        ],
    },
];
