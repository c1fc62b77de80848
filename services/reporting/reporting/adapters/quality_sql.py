"""The data-quality score's SQL, per stored province code of a year as of a day (:y, :d), the
month whose progress report is due (:month_start, :month_due) as the lag evaluation reads it."""

PROPOSALS_SQL = """
SELECT p.province, COUNT(*) AS proposals,
  SUM(CASE WHEN p.has_beneficiary = 0 THEN 1 ELSE 0 END) AS without_beneficiary,
  SUM(CASE WHEN owes = 1 THEN 1 ELSE 0 END) AS reports_due,
  SUM(CASE WHEN owes = 1 AND NOT EXISTS (
        SELECT 1 FROM reporting_progress g WHERE g.proposal_id = p.proposal_id
        AND g.as_of_day >= :month_start AND g.as_of_day <= :d) THEN 1 ELSE 0 END)
    AS reports_missing
FROM (
  SELECT q.*, CASE WHEN q.signed_day <= :month_due
      AND (q.accepted_day IS NULL OR q.accepted_day > :d)
      AND (q.closed_day IS NULL OR q.closed_day > :d) THEN 1 ELSE 0 END AS owes
  FROM reporting_proposal q WHERE q.year = :y AND q.submitted_day <= :d
) p
GROUP BY p.province
"""

ARRIVALS_SQL = """
SELECT province, COUNT(DISTINCT proposal_id) FROM reporting_arrival WHERE year = :y
GROUP BY province
"""

# Dead letters not re-driven: their bodies name a province, or a proposal whose it is.
DEAD_SQL = "SELECT body FROM reporting_dead_letter WHERE redriven_at IS NULL"
PROPOSAL_SCOPE_SQL = "SELECT province, year FROM reporting_proposal WHERE proposal_id = :pid"
