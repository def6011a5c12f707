"""What every app uses: phone masking and the read-only admin base.

The bottom of the dependency graph: this package imports no app of the project (checked by
tests/test_architecture.py), so audit, search, documents and the feature apps may all use it.
It has no models; it is installed only for its system checks (common/storage.py).
"""
