"""The ingest consumer: lifecycle events from `grantflow.lifecycle` into a service, in batches.

One durable queue per service, bound for the routing keys it handles. Messages are validated
here; the valid ones of a batch are handed to one worker that applies them in one database
transaction. Only then is each message disposed of: acked when applied (or a duplicate), sent to a
delay queue when early (inside the retry window), or dead-lettered, body unchanged, with
`x-error-code` and `x-error-detail`. A message is acked only after its retry or dead letter is
confirmed by the broker, so nothing is lost; a crash before that redelivers it, and the inbox
makes the second delivery a duplicate.

- `consumer`: the core and its entrypoints (`lifecycle_ingest`, `domain_event_ingest`,
  `dead_letter_ingest`): their queues, reconnecting, and the consume
  loop that gathers messages into batches;
- `dispositions`: a batch applied by one worker, then each message acked, retried or
  dead-lettered;
- `rerouting`: a message republished, confirmed, to a delay queue or to the dead letters;
- `dead_letters`: what a dead letter carries into its headers and the audit trail;
- `raw_message`: a message handed over unparsed (the dead-letter store wants them so).
"""

from grantflow.ingest.consumer import (
    DeadLetterIngest,
    DomainEventIngest,
    Ingest,
    LifecycleIngest,
    dead_letter_ingest,
    domain_event_ingest,
    lifecycle_ingest,
)
from grantflow.ingest.raw_message import RawMessage

__all__ = [
    "DeadLetterIngest",
    "DomainEventIngest",
    "Ingest",
    "LifecycleIngest",
    "RawMessage",
    "dead_letter_ingest",
    "domain_event_ingest",
    "lifecycle_ingest",
]
