"""The notifications service: email alerts to finance staff (contract.md section 3).

`service.py` (entrypoints), `bootstrap.py` (wiring, settings at start), `handlers/` (what
each entrypoint does), `domain/` (alerts, grouping and planning rules, message building),
`adapters/` (tables and stores, templates, SMTP), `views.py` (read queries), `migrations/`.

Every email exists as a delivery row before it is sent; sending changes only that row.
"""
