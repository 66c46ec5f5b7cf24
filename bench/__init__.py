"""Benchmarks of the registry at 10,000 and 1,000,000 partnerships (``make bench``).

``run.py`` is the entry; the modules beside it each measure one thing:

- ``databases``: the PostgreSQL databases the benchmark seeds once and reuses;
- ``probes``: the requests measured in process, with what a correct answer looks like;
- ``measure``: timing (median after warm-up) and query counts;
- ``baselines``: the raw-SQL floor and the naive DRF viewset the API list is compared with;
- ``inprocess``: all in-process measurements against one database;
- ``export_memory``: the CSV export's peak memory growth, in a subprocess;
- ``throughput``: gunicorn with two workers under ``wrk``;
- ``report``: targets, the JSON results and the Markdown table;
- ``machine``: a description of the machine the numbers come from.
"""
