"""The scenario: a validated, immutable description of one country and one policy.

A scenario is data. Every field carries its default, unit, allowed range and the source of the
default here, once; documentation, the command line and checks read them from this schema.
Loading (TOML files, ``extends``, ``--set`` overrides) lives in :mod:`rescalesim.scenario_file`.
"""

import hashlib
import json
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rescalesim.places import FacilityKind as Kind

SHARE_TOLERANCE = 1e-6
DAYS_PER_YEAR = 365
# reoffending is followed up for two years after release (the Dutch and Norwegian statistics'
# window); the hazard's reference rates and the reconviction metrics both use it
FOLLOW_UP_DAYS = 2 * DAYS_PER_YEAR


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    description: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    lever: Literal["policy", "assumption"] | None = None,
    plausible: tuple[float, float] | dict[str, tuple[float, float]] | None = None,
    calibrated: bool = False,
) -> Any:
    """A scenario field with its unit and the source of its default, kept in the JSON schema.

    ``lever`` marks a field the web page offers: a "policy" choice applies to the explored
    scenario only, an "assumption" (an uncertain effect size) to it and its baseline alike.
    ``plausible`` is the range worth exploring when narrower than the allowed one (per key for
    a table-valued field), from docs/mechanisms.md. ``calibrated`` marks a case-flow field that
    national records can pin down: `rescalesim calibrate --fit` may estimate it, with the prior
    a country's targets file gives (:mod:`inference`).
    """
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if lever is not None:
        extra["lever"] = lever
    if plausible is not None:
        extra["plausible"] = plausible
    if calibrated:
        extra["calibrated"] = True
    return Field(
        default,
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        json_schema_extra=extra,
    )


def bounds(field: Any) -> list[str]:
    """A field's allowed range as text, e.g. ['>= 0', '<= 1']."""
    signs = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
    return [
        f"{sign} {getattr(meta, name)}"
        for meta in field.metadata
        for name, sign in signs
        if getattr(meta, name, None) is not None
    ]


# RESCALED newsletter articles cited by several fields (docs/sources.md)
LIVED_EXPERIENCE_ARTICLE = (
    "RESCALED, 'Lived experience in the detention house ecosystem' (newsletter, rescaled.org)"
)
COMMUNITY_INTEGRATION_ARTICLE = (
    "RESCALED, 'The journey towards community-integration in the implementation of a "
    "detention house' (newsletter interview, rescaled.org)"
)
INDIANA_BELL_ARTICLE = (
    "RESCALED, 'Dutch Indiana Bell Building' (newsletter, autumn 2022, rescaled.org)"
)
SYMPOSIUM_ARTICLE = (
    "RESCALED, 'Empowering voices, igniting change' (newsletter on the European Symposium on "
    "Detention Houses, rescaled.org)"
)


