"""Scratch PostgreSQL databases for the tests and the benchmark: rosterd.testing's own, which
the pytest plugin's workers use too."""

from rosterd.testing._databases import scratch_postgres_database as scratch_database

__all__ = ["scratch_database"]
