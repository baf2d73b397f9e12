"""Costs of the justice system as the model sees it.

Operating cost by facility type, derived from each country's published cost per person-day (see
``scenario.PlaceCost``): its fixed part is staff, paid for the posts filled (:mod:`staffing`),
the rest follows the people held; community-sanction and
electronic-monitoring days, the cost of each new conviction after a sentence, and the building
cost of facilities opened during the measured years, paid off as an annuity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rescalesim.places import FacilityKind
from rescalesim.records import INDEX
from rescalesim.scenario import DAYS_PER_YEAR, SECURITY_ORDER

# the stock of people on remand held in each kind of facility
REMAND_HELD_IN = {FacilityKind.prison: "remand", FacilityKind.detention_house: "house_remand"}

# the row's columns a day's costs read and write, looked up once
_STAFF, _PRISON = INDEX["cost_staff_eur"], INDEX["cost_prison_eur"]
_COMMUNITY, _COMMUNITY_SANCTION = INDEX["cost_community_sanction_eur"], INDEX["community_sanction"]
_INCENTIVE = INDEX["cost_municipal_incentive_eur"]
_REVENUE = INDEX["cost_social_enterprise_revenue_eur"]
_DETENTION_HOUSE, _TRANSITION_HOUSE = INDEX["detention_house"], INDEX["transition_house"]
_EM = INDEX["cost_electronic_monitoring_eur"]
_ELECTRONIC_MONITORING = INDEX["electronic_monitoring"]
_CONVICTIONS, _RECONVICTIONS = INDEX["cost_new_convictions_eur"], INDEX["reconvictions"]
_CAPITAL = INDEX["cost_capital_eur"]

if TYPE_CHECKING:
    import numpy as np

    from rescalesim.custody import Custody
    from rescalesim.estate import Estate
    from rescalesim.facility import Facility
    from rescalesim.records import Records
    from rescalesim.scenario import Costs
    from rescalesim.staffing import Staffing


def annuity(rate: float, years: float) -> float:
    """Yearly payment that pays off 1 over `years` at `rate` (1 / years without interest)."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


class CostAccounts:
    """Adds one day of costs, by component, to a row of the daily record."""

    def __init__(
        self, costs: Costs, records: Records, estate: Estate, staffing: Staffing, custody: Custody
    ) -> None:
        self.records = records
        self.estate = estate
        self.staffing = staffing
        self.custody = custody
        self.capital_per_day = 0.0  # building costs paid off by facilities opened so far
        self.adopt(costs)

    def adopt(self, costs: Costs) -> None:
        """Cost rates from today (a dated change); a building's cost is fixed when it opens."""
        self.costs = costs
        # extra cost of a prison day at each security level (none when all ratios are 1)
        self.security_extra = [
            (costs.security_cost_ratio[level] - 1.0) * costs.prison.per_person_day
            for level in sorted(SECURITY_ORDER, key=SECURITY_ORDER.__getitem__)
        ]
        self.by_level = any(self.security_extra)
        # the columns and rates of each facility kind, looked up once (costed every day)
        self.by_kind = [
            (
                INDEX[f"cost_{kind}_eur"],
                INDEX[kind],
                getattr(costs, kind),
                INDEX[REMAND_HELD_IN[kind]] if kind in REMAND_HELD_IN else None,
            )
            for kind in FacilityKind
        ]

    def capital(self, facilities: list[Facility]) -> None:
        """Facilities opening today start paying off their building cost (an annuity a day).

        The building is paid for whether the facility stays open or not: the charge runs to the
        end of the run.
        """
        if not self.costs.enabled:
            return
        costs = self.costs
        for facility in facilities:
            building = facility.built_capacity * costs.capital_per_place[facility.kind]
            years = costs.capital_lifetime_years[facility.kind]
            self.capital_per_day += building * annuity(costs.discount_rate, years) / DAYS_PER_YEAR
            # the same money as a budget office sees it: spent once, when the facility opens
            self.records.today[INDEX["building_cost_eur"]] += building

    def account(self, row: np.ndarray) -> None:
        """Cost components of the day in the row; all zero when costs are switched off."""
        if not self.costs.enabled:
            return
        costs = self.costs
        # the day's stocks and flows as Python floats: the same arithmetic as on the row's numpy
        # scalars, at a fraction of the cost (done every simulated day)
        today = row.tolist()
        staff = 0.0
        staffed = self.staffing.staffed_places()
        for (cost, held, rates, remand), places in zip(self.by_kind, staffed, strict=True):
            # remand is held in prison places (or house places where allowed), so its people
            # count as occupants there
            occupied = today[held] + (today[remand] if remand is not None else 0)
            row[cost] = occupied * rates.occupied_place_day
            # the fixed part of spending is staff, paid for the posts filled (see staffing)
            staff += places * rates.available_place_day
        row[_STAFF] = staff
        if self.by_level:
            extra = self.security_extra
            row[_PRISON] += sum(
                n * e for n, e in zip(self.custody.prison_by_level, extra, strict=True)
            )
        row[_COMMUNITY] = today[_COMMUNITY_SANCTION] * costs.community_sanction_day
        houses = self.estate.open_houses + self.estate.open_transition_houses
        if houses:
            per_resident_day = costs.municipal_incentive_per_resident_year / DAYS_PER_YEAR
            cap_day = costs.municipal_incentive_cap_year / DAYS_PER_YEAR
            row[_INCENTIVE] = sum(min(len(h.occupants) * per_resident_day, cap_day) for h in houses)
        row[_REVENUE] = (
            -(today[_DETENTION_HOUSE] + today[_TRANSITION_HOUSE])
            * costs.social_enterprise_revenue_per_resident_day
        )
        row[_EM] = today[_ELECTRONIC_MONITORING] * costs.electronic_monitoring_day
        row[_CONVICTIONS] = today[_RECONVICTIONS] * costs.new_conviction
        row[_CAPITAL] = self.capital_per_day
