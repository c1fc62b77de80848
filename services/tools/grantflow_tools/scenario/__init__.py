"""The 2016 southern-region scenario: the conference report's figures, replayed as events.

A seeded, deterministic generator of contract.md lifecycle events for the 20 provinces and
cities of the south (reference grouping `south_2016`: the Southeast, the Mekong Delta and
Lâm Đồng) in 2015 and 2016, up to 30/06/2016. Its plans total exactly what the report says
(2016: 65.54 billion, +1.83% on 64.36; national 28.657 billion, -2.18%; local 36.883 billion
from 20 of 20 provinces, +5.18%; the report truncates to 0.1 billion), and its proposals'
progress gives the first half's outputs: 331 trainees (19.2% of 1,724 planned), 369 people
trained in management, 5 demonstration models, 59 establishments with machinery and 128
("nearly 130") trade-fair participations. Four provinces are plausibly behind: approved
proposals still without a contract, progress reports late, little disbursed.

    python -m grantflow_tools.scenario > var/south-2016.jsonl

- `report`: what the report says (plans, outputs, the provinces behind);
- `events`: the CloudEvent envelope and who sends what;
- `proposals`: the proposals that produce the report's outputs, and the others;
- `lifecycle`: one proposal's events, as far as its stage has gone by 30/06/2016;
- `generator`: every event of the scenario, in order (`build`);
- `comparison`: the report's figures beside what grantflow computed (`compare`).
"""

from grantflow.reference.conference_2016 import compare
from grantflow_tools.scenario.report import AS_OF, LAGGING, REGION

__all__ = ["AS_OF", "LAGGING", "REGION", "compare"]