class Section(BaseModel):
    """Base of every scenario section: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _complete_mappings(cls, data: Any) -> Any:
        """A partial table (one hazard ratio, one cost rate) keeps the other defaults."""
        if not isinstance(data, dict):
            return data
        completed = dict(data)
        for name, field in cls.model_fields.items():
            given, default = data.get(name), field.default
            if not isinstance(given, dict):
                continue
            if isinstance(default, dict):
                completed[name] = {**default, **given}
            elif isinstance(default, BaseModel):
                completed[name] = {**default.model_dump(), **given}
        return completed


class SecurityLevel(StrEnum):
    """Security level a person needs or a facility provides, ordered low to high."""

    low = "low"
    medium = "medium"
    high = "high"


SECURITY_ORDER = {SecurityLevel.low: 0, SecurityLevel.medium: 1, SecurityLevel.high: 2}

OffenceType = Literal["property", "violence", "drugs", "sexual", "terrorism", "traffic", "other"]
# facility kinds as scenario files write them (the values of places.FacilityKind)
KindName = Literal[tuple(kind.value for kind in Kind)]


def _check_shares(shares: dict[str, float] | list[float], what: str) -> None:
    total = sum(shares.values()) if isinstance(shares, dict) else sum(shares)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{what} must sum to 1 (they sum to {total:.6g})")


class Run(Section):
    """How long to simulate, from when, and how many replications."""

    start_year: int = param(
        2024,
        unit="calendar year",
        ge=1900,
        le=2200,
        source="choice of the scenario",
        description="Calendar year of the first measured day (after the warm-up).",
    )
    years: float = param(
        20,
        unit="years",
        gt=0,
        le=100,
        source="horizon of the Belgian comparison (20 years)",
        description="Measured years simulated after the warm-up.",
    )
    warmup_years: float = param(
        5,
        unit="years",
        ge=0,
        le=100,
        source="warm-up study (docs/warmup.md): from the day-0 population, which carries released "
        "people's pending returns, the shipped countries settle within 0-6 years",
        description="Years simulated before measuring, from an initial stock, not counted in metrics.",
    )
    replications: int = param(
        10,
        unit="runs",
        ge=1,
        le=100_000,
        source="choice of the scenario",
        description="Replications, each with its own seed from numpy SeedSequence.",
    )
    seed: int = param(
        20240101,
        unit="integer",
        ge=0,
        source="choice of the scenario",
        description="Master seed; replication i uses SeedSequence(seed).spawn(n)[i].",
    )
    population_scale: float = param(
        1.0,
        unit="fraction",
        gt=0,
        le=1,
        source="model option for fast tests and previews",
        description="Multiplies case arrivals and every capacity; rates and occupancies keep "
        "their meaning, counts and costs scale with it.",
    )


class Region(Section):
    """A region of the country: where cases arise and where facilities stand."""

    name: str = Field(min_length=1, description="Region name, used by facilities.")
    case_share: float = param(
        ...,
        unit="fraction",
        ge=0,
        le=1,
        source="scenario file",
        description="Share of new cases arising in this region.",
    )


class CaseFlow(Section):
    """New cases reaching a criminal court, before any decision."""

    new_cases_per_year: float = param(
        14000,
        unit="cases/year",
        ge=0,
        le=10_000_000,
        source="calibrated: Belgian incarcerations 16,911 in 2020 (FPS Justice), stock 11,631 (SPACE I 2024)",
        calibrated=True,
        description="Poisson rate of cases from people not already in the model; cases from reoffending come on top.",
    )
    trial_delay_days_mean: float = param(
        120,
        unit="days",
        ge=1,
        le=3650,
        source="assumption (no public figure found)",
        description="Mean days from case to hearing for people not held on remand (exponential).",
    )


class Remand(Section):
    """Pre-trial detention: people held in prison places before their hearing."""

    enabled: bool = Field(True, description="Switch the remand mechanism on or off.")
    share: float = param(
        0.40,
        unit="fraction of cases",
        ge=0,
        le=1,
        source="calibrated to a pre-trial share of the stock of 36% (Belgium, Jan 2022, VRT)",
        calibrated=True,
        description="Share of new cases held on remand until the hearing.",
    )
    days_mean: float = param(
        150,
        unit="days",
        gt=0,
        le=3650,
        source="calibrated to a pre-trial share of the stock of 36% (Belgium, Jan 2022, VRT)",
        calibrated=True,
        description="Mean remand duration (gamma distributed).",
    )
    days_cv: float = param(
        0.8,
        unit="coefficient of variation",
        gt=0,
        le=5,
        source="assumption",
        description="Spread of remand durations.",
    )


class Offenders(Section):
    """Who the people entering the case flow are."""

    male_share: float = param(
        0.955,
        unit="fraction",
        ge=0,
        le=1,
        source="women 4.5% of prisoners (Norway, May 2024, WPB); Belgian share not in data",
        description="Share of men among new cases.",
    )
    age_mean: float = param(
        33,
        unit="years",
        ge=12,
        le=80,
        source="mean age 38 of Kortrijk detention-house residents (VRT 2023) minus younger remand flow; assumption",
        description="Mean age at first case in the model (the youngest age plus a gamma "
        "distribution, cut at the oldest age).",
    )
    age_sd: float = param(
        10,
        unit="years",
        gt=0,
        le=30,
        source="assumption",
        description="Spread of ages at first case (of the gamma distribution before the cut).",
    )
    age_maximum: float | None = param(
        None,
        unit="years",
        gt=10,
        le=120,
        source="juvenile criminal law where it applies (Netherlands: 12-17 at the offence)",
        description="Oldest age at a first case (no limit if absent).",
    )
    age_minimum: float = param(
        18,
        unit="years",
        ge=10,
        le=30,
        source="adult criminal law",
        description="Youngest age at a case.",
    )
    prior_convictions_mean: float = param(
        1.0,
        unit="convictions",
        ge=0,
        le=50,
        source="assumption",
        description="Mean prior convictions of people new to the model (Poisson).",
    )
    no_residence_share: float = param(
        0.0,
        unit="fraction",
        ge=0,
        le=1,
        source="scenario file (Belgium: 29.4% of the prison population had no right of "
        "residence in 2020, Factcheck.Vlaanderen from FPS Justice data)",
        description="Share of new people who are foreign nationals without a right of residence: "
        "not placed in detention houses nor under electronic monitoring (no address, no "
        "reintegration here).",
    )
    risk_shares: dict[Literal["low", "medium", "high"], float] = param(
        {"low": 0.35, "medium": 0.45, "high": 0.20},
        unit="fractions",
        source="assumption",
        description="Shares of assessed reoffending risk.",
    )
    security_shares: dict[SecurityLevel, float] = param(
        {SecurityLevel.low: 0.55, SecurityLevel.medium: 0.35, SecurityLevel.high: 0.10},
        unit="fractions",
        source="assumption (no public Belgian classification figures)",
        description="Shares of the security level each person needs.",
    )
    offence_shares: dict[OffenceType, float] = param(
        {
            "property": 0.35,
            "violence": 0.25,
            "drugs": 0.20,
            "sexual": 0.05,
            "terrorism": 0.005,
            "traffic": 0.05,
            "other": 0.095,
        },
        unit="fractions",
        source="theft the main offence in Kortrijk (VRT 2023); shares assumption",
        description="Shares of offence types.",
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Self:
        if self.age_maximum is not None and not (
            self.age_minimum < self.age_mean < self.age_maximum
        ):
            raise ValueError("age_mean must lie between age_minimum and age_maximum")
        _check_shares(self.risk_shares, "risk_shares")
        _check_shares(self.security_shares, "security_shares")
        _check_shares(self.offence_shares, "offence_shares")
        for name in ("risk_shares", "security_shares", "offence_shares"):
            if any(v < 0 for v in getattr(self, name).values()):
                raise ValueError(f"{name} must not be negative")
        return self


class Sentencing(Section):
    """Judges' decisions: custody or a community sanction, and the sentence length."""

    no_sentence_share: float = param(
        0.1,
        unit="fraction of hearings",
        ge=0,
        lt=1,
        source="assumption (no figure found for the countries' courts; range 0-0.25): cases "
        "heard that end in an acquittal, a dismissal or a fine only; cases dropped by "
        "prosecutors before court never reach the model",
        description="Share of hearings that end without a custodial or community sentence: "
        "someone on remand goes free, no conviction is recorded, and the person's next "
        "offence is drawn as for anyone at liberty.",
        lever="assumption",
        plausible=(0.0, 0.25),
    )

    custody_share: float = param(
        0.45,
        unit="probability",
        ge=0,
        le=1,
        source="calibrated to the Belgian stock (SPACE I 2024) and incarcerations (FPS Justice 2020)",
        description="Probability of a custodial sentence for a first offender before a judge of average severity.",
    )
    custody_log_odds_per_prior: float = param(
        0.25,
        unit="log-odds per prior conviction",
        ge=-5,
        le=5,
        source="assumption",
        description="How much each prior conviction (up to 5) raises the odds of custody.",
    )
    sentence_band_edges_days: list[float] = param(
        [30, 90, 180, 365, 1095, 1825, 3650, 7300],
        unit="days",
        source=(
            "band edges as in the Norwegian stock table (Prison Insider 2019); Belgian flow "
            "distribution not found (no public figure found)"
        ),
        description="Edges of the custodial sentence-length bands (increasing, n+1 values).",
    )
    sentence_band_shares: list[float] = param(
        [0.13, 0.19, 0.25, 0.26, 0.09, 0.055, 0.025],
        unit="fractions",
        source=(
            "assumption, calibrated so that the mean stay is near 8.2 months (Belgium 2014, SPACE)"
        ),
        description="Share of custodial sentences in each band; lengths are log-uniform in a band.",
    )
    community_sanction_days_mean: float = param(
        180,
        unit="days",
        gt=0,
        le=3650,
        source="mean EM period 109 days (Beyens & Roosen 2016); community sanctions assumption",
        description="Mean duration of a community sanction (exponential).",
    )
    judges_per_region: int = param(
        20,
        unit="judges",
        ge=1,
        le=10_000,
        source="assumption",
        description="Judges hearing cases in each region; each case goes to one at random.",
    )
    severity_enabled: bool = Field(True, description="Switch differences between judges on or off.")
    severity_sd: float = param(
        0.25,
        unit="sd of log severity",
        ge=0,
        le=1,
        source="random-judge designs (Bhuller et al. 2020) rely on such differences; size assumption",
        description="Spread of judges' severity; severity multiplies the odds of custody and the sentence length.",
    )

    @model_validator(mode="after")
    def _bands_are_consistent(self) -> Self:
        edges, shares = self.sentence_band_edges_days, self.sentence_band_shares
        if len(edges) != len(shares) + 1:
            raise ValueError(
                f"sentence_band_edges_days needs one more value than sentence_band_shares "
                f"({len(edges)} edges for {len(shares)} shares)"
            )
        if edges[0] < 1 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
            raise ValueError("sentence_band_edges_days must start at 1 day or more and increase")
        if any(s < 0 for s in shares):
            raise ValueError("sentence_band_shares must not be negative")
        _check_shares(shares, "sentence_band_shares")
        return self


class Placement(Section):
    """Where a sentenced person serves: a prison or a detention house."""

    houses_enabled: bool = Field(
        True, description="Switch placement in detention houses on or off (houses stay empty)."
    )
    house_max_sentence_days: float = param(
        1095,
        unit="days",
        ge=0,
        le=36500,
        source="Belgian detention houses: sentences of at most 3 years (Regie der Gebouwen)",
        description="Longest sentence eligible for a detention house.",
        lever="policy",
        plausible=(365, 1825),
    )
    house_max_security: SecurityLevel = param(
        SecurityLevel.low,
        unit="level",
        source="Belgian detention houses: low security risk (Regie der Gebouwen)",
        description="Highest security level a detention house accepts.",
    )
    house_excluded_offences: list[OffenceType] = param(
        ["sexual", "terrorism"],
        unit="offence types",
        source="Belgian detention houses exclude sex-offence and terrorism convicts (Regie der Gebouwen)",
        description="Offence types never placed in a detention house.",
    )
    prefer_home_region: bool = Field(
        True, description="Place in the home region when a place fits there (proximity)."
    )
    regime: Literal["judge", "service"] = Field(
        "judge",
        description="Who decides placement: 'judge' places at the hearing; 'service' (a central "
        "placement service) decides later, from a file that waits in its queue, and keeps a "
        "waiting list when no house bed is free. Both apply the same rule: eligible, and an "
        "assessed risk at most the decider's threshold.",
        json_schema_extra={"lever": "policy"},
    )
    remand_in_houses: bool = Field(
        False,
        description="Whether people on remand may be placed in a detention house (by the same "
        "rule, on security level and offence, as their sentence is not known yet).",
    )
    judge_max_assessed_risk: float = param(
        0.5,
        unit="probability",
        ge=0,
        le=1,
        source="assumption: a judge weighs the whole case and bears no blame for an incident in a "
        "house; same value for every country (one decision rule)",
        description="Highest assessed chance of a new offence within 2 years at which a judge "
        "places an eligible person in a house.",
        lever="assumption",
        plausible=(0.3, 0.8),
    )
    service_max_assessed_risk: float = param(
        0.35,
        unit="probability",
        ge=0,
        le=1,
        source="assumption and hypothesis (blame avoidance: a refusal costs the service nothing, "
        "an incident in a house much; RESCALED newsletter 'Dutch Indiana Bell Building', autumn "
        "2022: 'the fear of sharing control'); same value for every country",
        description="Highest assessed chance of a new offence within 2 years at which the "
        "placement service approves an eligible person for a house.",
        lever="assumption",
        plausible=(0.2, 0.6),
    )
    assessment_error_sd: float = param(
        0.5,
        unit="sd of log-odds",
        ge=0,
        le=3,
        source="assumption: risk-assessment tools discriminate only moderately (areas under the "
        "curve around 0.65-0.75 in meta-analyses); same value for every country",
        description="Error of a risk assessment around the person's true chance of a new offence "
        "within 2 years (normal on the log-odds scale, drawn at each decision).",
        lever="assumption",
        plausible=(0.0, 1.0),
    )
    house_return_per_year: float = param(
        1.0,
        unit="per resident-year",
        ge=0,
        le=20,
        source="Vorst sent 7 residents back to prison in its first six months, with 27 residents "
        "at the end of them (BRUZZ, 12 Jan 2024): about 7 / (13.5 x 0.5) = 1.0 a resident-year; "
        "whether a new house's early rate lasts is an assumption",
        description="Rate at which a detention house sends a sentenced resident back to prison "
        "(rules broken, an incident); that person stays in prison for the rest of the stay.",
        lever="assumption",
        plausible=(0.2, 1.5),
    )
    service_decision_days_mean: float = param(
        14,
        unit="days",
        ge=0,
        le=730,
        source="assumption (no public figure found)",
        description="Regime 'service': mean days to prepare a file before it reaches the service's "
        "queue (exponential); the person waits in prison.",
        lever="policy",
        plausible=(0, 60),
    )
    service_files_per_place_year: float = param(
        12,
        unit="decisions per house place per year",
        gt=0,
        le=1000,
        source="assumption (no public figure found): the service is staffed in proportion to the "
        "house places it fills",
        description="Regime 'service': how many files the service decides a year per open house "
        "place; files beyond that wait, so the delay grows with the caseload.",
        lever="policy",
        plausible=(4, 52),
    )


