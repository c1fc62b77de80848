"""The schedule-lag evaluation's SQL: portable (PostgreSQL, SQLite >= 3.25), set-based.

Day numbers are ordinals (`date.toordinal()`); :d is the day evaluated and :y its year.
`REASONS_SQL` answers (proposal_id, province, year, source_fund, reason, n) per proposal and
reason, n a number the reason's detail quotes; `LAGGING_SQL` only counts the year's lagging
proposals per province and fund; `FIGURES_SQL` gives allocated, committed and disbursed per
province and fund as they stood on :d.
"""

# The proposals of the evaluated years that existed on :d and were neither closed (rejected or
# cancelled) nor settled by then. Day numbers are ordinals.
OPEN_ON_D = """year BETWEEN :y - 1 AND :y AND submitted_day <= :d
    AND (closed_day IS NULL OR closed_day > :d)
    AND (settled_day IS NULL OR settled_day > :d)"""

# One pass over each child table, restricted to the open proposals with a contract on :d,
# gathers what the reasons need per proposal (f); each branch then returns
# (proposal_id, province, year, source_fund, reason, detail number) from it. Portable SQL
# (PostgreSQL, SQLite >= 3.25): no correlated subquery and no Python loop per row.
REASONS_SQL = f"""
WITH p AS (
  SELECT proposal_id, province, year, source_fund, approved_day, signed_day, accepted_day,
         planned_start_day, planned_end_day
  FROM reporting_proposal WHERE {OPEN_ON_D}
),
progress AS (
  SELECT proposal_id, percent_complete, reported FROM (
    SELECT g.proposal_id, g.percent_complete,
           ROW_NUMBER() OVER (PARTITION BY g.proposal_id ORDER BY g.version DESC) AS nth,
           MAX(CASE WHEN g.as_of_day >= :month_start THEN 1 ELSE 0 END)
             OVER (PARTITION BY g.proposal_id) AS reported
    FROM reporting_progress g
    WHERE g.as_of_day <= :d AND g.proposal_id IN (
      SELECT proposal_id FROM reporting_proposal WHERE {OPEN_ON_D} AND signed_day <= :d)
  ) ranked WHERE nth = 1
),
due AS (
  SELECT s.proposal_id, MAX(s.due_total_vnd) AS tranches
  FROM reporting_schedule s
  WHERE s.kind = 'tranche' AND s.due_day < :d AND s.proposal_id IN (
    SELECT proposal_id FROM reporting_proposal WHERE {OPEN_ON_D} AND signed_day <= :d)
  GROUP BY s.proposal_id
),
paid AS (
  SELECT m.proposal_id, SUM(m.amount_vnd) AS disbursed
  FROM reporting_money m
  WHERE m.day <= :d AND m.kind = 'disbursed' AND m.proposal_id IN (
    SELECT proposal_id FROM reporting_proposal WHERE {OPEN_ON_D} AND signed_day <= :d)
  GROUP BY m.proposal_id
),
-- Recoverable support is repaid over years after settlement: its arrears are looked for in
-- every year's contracts not cancelled by the day evaluated, settled or not.
arrears AS (
  SELECT s.proposal_id, MAX(s.due_total_vnd) AS due
  FROM reporting_schedule s
  WHERE s.kind = 'repayment' AND s.due_day + :grace < :d
  GROUP BY s.proposal_id
),
repaid AS (
  SELECT m.proposal_id, SUM(m.amount_vnd) AS repaid
  FROM reporting_money m
  WHERE m.kind = 'repaid' AND m.day <= :d AND m.proposal_id IN (SELECT proposal_id FROM arrears)
  GROUP BY m.proposal_id
),
f AS (
  SELECT p.*, g.percent_complete, COALESCE(g.reported, 0) AS reported,
         due.tranches, COALESCE(paid.disbursed, 0) AS disbursed
  FROM p
  LEFT JOIN progress g ON g.proposal_id = p.proposal_id
  LEFT JOIN due ON due.proposal_id = p.proposal_id
  LEFT JOIN paid ON paid.proposal_id = p.proposal_id
)
SELECT proposal_id, province, year, source_fund, 'no_contract_30_days' AS reason,
       :d - approved_day AS n FROM f
  WHERE year = :y AND approved_day <= :d - :no_contract AND (signed_day IS NULL OR signed_day > :d)
UNION ALL
SELECT proposal_id, province, year, source_fund, 'progress_report_missing', :month_start FROM f
  WHERE year = :y AND signed_day <= :month_due AND (accepted_day IS NULL OR accepted_day > :d)
    AND reported = 0
UNION ALL
SELECT proposal_id, province, year, source_fund, 'progress_behind',
       CAST(COALESCE(percent_complete, 0) AS INTEGER) FROM f
  WHERE year = :y AND signed_day <= :d AND (accepted_day IS NULL OR accepted_day > :d)
    AND planned_end_day > planned_start_day AND planned_start_day < :d
    AND COALESCE(percent_complete, 0) + :gap <
        100.0 * (CASE WHEN :d > planned_end_day THEN planned_end_day ELSE :d END
                 - planned_start_day) / (planned_end_day - planned_start_day)
UNION ALL
SELECT proposal_id, province, year, source_fund, 'not_accepted_by_end', :d - planned_end_day
  FROM f WHERE year = :y AND planned_end_day < :d AND (accepted_day IS NULL OR accepted_day > :d)
UNION ALL
SELECT proposal_id, province, year, source_fund, 'tranche_overdue', 0 FROM f
  WHERE disbursed < tranches
UNION ALL
SELECT p.proposal_id, p.province, p.year, p.source_fund, 'repayment_overdue', 0
  FROM arrears a JOIN reporting_proposal p ON p.proposal_id = a.proposal_id
  LEFT JOIN repaid r ON r.proposal_id = a.proposal_id
  WHERE p.signed_day <= :d AND (p.closed_day IS NULL OR p.closed_day > :d)
    AND COALESCE(r.repaid, 0) < a.due
UNION ALL
SELECT proposal_id, province, year, source_fund, 'settlement_late', :d - accepted_day FROM f
  WHERE accepted_day <= :d - :settlement_days
UNION ALL
SELECT proposal_id, province, year, source_fund, 'year_end_unsettled', year FROM f
  WHERE year = :y - 1 AND signed_day <= :d AND :d > :year_end
"""

