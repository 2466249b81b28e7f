"""Which polars engine runs the transform plans.

Measured on the Reuters corpus (benchmarks/profile_transforms.py, 2 cores): the in-memory
engine runs these plans, string-heavy with joins and windows over whole batches, 20-26% faster
than polars 2's default streaming engine, with a lower peak. Batches are bounded by
--batch-size, so streaming's out-of-core ability is not needed here.
"""

from __future__ import annotations

ENGINE = "in-memory"