class Security(Section):
    """Classification: the level a person is assigned can be higher than the level needed."""

    over_classification_share: float = param(
        0.15,
        unit="fraction",
        ge=0,
        le=1,
        source="assumption: many held at a needlessly high level ('people almost always return from "
        f"leave, but are still kept in high security': {LIVED_EXPERIENCE_ARTICLE}); no public figure found",
        description="Share of people assigned one security level above what they need; "
        "placement uses the assigned level.",
        lever="assumption",
        plausible=(0, 0.5),
    )
    review_days: float = param(
        180,
        unit="days",
        gt=0,
        le=3650,
        source="assumption (no public figure found): classification is reviewed during the stay",
        description="Days in custody after which an over-classified person's level is reviewed "
        "and lowered to the level needed (a placement service may then place them in a house).",
        lever="policy",
        plausible=(60, 730),
    )


class NetWidening(Section):
    """Milder custody drawing in people who would otherwise get a community sanction."""

    enabled: bool = Field(
        True, description="Switch net-widening on or off.", json_schema_extra={"lever": "policy"}
    )
    free_place_log_odds: float = param(
        0.4,
        unit="log-odds",
        ge=0,
        le=5,
        source="assumption, direction from Norway: judges handed down more qualifying prison "
        "sentences once electronic monitoring existed, up to 750 people incarcerated who would "
        "otherwise have had a non-custodial sentence (2020 study, doi:10.1080/2578983X.2020."
        "1805235); Kortrijk judges set sentences so that they would be executed (KW, Dec 2022)",
        description="How much free detention-house places in the person's region, for which the "
        "person is eligible, raise a judge's log-odds of custody: this value times the share "
        "of the region's house places that are free; those drawn in get short sentences "
        "(below the house limit).",
        lever="assumption",
        plausible=(0.0, 1.0),
    )


class ElectronicMonitoring(Section):
    """Short custodial sentences served at home under electronic monitoring (EM)."""

    enabled: bool = Field(
        False,
        description="Serve short custodial sentences at home under EM (Norway since 2008; "
        "Belgium before the 2022-23 reform) or not.",
        json_schema_extra={"lever": "policy"},
    )
    max_sentence_days: float = param(
        120,
        unit="days",
        gt=0,
        le=3650,
        source="Norway: sentences under 4 months (the EM scheme from Sept 2008, SSB); Belgium: up "
        "to 18 months on request (Brussels Times, 2019)",
        description="Longest custodial sentence that may be served under EM.",
    )
    uptake: float = param(
        0.7,
        unit="fraction",
        ge=0,
        le=1,
        source="assumption (range 0.4-1.0): not every short sentence is served at home (an "
        "application, an assessment, a home and work or school needed)",
        description="Share of qualifying sentences (short enough, a right of residence, not high "
        "security) served under EM; the rest in custody.",
        lever="assumption",
        plausible=(0.4, 1.0),
    )
    houses_first: bool = Field(
        False,
        description="Offer a free detention-house place, if the decider approves, to someone "
        "who would otherwise serve under EM (the channel by which houses fill with people who "
        "would have served at home, not from prison).",
        json_schema_extra={"lever": "policy"},
    )


class Capacity(Section):
    """What happens when prison places run out."""

    overflow: Literal["overcrowd", "queue", "electronic_monitoring", "early_release"] = Field(
        "overcrowd",
        description="overcrowd (Belgium: people on the floor); queue sentences at liberty until a "
        "place frees (Norway); divert short sentences to electronic monitoring; release early "
        "(Belgium 2024).",
        json_schema_extra={"lever": "policy"},
    )
    em_max_sentence_days: float = param(
        548,
        unit="days",
        ge=0,
        le=36500,
        source="Belgium: sentences up to 18 months may be served under EM (Brussels Times 2019)",
        description="Overflow 'electronic_monitoring': longest sentence diverted to EM.",
    )
    early_release_max_days: float = param(
        180,
        unit="days",
        ge=0,
        le=3650,
        source="Belgium 2024-25: extended leave up to 6 months before release (Brussels Signal 2024)",
        description="Overflow 'early_release': only people this close to release may go early.",
    )


KindShares = dict[KindName, float]
KindFlags = dict[KindName, bool]


