"""Every non-trivial read of the results app, by topic: ``feed`` (jury rows as the engine's
plain data), ``rankings`` (a round's ranking, the decisive ranking of each category, the
Schulze count, the shortlist proposal), ``figures`` (the ranking, robustness and jury
quality of a round, kept in the cache by the version of their data), ``overview`` (the
organisers' ranking pages), ``public`` (the published results). Callers import from here."""

from .feed import review_data_for_round
from .figures import (
    ROBUSTNESS_RESAMPLES,
    RobustnessState,
    RoundFeed,
    feed_quality,
    feed_ranking,
    feed_robustness,
    robustness_refresh_queue,
)
from .overview import (
    CategoryBlock,
    RankRow,
    category_blocks,
    entry_label,
    juror_names,
)
from .public import (
    PublicCategory,
    decisions_of,
    press_decision,
    press_decisions,
    prize_of,
    public_image,
    public_results,
    published_editions,
    undecided_categories,
    winner_rows,
)
from .rankings import (
    BallotCount,
    DecisiveRanking,
    ReviewProgress,
    ballot_counts,
    decisive_rankings,
    decisive_round,
    deviations,
    method_of,
    review_progress,
    round_entries,
    round_rankings,
    schulze_rows,
    shortlist_proposal,
    shortlist_rows,
    tie_breakers_of,
)

__all__ = [
    "ROBUSTNESS_RESAMPLES",
    "BallotCount",
    "CategoryBlock",
    "DecisiveRanking",
    "PublicCategory",
    "RankRow",
    "ReviewProgress",
    "RobustnessState",
    "RoundFeed",
    "ballot_counts",
    "category_blocks",
    "decisions_of",
    "decisive_rankings",
    "decisive_round",
    "deviations",
    "entry_label",
    "feed_quality",
    "feed_ranking",
    "feed_robustness",
    "juror_names",
    "method_of",
    "press_decision",
    "press_decisions",
    "prize_of",
    "public_image",
    "public_results",
    "published_editions",
    "review_data_for_round",
    "review_progress",
    "robustness_refresh_queue",
    "round_entries",
    "round_rankings",
    "schulze_rows",
    "shortlist_proposal",
    "shortlist_rows",
    "tie_breakers_of",
    "undecided_categories",
    "winner_rows",
]
