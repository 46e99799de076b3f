"""Matrix rows of the audit trail reader: the page and its CSV, for the secretariat only."""

from __future__ import annotations

from tests.web.matrix import SECRETARIAT, Route

ROUTES = [
    Route("secretariat.audit", "GET", lambda c: "/admin/audit", SECRETARIAT),
    Route("secretariat.audit", "GET",
          lambda c: f"/admin/audit?user=system&unit={c.own_unit_id}&object=Assignment&object_id={c.own_assignment_id}"
                    "&action=progress&from=2024-07-01&to=2024-07-31&page=2", SECRETARIAT, note="every filter"),
    Route("secretariat.audit", "GET", lambda c: "/admin/audit?from=2024-99-01&page=abc", SECRETARIAT,
          note="bad filters: the page with messages (400), still refused to others", ok=400),
    Route("secretariat.audit_export", "GET", lambda c: "/admin/audit.csv", SECRETARIAT),
    Route("secretariat.audit_export", "GET", lambda c: f"/admin/audit.csv?unit={c.own_unit_id}&action=progress.report",
          SECRETARIAT, note="filtered"),
]
