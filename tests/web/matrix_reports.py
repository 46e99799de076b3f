"""Matrix rows of the secretariat's documents (/reports/): the page, the two downloads and their API twins."""

from tests.web.matrix import SECRETARIAT, Route

ROUTES = [
    Route("secretariat.reports_page", "GET", lambda c: "/reports/", SECRETARIAT),
    Route("secretariat.bulletin_download", "GET", lambda c: f"/reports/bulletin.docx?plan={c.plan_id}&as_of=2024-07-18",
          SECRETARIAT),
    Route("secretariat.summary_download", "GET",
          lambda c: f"/reports/summary.docx?plan={c.plan_id}&from=2024-01-01&to=2024-06-30", SECRETARIAT),
    Route("api.report_bulletin", "GET", lambda c: f"/api/v1/reports/bulletin.docx?plan={c.plan_id}&as_of=2024-07-18",
          SECRETARIAT),
    Route("api.report_summary", "GET",
          lambda c: f"/api/v1/reports/summary.docx?plan={c.plan_id}&from=2024-01-01&to=2024-06-30", SECRETARIAT),
]
