"""The forecast's SQL: what each province and fund of a year had outstanding on a day, by kind,
and (for earlier years) what of each kind was paid between that day and a horizon.

Portable (PostgreSQL, SQLite): day numbers are ordinals, no GREATEST/LEAST (CASE instead).
:y the year, :d the day the forecast is made, :t the horizon (31 December or the settlement
deadline of the next January). A proposal is, on :d, `closed` (rejected or cancelled),
`contracted`, `pending` (approved, no contract yet) or `new` (not approved, or not yet filed).
For a contract: `overdue` is what its tranches had due before :d and was not paid, `scheduled`
what falls due from :d to :t, `later` the rest of the contract. What was paid from :d to :t
(`gain`) is counted against overdue first, then scheduled, then later.
"""

OUTSTANDING_SQL = """
WITH paid AS (
  SELECT proposal_id,
    SUM(CASE WHEN day <= :d THEN amount_vnd ELSE 0 END) AS paid_d,
    SUM(CASE WHEN day <= :t THEN amount_vnd ELSE 0 END) AS paid_t
  FROM reporting_money WHERE year = :y AND kind = 'disbursed' GROUP BY proposal_id
),
due AS (
  SELECT s.proposal_id,
    MAX(CASE WHEN s.due_day < :d THEN s.due_total_vnd ELSE 0 END) AS due_d,
    MAX(CASE WHEN s.due_day <= :t THEN s.due_total_vnd ELSE 0 END) AS due_t
  FROM reporting_schedule s
  WHERE s.kind = 'tranche'
    AND s.proposal_id IN (SELECT proposal_id FROM reporting_proposal WHERE year = :y)
  GROUP BY s.proposal_id
),
f AS (
  SELECT p.province, p.source_fund,
    CASE WHEN p.closed_day <= :d THEN 'closed'
         WHEN p.signed_day <= :d THEN 'contracted'
         WHEN p.approved_day <= :d THEN 'pending'
         ELSE 'new' END AS stage,
    COALESCE(p.contract_vnd, 0) AS contract, COALESCE(p.approved_vnd, 0) AS approved,
    COALESCE(paid.paid_d, 0) AS paid_d, COALESCE(paid.paid_t, 0) - COALESCE(paid.paid_d, 0) AS gain,
    COALESCE(due.due_d, 0) AS due_d, COALESCE(due.due_t, 0) AS due_t
  FROM reporting_proposal p
  LEFT JOIN paid ON paid.proposal_id = p.proposal_id
  LEFT JOIN due ON due.proposal_id = p.proposal_id
  WHERE p.year = :y
),
c AS (
  SELECT f.*,
    CASE WHEN due_d > paid_d THEN due_d ELSE paid_d END AS covered
  FROM f
),
b AS (
  SELECT c.*,
    CASE WHEN stage = 'contracted' AND due_d > paid_d THEN due_d - paid_d ELSE 0 END AS overdue,
    CASE WHEN stage = 'contracted' AND due_t > covered THEN due_t - covered ELSE 0 END
      AS scheduled,
    CASE WHEN stage = 'contracted' AND contract > (CASE WHEN due_t > covered THEN due_t
                                                        ELSE covered END)
         THEN contract - (CASE WHEN due_t > covered THEN due_t ELSE covered END) ELSE 0 END
      AS later,
    CASE WHEN stage = 'pending' THEN approved ELSE 0 END AS pending
  FROM c
),
g AS (
  SELECT b.*, CASE WHEN gain < overdue THEN gain ELSE overdue END AS g_overdue FROM b
),
h AS (
  SELECT g.*,
    CASE WHEN gain - g_overdue < scheduled THEN gain - g_overdue ELSE scheduled END
      AS g_scheduled
  FROM g
)
SELECT province, source_fund,
  SUM(paid_d) AS disbursed, SUM(overdue) AS overdue, SUM(scheduled) AS scheduled,
  SUM(later) AS later, SUM(pending) AS pending,
  SUM(CASE WHEN stage = 'contracted' THEN g_overdue ELSE 0 END) AS g_overdue,
  SUM(CASE WHEN stage = 'contracted' THEN g_scheduled ELSE 0 END) AS g_scheduled,
  SUM(CASE WHEN stage = 'contracted' THEN gain - g_overdue - g_scheduled ELSE 0 END) AS g_later,
  SUM(CASE WHEN stage = 'pending' THEN gain ELSE 0 END) AS g_pending,
  SUM(CASE WHEN stage IN ('new', 'closed') THEN gain ELSE 0 END) AS g_new
FROM h GROUP BY province, source_fund
"""

# The plan in force on :d per province and fund of year :y (its latest version by then).
PLAN_SQL = """
SELECT pl.province, pl.source_fund, pl.amount_vnd FROM reporting_plan pl
JOIN (SELECT province, source_fund, MAX(version) AS v FROM reporting_plan
      WHERE year = :y AND approved_day <= :d GROUP BY province, source_fund) m
  ON m.province = pl.province AND m.source_fund = pl.source_fund AND m.v = pl.version
WHERE pl.year = :y
"""
