"""Judges: a custodial or a community sentence, and its length. Judges differ in severity."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import expit, logit

from rescalesim.draws import categorical, cumulative

if TYPE_CHECKING:
    from rescalesim.scenario import Sentencing

PRIORS_CAP = 5  # the effect of a record saturates; also keeps repeated returns from compounding


class Judge(mesa.Agent):
    """A judge in a region; severity multiplies the odds of custody and the sentence length."""

    def __init__(self, model: mesa.Model, region: int, severity: float) -> None:
        super().__init__(model)
        self.region = region
        self.severity = severity


class Bench:
    """The judges of every region, and the sentencing of a day's hearings in one batch."""

    def __init__(
        self,
        model: mesa.Model,
        sentencing: Sentencing,
        regions: int,
        judges_rng: np.random.Generator,
        sentencing_rng: np.random.Generator,
    ) -> None:
        self.sentencing = sentencing
        self.rng = sentencing_rng  # the cases' draws; judges_rng draws the judges once
        rng = judges_rng
        self.by_region: list[list[Judge]] = []
        for region in range(regions):
            if sentencing.severity_enabled:
                # log-normal, truncated at 3 standard deviations: no judge is unboundedly harsh
                log_severity = rng.normal(0.0, sentencing.severity_sd, sentencing.judges_per_region)
                severities = np.exp(
                    np.clip(log_severity, -3 * sentencing.severity_sd, 3 * sentencing.severity_sd)
                )
            else:
                severities = np.ones(sentencing.judges_per_region)
            self.by_region.append([Judge(model, region, float(s)) for s in severities])
        self.severity = np.array([[j.severity for j in judges] for judges in self.by_region])
        self.adopt(sentencing)

    def adopt(self, sentencing: Sentencing) -> None:
        """Sentencing rules from today (a dated reform); the judges drawn at the start stay."""
        self.sentencing = sentencing
        edges = np.array(sentencing.sentence_band_edges_days, dtype=float)
        self.log_low, self.log_high = np.log(edges[:-1]), np.log(edges[1:])
        self.log_width = self.log_high - self.log_low  # per band: looked up, not recomputed
        self.band_cdf = cumulative(sentencing.sentence_band_shares)
        self.base_log_odds = float(logit(np.clip(sentencing.custody_share, 1e-12, 1 - 1e-12)))

    def sentence_lengths(self, severity: np.ndarray) -> np.ndarray:
        """Custodial sentence lengths in days: a band by its share, log-uniform inside it."""
        rng = self.rng
        band = categorical(rng, self.band_cdf, len(severity))
        u = rng.random(len(severity))
        days = np.exp(self.log_low[band] + u * self.log_width[band])
        return days * severity

    def short_sentence_lengths(self, severity: np.ndarray, max_days: float) -> np.ndarray:
        """Short sentence lengths: those a small place takes.

        Drawn as `sentence_lengths` does, but only among lengths up to `max_days` for a judge
        of average severity, then times the judge's severity and capped at `max_days`.
        """
        rng = self.rng
        edges = np.exp(np.append(self.log_low, self.log_high[-1]))
        cdf = np.concatenate([[0.0], self.band_cdf])
        # the distribution function at max_days: piecewise linear in log days between edges
        top = np.interp(np.log(max_days), np.log(edges), cdf)  # per case if max_days is one
        u = rng.random(len(severity)) * top
        log_days = np.interp(u, cdf, np.log(edges))
        return np.minimum(np.exp(log_days) * severity, max_days)

    def decide(
        self,
        regions: np.ndarray,
        priors: np.ndarray,
        pull: np.ndarray | None = None,
        pull_max_days: float | np.ndarray = 0.0,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For a batch of hearings: custody or not, sentence lengths in days, and who was drawn in.

        Each case goes to a judge of its region drawn at random. `pull` adds to the log-odds of
        custody case by case (net-widening: a free place the person could take); a case that
        gets custody with it but would not have without it is "drawn in", and gets a short
        sentence, up to `pull_max_days` (what the free place takes; per case or for all).
        """
        rng = self.rng
        n = len(regions)
        # a judge of the region at random (floor of a uniform: numpy's integers() costs ~6x more)
        judge = (rng.random(n) * self.severity.shape[1]).astype(np.intp)
        severity = self.severity[regions, judge]
        sentencing = self.sentencing
        log_odds = self.base_log_odds + sentencing.custody_log_odds_per_prior * np.minimum(
            priors, PRIORS_CAP
        )
        drawn_in = np.zeros(n, bool)
        if sentencing.custody_share >= 1.0:
            custody = np.ones(n, bool)
        elif sentencing.custody_share <= 0.0:
            custody = np.zeros(n, bool)
        else:
            u = rng.random(n)
            log_odds = log_odds + np.log(severity)
            custody = u < expit(log_odds)
            if pull is not None:
                drawn_in = ~custody & (u < expit(log_odds + pull))
                custody = custody | drawn_in
        lengths = self.sentence_lengths(severity)
        if drawn_in.any():
            limit = pull_max_days[drawn_in] if np.ndim(pull_max_days) else pull_max_days
            lengths[drawn_in] = self.short_sentence_lengths(severity[drawn_in], limit)
        return custody, lengths, drawn_in
