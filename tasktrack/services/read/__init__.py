"""The read side: eager-loaded rows with their traffic lights for the pages and the API, in a fixed number of queries.

overview.py (plans, tasks, units, ``light_of``), dashboard.py (the secretariat's dashboard and assignment list),
overdue.py (the red list paged in SQL), tracking.py (one assignment's page), filters.py (what a list is narrowed
to). The imports run one way: filters ← overview ← overdue ← dashboard; tracking uses overview. Nothing here writes.
"""
