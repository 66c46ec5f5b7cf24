"""The demo data set (``generator``) and the ``seed_demo`` command that loads it.

It writes through the domain apps' services and models; no domain app imports it
(``tests/test_architecture.py``).
"""
