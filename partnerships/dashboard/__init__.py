"""The public dashboards: national and county figures, and one municipality beside its
county and country, compared with the research.

Every number comes from ``partnerships.statistics`` (the selectors the stats API uses) and
``partnerships.research``; this package only reads the filters (``filters``), shapes the
selectors' results into tables, CSV rows and bar geometry (``charts``, ``sections``) and
renders them (``views``). Charts are inline SVG drawn by ``templates/dashboard/_bar_chart.html``:
no script, no outside request.
"""
