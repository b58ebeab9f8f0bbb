"""The REST API and the webhooks at scale (issue #19), in one throwaway database:

- ``entries_page_ms_median``, ``entries_page_ms_p95``, ``entries_page_queries``: the first
  page of 100 of ``GET /api/v1/awards/<slug>/entries/`` at ``--entries`` entries (default
  5,000), an organiser's token in the header, through Django's test client
  (``bench/_api_entries.py``); the query count is the same whatever the page size;
- ``webhooks``, ``webhooks_delivered``, ``webhooks_per_s``: ``--events`` events (default
  1,000) fanned out to one endpoint on a local receiver, delivered by the webhook service,
  each exactly once (``bench/_api_webhooks.py``).

    .venv/bin/python bench/api.py [--entries 5000] [--requests 50] [--events 1000]
    .venv/bin/python bench/api.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench_api
"""

from _api_entries import measure_entries
from _api_webhooks import measure_webhooks
from _common import database_vendor, emit, machine, parser, throwaway_django  # before Django


def main(argv: list[str] | None = None) -> None:
    arguments = parser(__doc__)
    arguments.add_argument("--entries", type=int, default=5000, help="entries (default: 5000)")
    arguments.add_argument(
        "--requests", type=int, default=50, help="requests of the page (default: 50)"
    )
    arguments.add_argument(
        "--events", type=int, default=1000, help="webhook events (default: 1000)"
    )
    args = arguments.parse_args(argv)
    figures: dict = {"entries": args.entries, "events": args.events}
    with throwaway_django(database_url=args.database_url, settings=args.settings):
        figures["database"] = database_vendor()
        figures.update(
            measure_entries(entries=args.entries, requests=args.requests, seed=args.seed)
        )
        figures.update(measure_webhooks(events=args.events))
    figures["machine"] = machine()
    emit(figures)


if __name__ == "__main__":
    main()
