"""What the conference report says about the south in 2016, and the seed that replays it."""

from __future__ import annotations

import random
from datetime import date

REGION = "south_2016"
AS_OF = date(2016, 6, 30)
SEED = 2016

PLANS = {  # (year, fund) -> total in dong
    (2015, "national"): 29_296_000_000,
    (2015, "local"): 35_067_000_000,
    (2016, "national"): 28_657_000_000,
    (2016, "local"): 36_883_000_000,
}
# First half of 2016: activity -> (measure, achieved, planned or None)
OUTPUTS = {
    "training": ("trainees", 331, 1_724),
    "capacity": ("trainees", 369, None),
    "demonstration": ("models", 5, None),
    "machinery": ("establishments", 59, None),
    "trade_fair": ("participations", 128, None),
}
LAGGING = ("84", "93", "95", "96")  # Trà Vinh, Hậu Giang, Bạc Liêu, Cà Mau
OTHER_ACTIVITIES = (
    "cleaner_production",
    "product_selection",
    "trade_promotion",
    "consultancy",
    "information",
    "linkage",
    "pollution_treatment",
    "international",
    "implementation_capacity",
    "industrial_cluster",
)


def split(total: int, parts: int, rng: random.Random, floor: int = 1) -> list[int]:
    """`parts` positive integers adding up to `total` exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    shares = [floor + int((total - floor * parts) * w / sum(weights)) for w in weights]
    shares[-1] += total - sum(shares)
    return shares
