"""The outcomes of a run: one registry of metrics, their words, units and definitions.

Tables (``summary.csv``), figures, reports, the command line, the web page and
``docs/metrics.md`` all read names, labels, units and formats from here; the values are
computed in :mod:`metrics`. This module imports nothing heavy, so that checking a targets or
sweep file stays quick.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One outcome of a run: its name in tables, its words and unit for readers, its meaning.

    ``scale`` turns the table's value into the reader's unit (a share 0.45 into 45 %, euros into
    million euros). ``share``: a fraction, shown in % and differences in percentage points.
    ``scales_with_population``: a count or a cost, which grows with ``run.population_scale``.
    """

    name: str
    label: str
    unit: str
    scale: float
    definition: str
    headline: bool = False
    share: bool = False
    scales_with_population: bool = True
    # a metric of a comparison (from two scenarios' runs together), not of one run
    comparison: bool = False

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The values a run can give: a share lies in [0, 1], a count or a cost is not negative.

        None for a metric of a comparison (a difference has no bound).
        """
        if self.comparison:
            return None
        return (0.0, 1.0) if self.share else (0.0, float("inf"))

    def axis(self) -> str:
        """Axis title: words and unit."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def money(self) -> bool:
        """Whether the values are euros (shown as € m / bn with three significant figures)."""
        return "EUR" in self.unit

    def table_heading(self) -> str:
        """Words and the unit of the table's values (shares in %; money carries its own unit)."""
        # values are shown whole (not in thousands or millions); money carries its own unit
        unit = self.unit.removeprefix("million ").removeprefix("thousand ")
        if self.share:
            unit = "%"
        elif self.money:
            unit = unit.removeprefix("EUR").strip()
        if not unit:
            return self.label
        # "people in custody, people (daily mean)", not nested brackets
        return f"{self.label}, {unit}" if "(" in unit else f"{self.label} ({unit})"

    def format(self, value: float) -> str:
        """A value as a reader expects it: shares in %, € m, whole people, 3 significant figures."""
        return self._format(value, signed=False)

    def format_difference(self, value: float) -> str:
        """A difference of this metric: shares in percentage points, always signed."""
        return self._format(value, signed=True)

    def _format(self, value: float, signed: bool) -> str:
        if value != value:  # NaN
            return "n/a"
        if self.share:
            return f"{significant(100 * value, signed, decimals=1)}{' pp' if signed else '%'}"
        if self.money:
            return euros(value, signed)
        return whole(value, signed)


def significant(value: float, signed: bool = False, digits: int = 3, decimals: int = 2) -> str:
    """A number rounded to `digits` significant figures, with separators: 12,287 -> '12,300'.

    At most `decimals` decimals, so that 0.0042 percentage points reads '+0.00', not 4.2e-3.
    """
    if value != value:
        return "n/a"
    rounded = float(f"{value:.{digits}g}")  # 3 significant figures (99.96 -> 100)
    if rounded == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(rounded))) if rounded else 0
    places = min(decimals, max(0, digits - 1 - magnitude))
    return f"{round(rounded, places):{'+' if signed else ''},.{places}f}"


def whole(value: float, signed: bool = False) -> str:
    """A count: whole numbers from 10 up (people are not split), 3 significant figures."""
    return significant(value, signed, decimals=0 if abs(value) >= 9.95 else 2)


def euros(value: float, signed: bool = False) -> str:
    """Money as a budget reads it: '€727 m', '€16.5 bn', '€61,200' (3 significant figures)."""
    if value != value:
        return "n/a"
    sign = ("+" if value >= 0 else "-") if signed else ("-" if value < 0 else "")
    size = abs(value)
    for divisor, suffix in ((1e9, " bn"), (1e6, " m")):
        if size >= divisor * 0.9995:
            return f"{sign}€{significant(size / divisor)}{suffix}"
    return f"{sign}€{significant(size, decimals=0)}"


def registry(*metrics: Metric) -> dict[str, Metric]:
    """Metrics by name, in the order given."""
    return {m.name: m for m in metrics}


