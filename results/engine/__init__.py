"""The results engine: the ranking of a round and what stands behind it (explanations, jury
quality, robustness, charts) and the Schulze count of ranked ballots. Pure computation on
plain data: it imports no Django and no Laurel app (checked by the import contract); the
results app feeds it (``results.selectors.feed``)."""

from .calibrated import CalibratedFit, calibrate
from .charts import histogram_svg
from .quality import (
    CategoryQuality,
    Histogram,
    JurorQuality,
    histogram,
    jury_quality,
    krippendorff_alpha,
)
from .ranking import (
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
from .robustness import CLOSE_CALL, INCOMPLETE, ROBUST, LeaveOneOut, Robustness, robustness
from .schulze import SchulzeResult, schulze

__all__ = [
    "AGGREGATIONS",
    "CLOSE_CALL",
    "INCOMPLETE",
    "NORMALISATIONS",
    "ROBUST",
    "CalibratedFit",
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
    "SchulzeResult",
    "calibrate",
    "explain",
    "histogram",
    "histogram_svg",
    "jury_quality",
    "krippendorff_alpha",
    "ranking_compute",
    "review_total",
    "robustness",
    "schulze",
    "shortlist",
]
