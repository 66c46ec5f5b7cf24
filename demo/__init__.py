"""The demo data set (``generator``) and the ``seed_demo`` command that loads it.

The demo logins and their partnerships are written through the domain apps' services;
the bulk of the data straight into the tables (``loading``: COPY on PostgreSQL, a million
partnerships in a few minutes). No domain app imports it (``tests/test_architecture.py``).
"""
