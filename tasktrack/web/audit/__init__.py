"""The secretariat's reader of the audit trail: /admin/audit and its CSV."""
