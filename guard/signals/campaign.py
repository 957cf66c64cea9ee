"""Campaign: the key belongs to a group of keys that together sweep what none does alone.

A sybil campaign keeps every key modest (a few dozen requests a day, under every per-key
limit) and splits the subject space between them, so each key's own coverage says little;
the union of its campaign's coverage says it all. The store links keys that share a habit
(guard.campaigns) and counts the campaign's windows as one; this signal grows with the
campaign's union coverage and with its number of keys, so a group of two or three keys
sharing a product's system prompt stays low while hundreds of keys sweeping together do not.

It also grows with how templated the key's own requests are: a script fills one template
request after request (or one frame, "Answer as an expert {field} professor. Question: {q}",
whose fingerprints differ with each question), while the people of a company that gives all
its staff one system prompt write their own questions. A campaign of hundreds of keys
covering thousands of subjects is a sweep when its keys fill templates, and may be a large
organisation when they do not; such a member keeps a quarter of the campaign's weight
(``untemplated``), the rest of the evidence having to come from its own behaviour.
"""

from __future__ import annotations

from guard.signals.base import Signal, SignalContext, saturate
from guard.signals.behaviour import ring_stats

__all__ = ["CampaignSignal"]


class CampaignSignal(Signal):
    """Union coverage of the key's campaign (0.5 at ``half_cells``) times its size (0.5 at
    ``half_keys`` keys beyond the first), times how templated the key's own recent requests
    are (full weight when ``templated`` of them share one template or one frame,
    ``untemplated`` when none do)."""

    name = "campaign"

    def __init__(
        self,
        half_cells: float = 300.0,
        half_keys: float = 8.0,
        templated: float = 0.3,
        untemplated: float = 0.25,
    ) -> None:
        self.half_cells = half_cells
        self.half_keys = half_keys
        self.templated = templated
        self.untemplated = untemplated

    def measure(self, ctx: SignalContext) -> float:
        campaign = ctx.state.campaign
        if campaign is None:
            return 0.0
        counts = campaign.window(ctx.window)
        if counts.requests < 2 * ctx.min_requests:
            return 0.0
        coverage = saturate(counts.distinct_cells, self.half_cells)
        group = coverage * saturate(campaign.keys - 1, self.half_keys)
        recent = ring_stats(ctx)
        # A key linked at its first request joined by what it sent (guard.campaigns): the
        # campaign's template, frame or system prompt, which is its whole script so far.
        scripted = recent.scripted if recent.n > 1 else 1.0
        script = min(1.0, scripted / self.templated)
        return group * (self.untemplated + (1.0 - self.untemplated) * script)

    def explain(self, ctx: SignalContext, value: float) -> str:
        campaign = ctx.state.campaign
        if campaign is None:
            return "not linked to other keys"
        counts = campaign.window(ctx.window)
        recent = ring_stats(ctx)
        return (
            f"campaign {campaign.id} of {campaign.keys} keys: {counts.distinct_cells} distinct "
            f"subjects in {counts.requests} requests in the last {ctx.window}; "
            f"{recent.scripted:.0%} of this key's recent requests fill one template or frame"
        )