# Lagging proposals of the evaluated year per province and fund, without their reasons.
LAGGING_SQL = f"""
SELECT province, source_fund, COUNT(DISTINCT proposal_id) FROM ({REASONS_SQL}) r
WHERE year = :y GROUP BY province, source_fund
"""

FIGURES_SQL = """
WITH plans AS (
  SELECT pl.province, pl.source_fund, pl.amount_vnd, pl.approved_day FROM reporting_plan pl
  JOIN (SELECT province, source_fund, MAX(version) AS v FROM reporting_plan
        WHERE year = :y AND approved_day <= :d GROUP BY province, source_fund) m
    ON m.province = pl.province AND m.source_fund = pl.source_fund AND m.v = pl.version
  WHERE pl.year = :y
),
flows AS (
  SELECT province, source_fund,
    SUM(CASE WHEN kind = 'disbursed' THEN amount_vnd ELSE 0 END) AS disbursed,
    SUM(CASE WHEN kind = 'commitment' THEN amount_vnd
             WHEN kind = 'release' THEN -amount_vnd ELSE 0 END) AS committed,
    SUM(CASE WHEN kind = 'refund_due' THEN amount_vnd ELSE 0 END) AS refunded,
    SUM(CASE WHEN kind = 'owed' THEN amount_vnd ELSE 0 END) AS owed
  FROM reporting_money WHERE year = :y AND day <= :d GROUP BY province, source_fund
),
counts AS (
  SELECT province, source_fund, COUNT(*) AS proposals FROM reporting_proposal
  WHERE year = :y AND submitted_day <= :d AND (closed_day IS NULL OR closed_day > :d)
  GROUP BY province, source_fund
),
scope AS (
  SELECT province, source_fund FROM plans UNION SELECT province, source_fund FROM flows
  UNION SELECT province, source_fund FROM counts
)
SELECT s.province, s.source_fund, COALESCE(plans.amount_vnd, 0) AS allocated,
       plans.approved_day AS plan_day,
       COALESCE(flows.committed, 0) AS committed, COALESCE(flows.disbursed, 0) AS disbursed,
       COALESCE(counts.proposals, 0) AS proposals,
       COALESCE(flows.refunded, 0) AS refunded, COALESCE(flows.owed, 0) AS owed
FROM scope s
LEFT JOIN plans ON plans.province = s.province AND plans.source_fund = s.source_fund
LEFT JOIN flows ON flows.province = s.province AND flows.source_fund = s.source_fund
LEFT JOIN counts ON counts.province = s.province AND counts.source_fund = s.source_fund
"""