class Staffing(Section):
    """Staff per facility: a place can be used only when its staff posts are filled."""

    enabled: bool = Field(
        True,
        description="Switch staffing on (places open as staff is recruited, staff is its own "
        "cost line) or off (every place usable from its first day).",
        json_schema_extra={"lever": "policy"},
    )
    posts_per_place: KindShares = param(
        {"prison": 0.7, "detention_house": 0.85, "transition_house": 0.85},
        unit="staff per place",
        source="detention houses: Kortrijk about 50 staff for 57 places (WTV 2022; VRT, 31 Aug "
        "2022), Vorst 50 planned for 60 (VRT, 29 Mar 2022); prisons and transition houses: "
        "assumption",
        description="Staff posts a facility needs per place to use all its places.",
        plausible={
            "prison": (0.4, 1.0),
            "detention_house": (0.8, 0.9),
            "transition_house": (0.5, 1.0),
        },
    )
    house_reference_places: dict[Literal["detention_house", "transition_house"], int] = param(
        {"detention_house": 57, "transition_house": 15},
        unit="places",
        source="the houses the posts and costs per place come from: Kortrijk (57 places, about "
        "50 staff) for detention houses, the Mechelen pilot (about 15 places) for transition "
        "houses",
        description="Size of a house, by type, at which posts_per_place and the cost per "
        "person-day hold (a scenario whose house costs are for another size says so here).",
    )
    house_size_elasticity: float = param(
        -0.2,
        unit="elasticity",
        ge=-1,
        le=1,
        source="assumption, direction from studies of prison size: unit cost falls with size "
        "up to about 300 places in Italy (Balassone et al. 2008) and up to 1,000-1,600 in the "
        "US (Trumbull & Witte 1981), both cited by RESCALED, 'Is it safe for taxpayers to "
        "invest in our prisons?'; a small house still needs a night watch and a director",
        description="How staff posts per place of a detention or transition house change with "
        "its size: posts per place x (places / house_reference_places) ^ elasticity; -0.2 "
        "gives a 30-place detention house 14% more posts (and staff cost) per place than "
        "Kortrijk, 0 makes size neutral.",
        lever="assumption",
        plausible=(-0.4, 0.0),
    )
    filled_at_opening: float = param(
        0.36,
        unit="fraction of posts",
        ge=0,
        le=1,
        source="Kortrijk opened with 18 FTE of about 50 staff (WTV 2022; VRT, 31 Aug 2022); the "
        "same assumed for every new facility",
        description="Share of a new facility's posts filled on its opening day; the rest is "
        "recruited after it opens.",
        lever="assumption",
        plausible=(0.2, 1.0),
    )
    recruitment_months: float = param(
        6.0,
        unit="months",
        gt=0,
        le=120,
        source="assumption (no public figure found)",
        description="Time constant of recruitment: each month about 1/recruitment_months of the "
        "posts still vacant are filled.",
        lever="assumption",
        plausible=(2.0, 24.0),
    )
    filled_share: KindShares = param(
        {"prison": 1.0, "detention_house": 1.0, "transition_house": 1.0},
        unit="fraction of posts",
        source="assumption: posts are filled in the long run; a shortfall closes places (the "
        "Netherlands had 330 cells out of use for want of staff in March 2024, Tweede Kamer "
        "24587 nr. 937)",
        description="Share of posts filled once recruitment has settled; places beyond it stay "
        "closed.",
        plausible={
            "prison": (0.9, 1.0),
            "detention_house": (0.8, 1.0),
            "transition_house": (0.8, 1.0),
        },
    )

    @model_validator(mode="after")
    def _every_kind(self) -> Self:
        for kind in ("detention_house", "transition_house"):
            places = self.house_reference_places.get(kind)
            if places is None or not 1 <= places <= 10_000:
                raise ValueError(f"house_reference_places.{kind}: needs 1 to 10000 places")
        for name, limit in (("posts_per_place", 5.0), ("filled_share", 1.0)):
            table = getattr(self, name)
            missing = [k.value for k in Kind if k.value not in table]
            if missing:
                raise ValueError(f"{name}: needs a value for {', '.join(missing)}")
            for kind, value in table.items():
                if not 0 < value <= limit:
                    raise ValueError(f"{name}.{kind}: must be above 0 and at most {limit:g}")
        return self


class Community(Section):
    """Community integration: work and education, staff with lived experience, proximity.

    Each acts on the reoffending hazard with the days it lasted (see
    ``reoffending.regime_effect_full_days``). Work and education count in prisons only: the
    houses' own ratios are bundles that include them.
    """

    enabled: bool = Field(True, description="Switch community-integration effects on or off.")
    work_education_share: KindShares = param(
        {"prison": 0.3, "detention_house": 0.8, "transition_house": 0.9},
        unit="fraction of residents",
        source=f"assumption: house residents work or study outside ({COMMUNITY_INTEGRATION_ARTICLE}; Regie der "
        "Gebouwen); no public occupation rates found",
        description="Share of residents in work or education, by facility type (a facility "
        "group may set its own).",
    )
    work_education_hazard_ratio: float = param(
        0.85,
        unit="hazard ratio",
        gt=0,
        le=2,
        source="employment after release: 63% lower hazard (Skardhamar & Telle 2009, "
        "observational, an upper bound); incarceration effect through employment (Bhuller et "
        "al. 2020); sweep 0.6-1.0",
        description="Hazard ratio for a full dose of work or education in prison (houses' "
        "ratios already include it).",
        lever="assumption",
        plausible=(0.6, 1.0),
    )
    lived_experience_staff: KindFlags = param(
        {"prison": False, "detention_house": True, "transition_house": True},
        unit="yes/no",
        source=f"staff with lived experience in houses: {LIVED_EXPERIENCE_ARTICLE}; {SYMPOSIUM_ARTICLE}",
        description="Whether facilities of a type employ staff with lived experience of prison.",
    )
    lived_experience_hazard_ratio: float = param(
        0.92,
        unit="hazard ratio",
        gt=0,
        le=2,
        source="peer mentoring: significantly lower recidivism in a pilot RCT (Sells et al. "
        "2020), inconsistent evidence (review 2023); sweep 0.8-1.0",
        description="Hazard ratio for a full dose of custody with such staff.",
        lever="assumption",
        plausible=(0.8, 1.0),
    )
    away_from_home_hazard_ratio: float = param(
        1.1,
        unit="hazard ratio",
        gt=0,
        le=2,
        source="visits: -13% felony reconviction (Duwe & Clark 2013) but no causal effect (Lee "
        "2019); distance lowers visits; sweep 1.0-1.15",
        description="Hazard ratio for a full dose of custody outside the home region (proximity "
        "principle).",
    )
    large_facility_places: int = param(
        100,
        unit="places (national scale)",
        ge=1,
        le=100_000,
        source="Johnsen, Granheim & Helgesen 2011 (Eur J Criminol 8(6)): Norwegian prisons of "
        "more than 100 places score worse than those under 50 on quality of life and "
        "staff-prisoner relations",
        description="Facilities with more places than this count as large for "
        "large_facility_hazard_ratio.",
    )
    large_facility_hazard_ratio: float = param(
        1.0,
        unit="hazard ratio",
        gt=0,
        le=2,
        source="neutral by default: size goes with worse prison life (Johnsen et al. 2011, no "
        "reoffending outcome); small prisons' edge on reoffending vanishes once building age "
        "is controlled for (Policy Exchange, Future Prisons); sweep 1.0-1.15",
        description="Hazard ratio for a full dose of custody in a large facility (against a "
        "small one), on top of the facility kind's ratio.",
        lever="assumption",
        plausible=(1.0, 1.15),
    )
    crowding_hazard_ratio_per_10pp: float = param(
        1.0,
        unit="hazard ratio per 10 points of overcrowding",
        gt=0,
        le=2,
        source="neutral by default: no estimate of crowding's effect on reoffending found for "
        "these countries; sweep 1.0-1.1",
        description="Hazard ratio for each 10 percentage points that the facilities a person "
        "stayed in were above their capacity, on average over the stay (a full dose).",
        lever="assumption",
        plausible=(1.0, 1.1),
    )


Intervention = Literal[
    "neighbourhood_meeting", "visit_existing_house", "community_events", "paid_liaison"
]


