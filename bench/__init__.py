"""Benchmarks: the data generator (``manage.py bench_data``) and the scripts run.py, loadtest.py and
bench_reply_pdf.py (see bench/README.md). At the top of the dependency graph: it fills every app's
tables, and no app imports it."""
