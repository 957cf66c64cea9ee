"""Campaign: the key belongs to a group of keys that together sweep what none does alone.

A sybil campaign keeps every key modest (a few dozen requests a day, under every per-key
limit) and splits the subject space between them, so each key's own coverage says little;
the union of its campaign's coverage says it all. The store links keys that share a habit
(guard.campaigns) and counts the campaign's windows as one; this signal grows with the
campaign's union coverage and with its number of keys, so a group of two or three keys
sharing a product's system prompt stays low while hundreds of keys sweeping together do not.
"""

from __future__ import annotations

from guard.signals.base import Signal, SignalContext, saturate

__all__ = ["CampaignSignal"]


class CampaignSignal(Signal):
    """Union coverage of the key's campaign (0.5 at ``half_cells``) times its size (0.5 at
    ``half_keys`` keys beyond the first)."""

    name = "campaign"

    def __init__(self, half_cells: float = 300.0, half_keys: float = 8.0) -> None:
        self.half_cells = half_cells
        self.half_keys = half_keys

    def measure(self, ctx: SignalContext) -> float:
        campaign = ctx.state.campaign
        if campaign is None:
            return 0.0
        counts = campaign.window(ctx.window)
        if counts.requests < 2 * ctx.min_requests:
            return 0.0
        coverage = saturate(counts.distinct_cells, self.half_cells)
        return coverage * saturate(campaign.keys - 1, self.half_keys)

    def explain(self, ctx: SignalContext, value: float) -> str:
        campaign = ctx.state.campaign
        if campaign is None:
            return "not linked to other keys"
        counts = campaign.window(ctx.window)
        return (
            f"campaign {campaign.id} of {campaign.keys} keys: {counts.distinct_cells} distinct "
            f"subjects in {counts.requests} requests in the last {ctx.window}"
        )