class Siting(Section):
    """Each planned house must be accepted by a municipality before it can open."""

    enabled: bool = Field(
        False,
        description="Switch siting on (planned houses may be delayed, relocated or "
        "abandoned) or off (they open on their planned dates).",
        json_schema_extra={"lever": "policy"},
    )
    decision_lead_years: float = param(
        1.0,
        unit="years",
        ge=0,
        le=20,
        source="assumption",
        description="The siting decision falls this long before the planned opening.",
    )
    build_lag_years: float = param(
        1.0,
        unit="years",
        ge=0,
        le=20,
        source="Kortrijk: planned Feb 2022, opened Sep 2022 after objections (HLN, KW, VRT)",
        description="Least time from acceptance to opening.",
    )
    base_log_odds: float = param(
        0.0,
        unit="log-odds",
        ge=-10,
        le=10,
        source="assumption: even odds before the named traits (19 Belgian municipalities "
        "offered sites after the governors' call, Nieuwsblad, 2 Aug 2021; protest followed "
        "wherever a house was proposed, KW, Apr 2022); not set from how many houses opened, "
        "which is a holdout record",
        description="Acceptance of a house involving a small town late, with no social "
        "facilities, no objections and no intervention.",
        lever="assumption",
        plausible=(-2.0, 2.0),
    )
    city_share: float = param(
        0.3,
        unit="fraction",
        ge=0,
        le=1,
        source="assumption",
        description="Share of candidate municipalities that are large cities.",
    )
    city_log_odds: float = param(
        0.8,
        unit="log-odds",
        ge=-5,
        le=5,
        source=f"large cities accept more easily (Kortrijk, Vorst, Leuven): {COMMUNITY_INTEGRATION_ARTICLE}",
        description="Extra acceptance in a large city.",
    )
    social_facilities_share: float = param(
        0.4,
        unit="fraction",
        ge=0,
        le=1,
        source="assumption",
        description="Share of candidate municipalities already hosting social facilities.",
    )
    social_facilities_log_odds: float = param(
        0.6,
        unit="log-odds",
        ge=-5,
        le=5,
        source=f"towns that host social facilities accept more easily: {COMMUNITY_INTEGRATION_ARTICLE}",
        description="Extra acceptance where social facilities exist.",
    )
    objections_share: float = param(
        0.8,
        unit="fraction",
        ge=0,
        le=1,
        source="assumption: 'wherever a detention house is proposed, strong protest follows' "
        "(KW, Apr 2022); objections at Kortrijk, Verviers, Olen, Ninove and Zelzate",
        description="Share of candidate sites where neighbours or the council organise objections.",
        plausible=(0.5, 1.0),
    )
    objections_log_odds: float = param(
        -1.0,
        unit="log-odds",
        ge=-10,
        le=0,
        source="assumption: objections delayed Kortrijk 7 months (KW 2022) and ended Verviers "
        "(Le Soir, 19 Jun 2022), but Olen opened against its council (De Standaard, 9 Jan 2023)",
        description="Lower acceptance where objections are organised.",
        lever="assumption",
        plausible=(-2.0, 0.0),
    )
    early_involvement: KindFlags = param(
        {"prison": False, "detention_house": False, "transition_house": True},
        unit="yes/no",
        source="NGO-run transition houses involve the community early, federal detention houses late "
        f"(Leuven: 150 neighbours invited): {COMMUNITY_INTEGRATION_ARTICLE}",
        description="Whether the community is involved early, by facility type.",
    )
    early_involvement_log_odds: float = param(
        1.0,
        unit="log-odds",
        ge=-5,
        le=5,
        source=f"assumption, direction from {COMMUNITY_INTEGRATION_ARTICLE}",
        description="Extra acceptance with early involvement.",
    )
    interventions: list[Intervention] = Field(
        default_factory=list,
        description="Interventions used at every siting: neighbourhood_meeting, "
        "visit_existing_house, community_events, paid_liaison.",
        json_schema_extra={"lever": "policy"},
    )
    house_size_log_odds_per_10_places: float = param(
        -0.1,
        unit="log-odds per 10 places",
        ge=-5,
        le=5,
        source="assumption, direction from RESCALED (small scale, 30 places or less, is what "
        "makes a house acceptable to its neighbours: 'From NIMBY to YIMBY', WISH-EU); no "
        "study measures it",
        description="Change in acceptance for every 10 places a house has above 30 (below 30 "
        "it raises acceptance).",
        lever="assumption",
        plausible=(-0.3, 0.0),
    )
    intervention_log_odds: dict[Intervention, float] = param(
        {
            "neighbourhood_meeting": 0.3,
            "visit_existing_house": 0.5,
            "community_events": 0.3,
            "paid_liaison": 0.4,
        },
        unit="log-odds",
        source=f"assumptions; direction from {COMMUNITY_INTEGRATION_ARTICLE} (Leuven event, Kortrijk neighbour "
        "survey, the Belgian municipal incentive)",
        description="Extra acceptance from each intervention used.",
    )
    relocation_share: float = param(
        0.5,
        unit="probability",
        ge=0,
        le=1,
        source="Verviers abandoned after residents' outcry, sites sought elsewhere (Le Soir 2022)",
        description="After a refusal: chance of trying another municipality (else the same one "
        "again later).",
    )
    retry_delay_years: float = param(
        1.0,
        unit="years",
        gt=0,
        le=20,
        source="assumption",
        description="Time before the next attempt after a refusal.",
    )
    max_attempts: int = param(
        3,
        unit="attempts",
        ge=1,
        le=50,
        source="assumption",
        description="Refusals after which a planned house is abandoned.",
    )
    acceptance_growth_log_odds: float = param(
        0.2,
        unit="log-odds per open house",
        ge=0,
        le=5,
        source=f"acceptance grows after opening (Kortrijk neighbour survey: {COMMUNITY_INTEGRATION_ARTICLE})",
        description="Each house that opens raises the acceptance of later sitings.",
    )

    @model_validator(mode="after")
    def _interventions_need_siting(self) -> Self:
        if self.interventions and not self.enabled:
            raise ValueError("interventions act on siting decisions: they need enabled = true")
        return self


class PolicyFeedback(Section):
    """A policymaker reviews the system every year and changes the estate."""

    enabled: bool = Field(False, description="Switch the yearly policy review on or off.")
    house_underuse_occupancy: float = param(
        0.6,
        unit="occupancy",
        ge=0,
        le=1,
        source=f"underused houses are closed and large prisons built again: {INDIANA_BELL_ARTICLE}; threshold "
        "assumed (Dutch KVJJ about 30% full, NRC 2022)",
        description="A house below this yearly occupancy counts as underused that year.",
    )
    house_underuse_years: int = param(
        3,
        unit="years",
        ge=1,
        le=50,
        source=f"'after a few years': {INDIANA_BELL_ARTICLE}",
        description="Consecutive underused years after which closing the house is proposed.",
    )
    commitment: float = param(
        0.5,
        unit="probability",
        ge=0,
        le=1,
        source=f"a shared 'dot on the horizon' resists reversal: {INDIANA_BELL_ARTICLE}; value assumed",
        description="Chance each year that a proposed closure is resisted.",
    )
    overcrowding_share: float = param(
        0.05,
        unit="fraction of places",
        ge=0,
        le=5,
        source="assumption",
        description="Yearly mean overcrowding above this share of prison places counts as "
        "persistent overcrowding that year.",
    )
    overcrowding_years: int = param(
        2,
        unit="years",
        ge=1,
        le=50,
        source="assumption",
        description="Consecutive overcrowded years after which prison places are built.",
    )
    prison_places_built: int = param(
        300,
        unit="places",
        ge=1,
        le=100_000,
        source="new Belgian prisons of 280-444 places (HBVL 2022)",
        description="Places of each new prison built in response.",
    )
    prison_build_lag_years: float = param(
        4.0,
        unit="years",
        ge=0,
        le=30,
        source="Haren announced 2008, opened 2022 (rescaled.org/history); assumption",
        description="Years from the decision to build until the prison opens.",
    )
    prison_places_closed_per_house_place: float = param(
        0.0,
        unit="places",
        ge=0,
        le=5,
        source="RESCALED: 'opening detention houses entails closing down prisons'; 0 = houses "
        "add to the estate",
        description="Prison places closed for each house place that opens during the run.",
    )


class Release(Section):
    """Conditional release."""

    conditional_release_enabled: bool = Field(
        True, description="Switch conditional release on (else sentences are served in full)."
    )
    conditional_release_fraction: float = param(
        1 / 3,
        unit="fraction of sentence",
        gt=0,
        le=1,
        source="Belgium: 1/3 for all since 2018 (HLN, Knack 2018); Norway and NL 2/3",
        description="Share of the sentence served before conditional release.",
    )
    revocation_share: float = param(
        0.5,
        unit="probability",
        ge=0,
        le=1,
        source="assumption (no public figure found): the sentencing court or the sentence "
        "implementation court revokes a conditional release after a new offence in the "
        "remaining term, not always",
        description="Chance that a new offence committed before the end of the sentence of a "
        "conditionally released person revokes the release: the rest of the sentence is served "
        "on top of the new one.",
        lever="assumption",
        plausible=(0.2, 0.9),
    )
    minimum_days_served: float = param(
        0,
        unit="days",
        ge=0,
        le=3650,
        source="Norway: at least 60 days (Kriminalomsorgen); none in Belgium",
        description="Least time served before conditional release.",
    )


class Transition(Section):
    """Transfer to a transition house for the last part of custody."""

    enabled: bool = Field(True, description="Switch transfers to transition houses on or off.")
    window_days: float = param(
        180,
        unit="days",
        ge=1,
        le=3650,
        source="Belgian stays about 6 months (Gentbrugge, VRT 2022); up to 18 months elsewhere (rescaled.org)",
        description="Days before conditional release from which a transfer is possible.",
        lever="policy",
        plausible=(90, 548),
    )
    max_security: SecurityLevel = param(
        SecurityLevel.medium,
        unit="level",
        source="assumption",
        description="Highest security level a transition house accepts.",
    )


