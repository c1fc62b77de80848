"""The notifications service: email alerts to finance staff (contract.md section 3).

    alerting.apply_events       (ingest)  events -> alerts; the province's group becomes due
    due_groups.flush            (timer)   due groups -> planned emails (delivery rows), notices
    deliveries.send_due         (timer)   pending deliveries -> SMTP, with retries
    daily_digest.queue_digests  (timer)   once a day, a digest per recipient who wants one

Every email exists as a delivery row before it is sent; sending changes only that row.
"""
