"""Results: the ranking of a round and what stands behind it (explanations, jury quality,
robustness, charts). Pure computation on plain data; the jury app provides the data
(``jury.results_data``), so this package imports neither ``jury`` nor ``submissions``."""

from .charts import histogram_svg
from .engine import (
    AGGREGATIONS,
    NORMALISATIONS,
    CategoryRanking,
    CriterionSpec,
    Explanation,
    JurorLine,
    Neighbour,
    RankedEntry,
    ReviewData,
    explain,
    ranking_compute,
    review_total,
    shortlist,
)
from .quality import (
    CategoryQuality,
    Histogram,
    JurorQuality,
    histogram,
    jury_quality,
    krippendorff_alpha,
)
from .robustness import CLOSE_CALL, ROBUST, LeaveOneOut, Robustness, robustness

__all__ = [
    "AGGREGATIONS",
    "CLOSE_CALL",
    "NORMALISATIONS",
    "ROBUST",
    "CategoryQuality",
    "CategoryRanking",
    "CriterionSpec",
    "Explanation",
    "Histogram",
    "JurorLine",
    "JurorQuality",
    "LeaveOneOut",
    "Neighbour",
    "RankedEntry",
    "ReviewData",
    "Robustness",
    "explain",
    "histogram",
    "histogram_svg",
    "jury_quality",
    "krippendorff_alpha",
    "ranking_compute",
    "review_total",
    "robustness",
    "shortlist",
]