class Reoffending(Section):
    """Time to a new offence after release: a proportional-hazards cure model.

    The cumulative hazard is ``m * A * F(t)``, with ``F`` a Weibull distribution function and
    ``m`` the person's hazard ratio, so that some people never offend again (desistance) and
    hazard ratios act on the whole curve.
    """

    enabled: bool = Field(
        True, description="Switch reoffending (and people coming back) on or off."
    )
    reference_reoffence_2y: float = param(
        0.32,
        unit="probability",
        gt=0,
        lt=1,
        source="calibrated: >half of 44.1% re-incarcerated in 6-8 years within 2 years (NICC, Belgium)",
        calibrated=True,
        description="Probability that the reference person (age 30 throughout, medium risk, no "
        "priors, released from prison) offends again within 2 years.",
        lever="assumption",
        plausible=(0.25, 0.4),
    )
    reference_reoffence_ever: float = param(
        0.57,
        unit="probability",
        gt=0,
        lt=1,
        source="44.1% re-incarcerated within 6-8 years (NICC, Belgium); 54% charged within 3 "
        "years (Norway, Skardhamar & Telle 2012); assumption between them",
        description="Probability that the reference person ever offends again (must exceed the 2-year probability).",
    )
    timing_shape: float = param(
        0.7,
        unit="Weibull shape",
        gt=0,
        le=5,
        source="assumption: risk highest just after release and falling (shape below 1)",
        description="Shape of the timing of new offences among those who offend again.",
    )
    age_log_hazard_per_year: float = param(
        -0.035,
        unit="log hazard per year of age",
        ge=-1,
        le=1,
        source="ages 16-20 about 4 times as likely as 60+ (NICC via VRT 2012)",
        description="Effect of age on the hazard, at the start of time at risk and as age "
        "advances during follow-up.",
    )
    risk_multipliers: dict[Literal["low", "medium", "high"], float] = param(
        {"low": 0.5, "medium": 1.0, "high": 2.0},
        unit="hazard ratio",
        source="assumption",
        description="Hazard ratio by assessed risk.",
    )
    prior_log_hazard: float = param(
        0.0,
        unit="log hazard per prior conviction",
        ge=-2,
        le=2,
        source="assumption: assessed risk already carries the record; a positive value compounds "
        "over repeated returns and keeps the system drifting for decades",
        description="Effect of each prior conviction (up to 5) on the hazard.",
    )
    custody_multipliers: dict[
        Literal[
            "prison",
            "detention_house",
            "transition_house",
            "community_sanction",
            "electronic_monitoring",
        ],
        float,
    ] = param(
        {
            "prison": 1.0,
            "detention_house": 0.85,
            "transition_house": 0.92,
            "community_sanction": 0.65,
            "electronic_monitoring": 0.85,
        },
        unit="hazard ratio",
        source=(
            "community: short prison 55% more repeat crime (Wermink et al. 2022) -> 1/1.55; "
            "EM instead of prison about -15% (Andersen & Telle 2022); "
            "house: open-prison effect (Mastrobuoni & Terlizzese), no house evaluation found; "
            "transition: -5 to -10% claim (Exodus, Humo 2019, unverified)"
        ),
        description="Hazard ratio by what the sentence did, against prison: a facility kind's "
        "ratio scales with the days spent there (full after regime_effect_full_days; the "
        "detention-house ratio is one bundled effect of a small, open, working regime); a "
        "community sanction or electronic monitoring takes its ratio whole. Set per country: "
        "Norway's community-sanction ratio is above 1 (Bhuller et al. 2020).",
        lever="assumption",
        plausible={
            "detention_house": (0.6, 1.0),
            "transition_house": (0.85, 1.0),
            "community_sanction": (0.5, 1.0),
        },
    )
    regime_effect_full_days: float = param(
        365,
        unit="days",
        gt=0,
        le=3650,
        source="open-cell prison effect measured per extra year spent there (Mastrobuoni & "
        "Terlizzese); the same dose for the other regime terms is an assumption",
        description="Days in a regime (a facility kind, work, lived-experience staff, custody "
        "away from home) after which its effect on the hazard is whole; shorter stays get the "
        "matching share.",
        plausible=(90, 730),
    )
    case_delay_days_mean: float = param(
        30,
        unit="days",
        ge=0,
        le=3650,
        source="assumption",
        description="Mean days from a new offence to the new case (exponential).",
    )

    @model_validator(mode="after")
    def _multipliers_positive(self) -> Self:
        if self.reference_reoffence_ever <= self.reference_reoffence_2y:
            raise ValueError("reference_reoffence_ever must exceed reference_reoffence_2y")
        for name in ("risk_multipliers", "custody_multipliers"):
            if any(v <= 0 for v in getattr(self, name).values()):
                raise ValueError(f"{name} must be positive")
        return self


class PlaceCost(Section):
    """Operating cost of one facility type: the published cost per person-day, split.

    A published figure is spending over people held, at the occupancy of its year. Part of the
    spending is fixed (staff and buildings run whether a place is taken or not), the rest follows
    the people held. The rates the model uses are derived so that, at the published occupancy,
    they give back the published figure exactly: ``available_place_day = fixed_share x
    per_person_day x at_occupancy`` and ``occupied_place_day = (1 - fixed_share) x
    per_person_day``.
    """

    per_person_day: float = param(
        ...,
        unit="EUR per person-day",
        ge=0,
        le=10_000,
        source="scenario file",
        description="Published spending per person held per day (or an assumption where none "
        "is published).",
    )
    at_occupancy: float = param(
        1.0,
        unit="people per place",
        gt=0,
        le=3,
        source="scenario file",
        description="Occupancy in the year of that figure.",
    )
    fixed_share: float = param(
        0.7,
        unit="fraction",
        ge=0,
        le=1,
        source="assumption: staff, most of spending, run whether a place is taken or not "
        "(Belgium 2009: staff 104 of 126 EUR a day, Senate question 4-5652)",
        description="Share of spending that does not vary with the people held.",
        lever="assumption",
        plausible=(0.5, 0.9),
    )

    @property
    def available_place_day(self) -> float:
        """Cost of keeping a place open, taken or not (staff, buildings), EUR a day."""
        return self.fixed_share * self.per_person_day * self.at_occupancy

    @property
    def occupied_place_day(self) -> float:
        """Extra cost of each person held (food, health, programmes), EUR a day."""
        return (1.0 - self.fixed_share) * self.per_person_day

    def per_person_day_at(self, occupancy: float) -> float:
        """Spending over people held at an occupancy: the published figure at its own."""
        return self.available_place_day / occupancy + self.occupied_place_day


