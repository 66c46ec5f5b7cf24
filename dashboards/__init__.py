"""The national statistics and what shows them: the selectors (``statistics``), the research
figures they are compared with (``research``), the stats API (``api``), the dashboard pages
(``views``, ``sections``, ``charts``, ``filters``) and the front page's numbers
(``front_page``).

It reads the domain apps (municipalities, organisations, partnerships) and no domain app
imports it (``tests/test_architecture.py``). Every number comes from ``statistics`` and
``research``; the pages only read the filters (``filters``), shape the selectors' results
into tables, CSV rows and bar geometry (``charts``, ``sections``) and render them
(``views``). Charts are inline SVG drawn by ``templates/dashboard/_bar_chart.html``: no
script, no outside request.
"""
