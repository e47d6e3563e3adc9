"""Demo data: `seed_demo(session, scale=…, seed=…)` fills an empty database for every role."""

from marketplace.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD
from marketplace.demo.context import DemoTerritoryMissing
from marketplace.demo.generator import DemoDataExists, DemoSummary, demo_data_present, seed_demo

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DemoDataExists",
    "DemoSummary",
    "DemoTerritoryMissing",
    "demo_data_present",
    "seed_demo",
]