class Costs(Section):
    """Cost accounting."""

    enabled: bool = Field(True, description="Switch cost accounting on or off (all costs zero).")
    prison: PlaceCost = param(
        PlaceCost(per_person_day=150.0, at_occupancy=1.096, fixed_share=0.8),
        unit="EUR",
        source="Belgium: 150 EUR per prisoner-day in 2016, when prisons averaged 9.6% "
        "overcrowding (HLN Nov 2018 from DG EPI; De Standaard Jul 2017); staff 104 of 126 EUR a "
        "day in 2009 (Senate question 4-5652) for the fixed share",
        description="Prison costs.",
    )
    detention_house: PlaceCost = param(
        PlaceCost(per_person_day=190.0, at_occupancy=1.0, fixed_share=0.8),
        unit="EUR",
        source="not found: assumption, from about 0.85 staff per place (Kortrijk 50 for 57, WTV "
        "2022; Vorst 50 for 60, VRT 2022), more than in prisons",
        description="Detention-house costs.",
    )
    transition_house: PlaceCost = param(
        PlaceCost(per_person_day=150.0, at_occupancy=1.0, fixed_share=0.8),
        unit="EUR",
        source="not found; EUR 900,000 pilot budget for ~15 places (Mechelen, HLN 2019); assumption",
        description="Transition-house costs.",
    )
    community_sanction_day: float = param(
        25.0,
        unit="EUR per day",
        ge=0,
        le=10_000,
        source="EM 25 EUR/day incl. staff (Beyens & Roosen 2016)",
        description="Cost of a day of community sanction.",
    )
    electronic_monitoring_day: float = param(
        25.0,
        unit="EUR per day",
        ge=0,
        le=10_000,
        source="EM 25 EUR/day incl. staff (Beyens & Roosen 2016)",
        description="Cost of a day of electronic monitoring.",
    )
    capital_per_place: KindShares = param(
        {"prison": 250_000.0, "detention_house": 127_800.0, "transition_house": 40_000.0},
        unit="EUR per place",
        source="houses: EUR 92 m for 15 houses of ~720 places (HLN 2021); transition: EUR 4 m "
        "for ~100 places (Regie der Gebouwen); prisons: assumption",
        description="Building cost of each place of a facility opening during the measured "
        "years, paid off as an annuity over its lifetime (see capital_lifetime_years).",
    )
    capital_lifetime_years: KindShares = param(
        {"prison": 50.0, "detention_house": 30.0, "transition_house": 30.0},
        unit="years",
        source="assumption: a prison building serves about 50 years, a converted house (a "
        "former care home, gendarmerie) about 30",
        description="Years over which a facility's building cost is annualised.",
    )
    discount_rate: float = param(
        0.03,
        unit="per year",
        ge=0,
        le=0.2,
        source="European Commission, Guide to Cost-Benefit Analysis of Investment Projects "
        "(2014): 3% social discount rate for Member States outside the Cohesion Fund",
        description="Rate at which building costs are annualised (an annuity over the lifetime).",
        lever="assumption",
        plausible=(0.0, 0.07),
    )
    municipal_incentive_per_resident_year: float = param(
        1667.0,
        unit="EUR per resident per year",
        ge=0,
        le=1_000_000,
        source="Belgian law: EUR 1,667 per detainee per year (hetnieuwsmaardananders.nl, ~2024)",
        description="Paid to the municipality of a detention or transition house.",
    )
    municipal_incentive_cap_year: float = param(
        100_000.0,
        unit="EUR per house per year",
        ge=0,
        le=100_000_000,
        source="Belgian law: at most EUR 100,000 per municipality (hetnieuwsmaardananders.nl)",
        description="Cap of the municipal incentive (one municipality per house).",
    )
    social_enterprise_revenue_per_resident_day: float = param(
        5.0,
        unit="EUR per resident-day",
        ge=0,
        le=1000,
        source=f"assumption: houses' social enterprises (a prison coffee roaster: {SYMPOSIUM_ARTICLE}; a "
        f"social restaurant: {COMMUNITY_INTEGRATION_ARTICLE}); no revenue figure found",
        description="Revenue of detention and transition houses' social enterprises, "
        "subtracted from costs.",
    )
    new_conviction: float = param(
        10_000.0,
        unit="EUR per conviction",
        ge=0,
        le=10_000_000,
        source="not found (no public figure found); assumption for courts, police and victims",
        description="Cost of each conviction of a person released in the model (a reoffence).",
    )
    security_cost_ratio: dict[SecurityLevel, float] = param(
        {SecurityLevel.low: 1.0, SecurityLevel.medium: 1.0, SecurityLevel.high: 1.0},
        unit="times the prison cost per person-day",
        source="neutral by default: no public cost per day by security level found for these "
        "countries; sweep low 0.8-1.0, high 1.0-1.5",
        description="Cost of a day in prison (sentenced or on remand) at each assigned security "
        "level, against the published average: over-classification then costs money, and "
        "reviewing it saves some.",
        lever="assumption",
        plausible={"low": (0.8, 1.0), "medium": (1.0, 1.2), "high": (1.0, 1.5)},
    )


class FacilityGroup(Section):
    """One or more identical facilities in a region, open over a period."""

    name: str = Field(min_length=1, description="Name of the facility or group.")
    kind: KindName = Field(description="prison, detention_house or transition_house.")
    region: str = Field(min_length=1, description="Region where the facilities stand.")
    count: int = param(
        1,
        unit="facilities",
        ge=1,
        le=10_000,
        source="scenario file",
        description="Number of identical facilities.",
    )
    capacity: int = param(
        ...,
        unit="places per facility",
        ge=1,
        le=100_000,
        source="scenario file",
        description="Official places in each facility.",
    )
    opens_year: float | None = param(
        None,
        unit="calendar year",
        ge=1900,
        le=2300,
        source="scenario file",
        description="When the facilities open (fractional years allowed): a date in the "
        "warm-up years before run.start_year opens them then; open from the first day of the "
        "warm-up if absent or earlier.",
    )
    opening_interval_years: float = param(
        0,
        unit="years",
        ge=0,
        le=50,
        source="scenario file",
        description="Years between the openings of successive facilities of the group.",
    )
    closes_year: float | None = param(
        None,
        unit="calendar year",
        ge=1900,
        le=2300,
        source="scenario file",
        description="When the facilities close; people held there move to a prison.",
    )
    work_education_share: float | None = param(
        None,
        unit="fraction of residents",
        ge=0,
        le=1,
        source="scenario file",
        description="Share of residents in work or education here (else community's default "
        "for the type).",
    )
    lived_experience_staff: bool | None = Field(
        None, description="Staff with lived experience here (else community's default)."
    )
    sited: bool = Field(
        False,
        description="Already accepted by its municipality: opens on its date even when siting "
        "is on.",
    )

    @model_validator(mode="after")
    def _closes_after_opening(self) -> Self:
        if (
            self.opens_year is not None
            and self.closes_year is not None
            and self.closes_year <= self.opens_year
        ):
            raise ValueError("closes_year must come after opens_year")
        return self


class HousePlan(Section):
    """Planned detention houses as a lever: how many, how large, where and when they open.

    The houses are built from these fields (``estate.planned_houses``): they are shared among
    the regions in proportion to ``region_weights`` (largest remainder, so the counts add up),
    and open one after another across the network, each going to the region furthest behind
    its share at that moment. ``--set house_plan.places_per_house=30`` changes the size of
    every planned house without copying facility blocks.
    """

    houses: int = param(
        0,
        unit="houses",
        ge=0,
        le=1000,
        source="scenario file (Belgium: 15 planned in 2021, Council of Ministers, 29 Oct 2021)",
        description="Detention houses planned to open during the run (0: no plan).",
        lever="policy",
        plausible=(0, 60),
    )
    places_per_house: int = param(
        48,
        unit="places per house",
        ge=1,
        le=1000,
        source="the Belgian 2021 plan: (720 - 172 existing places) / 12 houses; the Belgian "
        "definition allows 20-60 places (Council of Ministers 2021), RESCALED draws the "
        "small-scale line at 30 (rescaled.org)",
        description="Places in each planned house (acts on cost and staff per place, siting "
        "acceptance and, above community.large_facility_places, the regime term).",
        lever="policy",
        plausible=(8, 60),
    )
    first_opens_year: float | None = param(
        None,
        unit="calendar year",
        ge=1900,
        le=2300,
        source="scenario file",
        description="When the first planned house opens (absent: two years after run.start_year).",
    )
    opening_interval_years: float = param(
        0.5,
        unit="years",
        ge=0,
        le=50,
        source="scenario file",
        description="Years between successive openings across the whole network.",
    )
    region_weights: dict[str, float] = Field(
        default_factory=dict,
        description="Houses per region in proportion to these weights, e.g. {flanders = 6, "
        "wallonia = 4, brussels = 2} (absent: in proportion to the regions' case shares).",
    )
    work_education_share: float | None = param(
        None,
        unit="fraction of residents",
        ge=0,
        le=1,
        source="scenario file",
        description="Share of residents in work or education in the planned houses (else "
        "community's default for houses).",
    )
    sited: bool = Field(
        False,
        description="Already accepted by their municipalities: open on their dates even when "
        "siting is on.",
    )

    @model_validator(mode="after")
    def _weights_are_positive(self) -> Self:
        for region, weight in self.region_weights.items():
            if not 0 <= weight <= 1e6:
                raise ValueError(f"region_weights.{region}: must be between 0 and 1000000")
        if self.region_weights and not sum(self.region_weights.values()) > 0:
            raise ValueError("region_weights: at least one region needs a weight above 0")
        return self


