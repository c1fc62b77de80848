"""The application functions: each takes plain values (a session, the `Mail` of the service,
the time now), never a nameko object.

    alerting.apply_events       (ingest)  events -> alerts; the province's group becomes due
    due_groups.flush            (timer)   due groups -> planned emails (delivery rows), notices
    deliveries.send_due         (timer)   pending deliveries -> SMTP, with retries
    daily_digest.queue_digests  (timer)   once a day, a digest per recipient who wants one
    commands                    (HTTP)    recipients and silences; the recipients file
"""