METRICS = registry(
    Metric(
        "reconviction_2y",
        "reconviction within 2 years",
        "% of sentenced people",
        100,
        "Share of people starting a time at risk in the measured period (released from custody, "
        "or starting a community sanction or electronic monitoring), at least 2 years and 60 "
        "days before its end, who commit a new offence within 730 days that brings a new case "
        "ending in a sentence (a case acquitted, dismissed or fined only does not count, and the "
        "follow-up goes on); dated by the offence, so a sentence "
        "that keeps people from offending for a while is not counted as an effect of the "
        "follow-up alone. Everyone sentenced is followed, whatever the sentence: sending people "
        "to custody or not cannot change the result by changing who is counted.",
        headline=True,
        share=True,
        scales_with_population=False,
    ),
    Metric(
        "reconviction_2y_custody",
        "reconviction within 2 years of release from custody",
        "% of releases",
        100,
        "As `reconviction_2y`, among releases from custody only: the measure of national "
        "recidivism statistics (Dutch and Norwegian figures follow prison releases).",
        share=True,
        scales_with_population=False,
    ),
    Metric(
        "offences_per_year",
        "offences",
        "offences per year",
        1,
        "New offences brought to court per year: first cases, new cases after a time at risk, "
        "and offences committed while waiting at liberty for a hearing or a prison place (heard "
        "with the pending case).",
    ),
    Metric(
        "custody_population_mean",
        "people in custody",
        "people (daily mean)",
        1,
        "Mean over measured days of the number of people in custody (end-of-day count).",
        headline=True,
    ),
    Metric(
        "occupancy_prisons",
        "prison occupancy",
        "% of places",
        100,
        "People held in prisons (remand and sentenced) summed over measured days, x",
        headline=True,
        share=True,
        scales_with_population=False,
    ),
    Metric(
        "occupancy_houses",
        "house occupancy",
        "% of places",
        100,
        "People in detention and transition houses over their places, as above. Blank (n/a) when "
        "no house is open.",
        headline=True,
        share=True,
        scales_with_population=False,
    ),
    Metric(
        "overcrowding_mean",
        "people above capacity",
        "people (daily mean)",
        1,
        "Mean over measured days of the people held above capacity, summed prison by prison (a "
        "prison under capacity does not offset one above it).",
        headline=True,
    ),
    Metric(
        "empty_house_bed_days",
        "empty house beds",
        "thousand bed-days",
        0.001,
        "Sum over measured days of the free places in open detention and transition houses.",
        headline=True,
    ),
    Metric(
        "cost_total_eur",
        "total cost over the period",
        "million EUR",
        1e-06,
        "Sum over the period of: available places times the cost per available place-day and "
        "people held times the cost per occupied place-day, by facility type (remand counts as "
        "prison); community-sanction days times their daily cost; and reconvictions (see above) "
        "times the cost per new conviction.",
        headline=True,
    ),
    Metric(
        "cost_per_offence_avoided_eur",
        "extra cost per offence avoided",
        "thousand EUR",
        0.001,
        "A comparison against the base scenario: the mean difference in `cost_total_eur` over "
        "the mean number of offences avoided in the period (`offences_per_year` times the "
        "measured years), paired by replication, with a delta-method 95% interval. Blank "
        "(n/a) unless the scenario clearly avoids offences (their interval above zero); "
        "negative when it saves money too.",
        headline=True,
        scales_with_population=False,
        comparison=True,
    ),
    Metric(
        "cost_per_release_eur",
        "cost per release",
        "thousand EUR",
        0.001,
        "`cost_total_eur` divided by the number of releases from custody in the period.",
        headline=True,
        scales_with_population=False,
    ),
    Metric(
        "running_cost_per_year_eur",
        "running cost to the justice budget",
        "million EUR per year",
        1e-06,
        "Mean yearly cost of running the system, paid by the justice budget: facilities (staff "
        "and the cost per person held), community sanctions, electronic monitoring, municipal "
        "incentives, less the houses' social-enterprise revenue. Leaves out building costs "
        "(`building_cost_eur`) and the wider cost of new convictions "
        "(`social_cost_per_year_eur`).",
        headline=True,
    ),
    Metric(
        "building_cost_eur",
        "one-off building cost",
        "million EUR",
        1e-06,
        "Building cost of the places of facilities that open in the measured years (places "
        "times the cost per place of their kind), counted once when each opens.",
        headline=True,
    ),
    Metric(
        "building_annuity_per_year_eur",
        "building cost paid off per year",
        "million EUR per year",
        1e-06,
        "`building_cost_eur` spread over each building's lifetime as an annuity at the discount "
        "rate, from its opening day: the part of `cost_total_eur` that pays for buildings, per "
        "measured year.",
    ),
    Metric(
        "social_cost_per_year_eur",
        "wider cost of new convictions",
        "million EUR per year",
        1e-06,
        "Reconvictions per year times the cost of a new conviction (courts, police, victims: "
        "an assumption, see `costs.new_conviction`); not paid from the prison budget.",
        headline=True,
    ),
    Metric(
        "places_end",
        "places at the end",
        "places",
        1,
        "Places in prisons, detention and transition houses on the last measured day.",
    ),
    Metric(
        "custodial_sentences_per_year",
        "custodial sentences",
        "per year",
        1,
        "Hearings ending in a custodial sentence, per measured year.",
        headline=True,
    ),
    Metric(
        "reincarceration_2y",
        "back in custody within 2 years",
        "% of releases",
        100,
        "Share of releases from custody in the measured period, at least 2 years before its end, "
        "followed by a new entry into custody (remand or a custodial sentence) within 730 days. "
        "This is the measure closest to the Belgian NICC study (re-incarceration).",
        share=True,
        scales_with_population=False,
    ),
    Metric(
        "remand_share",
        "share of custody on remand",
        "% of people in custody",
        100,
        "People on remand over people in custody, summed over measured days.",
        share=True,
        scales_with_population=False,
    ),
    Metric(
        "admissions_per_year",
        "admissions to custody",
        "people per year",
        1,
        "Entries into custody from outside (new remand, or a custodial sentence for someone not "
        "on remand), per year.",
    ),
    Metric(
        "releases_per_year",
        "releases from custody",
        "people per year",
        1,
        "Releases from custody per year.",
    ),
    Metric(
        "reoffence_cases_per_year",
        "new cases after a sentence",
        "cases per year",
        1,
        "New cases opened for people after a time at risk (a release from custody or a sentence "
        "served outside), per year.",
    ),
    Metric(
        "community_sentences_per_year",
        "community sanctions",
        "per year",
        1,
        "Hearings ending in a community sanction, per year.",
    ),
    Metric(
        "house_placements_per_year",
        "placed in a detention house",
        "people per year",
        1,
        "Placements in a detention house (at a hearing or from remand), per year.",
    ),
    Metric(
        "sent_back_to_prison_per_year",
        "sent back from a house to prison",
        "people per year",
        1,
        "Residents of detention houses sent back to prison during their sentence, per year.",
    ),
    Metric(
        "transition_transfers_per_year",
        "moved to a transition house",
        "people per year",
        1,
        "Transfers into a transition house, per year.",
    ),
    Metric(
        "mean_stay_days",
        "mean stay in custody",
        "days",
        1,
        "Mean custody population over the admission rate (Little's law): the mean length of a "
        "stay in custody.",
        scales_with_population=False,
    ),
    Metric(
        "persons_in_custody_per_year",
        "different people in custody",
        "people per year",
        1,
        "Distinct people who spend at least one day in custody in a measured year, averaged over "
        "the years: the size of the net.",
    ),
    Metric(
        "drawn_into_custody_per_year",
        "drawn into custody (net-widening)",
        "cases per year",
        1,
        "Cases a judge would have given a community sanction that got short custody because a "
        "detention-house bed was free (net-widening), per year.",
    ),
    Metric(
        "placement_refusals_per_year",
        "refused a house on assessed risk",
        "people per year",
        1,
        "Eligible people turned down for a house because their assessed risk of a new offence "
        "was above the decider's threshold (the judge's with a free bed at the hearing, the "
        "service's at its decision), per year.",
    ),
    Metric(
        "placement_decisions_per_year",
        "placement decisions by the service",
        "files per year",
        1,
        "Regime `service`: files on eligible people decided by the placement service, per year "
        "(files of people who left prison before their turn close without a decision).",
    ),
    Metric(
        "placement_decision_days_mean",
        "wait for the service's decision",
        "days",
        1,
        "Regime `service`: mean days from the file's opening (sentence or remand) to the "
        "decision, over decisions taken in the period.",
        scales_with_population=False,
    ),
    Metric(
        "house_waiting_list_mean",
        "waiting in prison for a house",
        "people (daily mean)",
        1,
        "Regime `service`: mean number of approved people waiting in prison for a house bed.",
    ),
    Metric(
        "sentence_queue_mean",
        "waiting at liberty for a prison place",
        "people (daily mean)",
        1,
        "Overflow `queue`: mean number of people sentenced to custody waiting at liberty for a "
        "place.",
    ),
    Metric(
        "queue_wait_days_mean",
        "wait for a prison place",
        "days",
        1,
        "Overflow `queue`: mean days from sentence to the start of custody, over queued sentences "
        "started in the period.",
        scales_with_population=False,
    ),
    Metric(
        "diverted_to_em_per_year",
        "sentences served under electronic monitoring",
        "sentences per year",
        1,
        "Overflow `electronic_monitoring`: sentences served under EM because prisons were full, "
        "per year.",
    ),
    Metric(
        "early_releases_per_year",
        "released early to relieve crowding",
        "people per year",
        1,
        "Overflow `early_release`: people released before their date to relieve crowding, per "
        "year.",
    ),
    Metric(
        "revocations_per_year",
        "conditional releases revoked",
        "people per year",
        1,
        "Conditional releases revoked by a new offence committed before the end of the "
        "sentence: the rest of the sentence is served on top of the new one, per year.",
    ),
    Metric(
        "em_sentences_per_year",
        "sentences served at home under EM",
        "people per year",
        1,
        "Custodial sentences served at home under electronic monitoring from their start (the "
        "`electronic_monitoring` section), per year; diversions of the EM overflow policy are "
        "`diverted_to_em_per_year`.",
    ),
    Metric(
        "em_to_house_per_year",
        "placed in a house instead of EM",
        "people per year",
        1,
        "People whose short sentence would have been served at home under EM, placed in a "
        "detention house instead (`electronic_monitoring.houses_first`), per year.",
    ),
    Metric(
        "cases_without_sentence_per_year",
        "cases ending without a sentence",
        "cases per year",
        1,
        "Hearings ending in an acquittal, a dismissal or a fine only (no custodial or community "
        "sentence), per year; someone on remand then goes free.",
    ),
    Metric(
        "staff_posts_mean",
        "staff posts filled",
        "full-time staff",
        1,
        "Staff posts filled in open facilities on an average measured day (posts per place "
        "times places built, times the share filled; `staffing` section).",
    ),
    Metric(
        "places_closed_for_staff_mean",
        "places closed for want of staff",
        "places",
        1,
        "Built places of open facilities that cannot be used because their staff posts are not "
        "filled (new facilities recruiting, or a lasting shortfall), on an average measured day.",
    ),
    Metric(
        "houses_planned",
        "houses planned",
        "houses",
        1,
        "Siting on: detention and transition houses planned to open after the start (each must be "
        "accepted by a municipality).",
        scales_with_population=False,
    ),
    Metric(
        "houses_opened",
        "planned houses opened",
        "houses",
        1,
        "Siting on: planned houses open by the end of the run.",
        scales_with_population=False,
    ),
    Metric(
        "houses_delayed",
        "planned houses delayed",
        "houses",
        1,
        "Siting on: planned houses that opened later than planned.",
        scales_with_population=False,
    ),
    Metric(
        "houses_relocated",
        "planned houses relocated",
        "houses",
        1,
        "Siting on: planned houses moved to another municipality at least once.",
        scales_with_population=False,
    ),
    Metric(
        "houses_abandoned",
        "planned houses abandoned",
        "houses",
        1,
        "Siting on: planned houses given up after the maximum number of refusals.",
        scales_with_population=False,
    ),
    Metric(
        "houses_closed",
        "houses closed for underuse",
        "houses",
        1,
        "Policy feedback on: houses closed by the yearly review for persistent underuse.",
        scales_with_population=False,
    ),
    Metric(
        "prison_places_built",
        "prison places built",
        "places",
        1,
        "Policy feedback on: prison places decided in response to persistent overcrowding (they "
        "open after the build lag).",
    ),
    Metric(
        "prison_places_closed",
        "prison places closed",
        "places",
        1,
        "Policy feedback on: prison places closed as detention houses opened.",
    ),
)

HEADLINE = [m.name for m in METRICS.values() if m.headline and not m.comparison]
SUPPORTING = [m.name for m in METRICS.values() if not m.headline and not m.comparison]
# computed by `compare` from each scenario's runs against the base's, paired by replication
COMPARISON = [m.name for m in METRICS.values() if m.comparison]


def reference_markdown() -> str:
    """The metric tables of docs/metrics.md, from the registry (``rescalesim metrics``)."""
    lines = ["## Headline metrics", ""]
    lines += ["| metric | in words | unit | definition |", "|---|---|---|---|"]
    for group in (HEADLINE, COMPARISON, SUPPORTING):
        for name in group:
            m = METRICS[name]
            lines.append(f"| `{m.name}` | {m.label} | {m.unit} | {m.definition} |")
        if group is COMPARISON:
            lines += ["", "## Supporting metrics (also in `summary.csv`)", ""]
            lines += ["| metric | in words | unit | definition |", "|---|---|---|---|"]
    return "\n".join(lines) + "\n"


def metric(name: str) -> Metric:
    """The metric called `name`; a column that is not a metric gets its name in words."""
    found = METRICS.get(name)
    return found if found is not None else Metric(name, name.replace("_", " "), "", 1, "")