class NewPrison(Section):
    """A new large prison as a lever: places, region and opening date (0 places: none)."""

    places: int = param(
        0,
        unit="places",
        ge=0,
        le=100_000,
        source="scenario file (Belgium: Haren, 1,190 places, opened 2022; FPS Justice)",
        description="Places of a new prison built during the run (0: none).",
        lever="policy",
        plausible=(0, 2000),
    )
    region: str | None = Field(
        None,
        description="Region where it stands (absent: the region with the largest case share).",
    )
    opens_year: float | None = param(
        None,
        unit="calendar year",
        ge=1900,
        le=2300,
        source="scenario file",
        description="When it opens (absent: two years after run.start_year).",
    )
    name: str = Field("New prison", min_length=1, description="Name shown in tables.")


class Trend(Section):
    """A numeric field that changes with the date: a dated series, or growth from a start year.

    Given in a scenario file in place of the field's value (``new_cases_per_year = {by_year =
    {2013 = 15200, 2024 = 18000}}``) or under ``[trends."section.field"]``. The model reads the
    value in force at the start of each month of a changing stretch, and at each date of a
    stepped series.
    """

    by_year: dict[float, float] | None = Field(
        None,
        description="Values by calendar year (fractional years are dates: 2022.67 is September "
        "2022); before the first year the first value holds, after the last year the last.",
    )
    between: Literal["linear", "step"] = Field(
        "linear",
        description="linear: interpolated between dated values; step: each value holds from its "
        "year until the next.",
    )
    growth_per_year: float | None = param(
        None,
        unit="fraction/year",
        gt=-1,
        le=10,
        source="scenario file",
        description="Yearly growth rate (0.01 is +1% a year) from the field's value in "
        "`from_year`, compounded; the value holds before `from_year` and after `until_year`.",
    )
    from_year: float | None = param(
        None,
        unit="calendar year",
        ge=1900,
        le=2200,
        source="scenario file",
        description="Year in which the growth starts (default: the run's start year).",
    )
    until_year: float | None = param(
        None,
        unit="calendar year",
        ge=1900,
        le=2200,
        source="scenario file",
        description="Year after which growth stops (default: never).",
    )
    source: str = Field("", description="Where the values come from, or why they are assumed.")

    @field_validator("by_year", mode="before")
    @classmethod
    def _quoted_dates(cls, value: Any) -> Any:
        # TOML reads `2022.67 = 12000` as the key 2022 holding {67 = 12000}
        if isinstance(value, dict) and any(isinstance(v, dict) for v in value.values()):
            raise ValueError(
                'a date with a fraction must be quoted in TOML, e.g. "2022.67" = 12000'
            )
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.by_year is None) == (self.growth_per_year is None):
            raise ValueError("give either by_year (a dated series) or growth_per_year")
        if self.by_year is not None and not self.by_year:
            raise ValueError("by_year: at least one year")
        if self.by_year is None and (self.between != "linear"):
            raise ValueError("between: only for a dated series (by_year)")
        if self.from_year is not None and self.until_year is not None:
            if self.until_year <= self.from_year:
                raise ValueError("until_year: must be after from_year")
        return self


class PolicyChange(BaseModel):
    """A change of the rules that takes effect on a date, as partial scenario sections.

    ``[[changes]]`` with ``year = 2022.67``, ``what = "..."`` and tables such as
    ``[changes.electronic_monitoring]``: from that day on, the scenario is the one before with
    these fields replaced (later changes on top of earlier ones).
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    year: float = param(
        ...,
        unit="calendar year",
        ge=1900,
        le=2200,
        source="scenario file",
        description="Date (fractional calendar year) from which the change applies.",
    )
    what: str = Field("", description="The change in words, with its source.")

    @property
    def sections(self) -> dict[str, Any]:
        """The partial sections the change sets."""
        return dict(self.model_extra or {})


class Scenario(Section):
    """A whole scenario: country base data, estate and policy rules."""

    name: str = Field("unnamed scenario", description="Short title shown in tables.")
    description: str = Field("", description="What the scenario represents.")
    run: Run = Run()
    regions: list[Region] = Field(min_length=1, description="Regions of the country.")
    case_flow: CaseFlow = CaseFlow()
    remand: Remand = Remand()
    offenders: Offenders = Offenders()
    sentencing: Sentencing = Sentencing()
    placement: Placement = Placement()
    release: Release = Release()
    transition: Transition = Transition()
    reoffending: Reoffending = Reoffending()
    costs: Costs = Costs()
    security: Security = Security()
    community: Community = Community()
    siting: Siting = Siting()
    policy: PolicyFeedback = PolicyFeedback()
    net_widening: NetWidening = NetWidening()
    capacity: Capacity = Capacity()
    electronic_monitoring: ElectronicMonitoring = ElectronicMonitoring()
    staffing: Staffing = Staffing()
    facilities: list[FacilityGroup] = Field(min_length=1, description="The facility estate.")
    house_plan: HousePlan = HousePlan()
    new_prison: NewPrison = NewPrison()
    # checked at every date, and gathered from where a file writes them in place of a field's
    # value, when a file is loaded (rescalesim.scenario_file.validate)
    trends: dict[str, Trend] = Field(
        default_factory=dict,
        description="Numeric fields that change with the date, by dotted field name "
        "(docs/time.md); also written in place of the field's value.",
    )
    changes: list[PolicyChange] = Field(
        default_factory=list,
        description="Rule changes that take effect on a date (docs/time.md).",
    )

    @model_validator(mode="after")
    def _regions_are_consistent(self) -> Self:
        names = [r.name for r in self.regions]
        if len(set(names)) != len(names):
            raise ValueError("regions: names must be unique")
        _check_shares([r.case_share for r in self.regions], "regions: case shares")
        for i, group in enumerate(self.facilities):
            if group.region not in names:
                raise ValueError(
                    f"facilities.{i}.region: '{group.region}' is not a region; allowed: {', '.join(names)}"
                )
        for region in self.house_plan.region_weights:
            if region not in names:
                raise ValueError(
                    f"house_plan.region_weights.{region}: not a region; allowed: {', '.join(names)}"
                )
        if self.new_prison.region is not None and self.new_prison.region not in names:
            raise ValueError(
                f"new_prison.region: '{self.new_prison.region}' is not a region; allowed: "
                f"{', '.join(names)}"
            )
        if not any(
            g.kind == "prison" and self.day_of_year(g.opens_year) == 0 and g.closes_year is None
            for g in self.facilities
        ):
            raise ValueError(
                "facilities: at least one prison must be open from the start and never close "
                "(remand and overflow need one)"
            )
        return self

    def digest(self) -> str:
        """Hash of what determines the results, apart from the seed and replication count."""
        data = self.model_dump(mode="json")
        data["run"] = {k: v for k, v in data["run"].items() if k not in ("seed", "replications")}
        for name in ("trends", "changes"):  # a scenario without them keeps its hash
            if not data[name]:
                del data[name]
        # nor does one without planned houses or a new prison
        if not self.house_plan.houses:
            del data["house_plan"]
        if not self.new_prison.places:
            del data["new_prison"]
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def warmup_days(self) -> int:
        """Days simulated before measuring."""
        return round(self.run.warmup_years * DAYS_PER_YEAR)

    @property
    def measured_days(self) -> int:
        """Days measured after the warm-up."""
        return max(1, round(self.run.years * DAYS_PER_YEAR))

    def day_of_year(self, calendar_year: float | None) -> int:
        """Model day on which a calendar date (fractional year) falls.

        The warm-up covers the years just before ``run.start_year``, so a date in them falls
        in the warm-up; a date before the warm-up (or none) is day 0.
        """
        if calendar_year is None:
            return 0
        offset = round((calendar_year - self.run.start_year) * DAYS_PER_YEAR)
        return max(0, self.warmup_days + offset)

    def year_of_day(self, day: int) -> float:
        """Calendar date (fractional year) of a model day: the inverse of `day_of_year`."""
        return self.run.start_year + (day - self.warmup_days) / DAYS_PER_YEAR
