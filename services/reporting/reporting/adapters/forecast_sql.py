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

# Several years in one pass (`outstanding_sql`): each proposal carries its own year's :d and
# both horizons (:t0 31 December, :t1 the settlement deadline), so that the payments, the
# tranches and the proposals are each read once, for the years asked only, and each sum comes
# out per year, province and fund for both horizons at once. `{d}`, `{t0}`, `{t1}` are
# replaced by `CASE <year> WHEN :y0 THEN :d0 ... END` over the years asked (`{years}` their
# list). Only a contract's money needs a proposal's own figures (what is overdue is what its
# tranches had due less what it was paid); the due tranches are read for those alone.
_OUTSTANDING = """
WITH p AS (
  SELECT p.proposal_id, p.year, p.province, p.source_fund,
    CASE WHEN p.closed_day <= {pd} THEN 'closed'
         WHEN p.signed_day <= {pd} THEN 'contracted'
         WHEN p.approved_day <= {pd} THEN 'pending'
         ELSE 'new' END AS stage,
    COALESCE(p.contract_vnd, 0) AS contract, COALESCE(p.approved_vnd, 0) AS approved
  FROM reporting_proposal p WHERE p.year IN ({years})
),
paid AS (
  SELECT m.proposal_id, m.year,
    SUM(CASE WHEN m.day <= {md} THEN m.amount_vnd ELSE 0 END) AS paid_d,
    SUM(CASE WHEN m.day <= {mt0} THEN m.amount_vnd ELSE 0 END) AS paid_0,
    SUM(CASE WHEN m.day <= {mt1} THEN m.amount_vnd ELSE 0 END) AS paid_1
  FROM reporting_money m WHERE m.kind = 'disbursed' AND m.year IN ({years})
  GROUP BY m.proposal_id, m.year
),
due AS (
  SELECT s.proposal_id,
    MAX(CASE WHEN s.due_day < {cd} THEN s.due_total_vnd ELSE 0 END) AS due_d,
    MAX(CASE WHEN s.due_day <= {ct0} THEN s.due_total_vnd ELSE 0 END) AS due_0,
    MAX(CASE WHEN s.due_day <= {ct1} THEN s.due_total_vnd ELSE 0 END) AS due_1
  FROM reporting_schedule s JOIN reporting_proposal c ON c.proposal_id = s.proposal_id
  WHERE s.kind = 'tranche' AND c.year IN ({years}) AND c.signed_day <= {cd}
    AND (c.closed_day IS NULL OR c.closed_day > {cd})
  GROUP BY s.proposal_id
),
f AS (
  SELECT p.year, p.province, p.source_fund, p.stage, p.contract, p.approved,
    COALESCE(paid.paid_d, 0) AS paid_d,
    COALESCE(paid.paid_0, 0) - COALESCE(paid.paid_d, 0) AS gain_0,
    COALESCE(paid.paid_1, 0) - COALESCE(paid.paid_d, 0) AS gain_1,
    COALESCE(due.due_d, 0) AS due_d, COALESCE(due.due_0, 0) AS due_0,
    COALESCE(due.due_1, 0) AS due_1
  FROM p
  LEFT JOIN paid ON paid.proposal_id = p.proposal_id AND paid.year = p.year
  LEFT JOIN due ON due.proposal_id = p.proposal_id
),
c AS (
  SELECT f.*, CASE WHEN due_d > paid_d THEN due_d ELSE paid_d END AS covered FROM f
),
b AS (
  SELECT c.*,
    CASE WHEN stage = 'contracted' AND due_d > paid_d THEN due_d - paid_d ELSE 0 END AS overdue,
    CASE WHEN due_0 > covered THEN due_0 ELSE covered END AS reach_0,
    CASE WHEN due_1 > covered THEN due_1 ELSE covered END AS reach_1,
    CASE WHEN stage = 'pending' THEN approved ELSE 0 END AS pending
  FROM c
),
s AS (
  SELECT b.*,
    CASE WHEN stage = 'contracted' THEN reach_0 - covered ELSE 0 END AS scheduled_0,
    CASE WHEN stage = 'contracted' THEN reach_1 - covered ELSE 0 END AS scheduled_1,
    CASE WHEN stage = 'contracted' AND contract > reach_0 THEN contract - reach_0 ELSE 0 END
      AS later_0,
    CASE WHEN stage = 'contracted' AND contract > reach_1 THEN contract - reach_1 ELSE 0 END
      AS later_1,
    CASE WHEN gain_0 < overdue THEN gain_0 ELSE overdue END AS g_overdue_0,
    CASE WHEN gain_1 < overdue THEN gain_1 ELSE overdue END AS g_overdue_1
  FROM b
),
h AS (
  SELECT s.*,
    CASE WHEN gain_0 - g_overdue_0 < scheduled_0 THEN gain_0 - g_overdue_0 ELSE scheduled_0 END
      AS g_scheduled_0,
    CASE WHEN gain_1 - g_overdue_1 < scheduled_1 THEN gain_1 - g_overdue_1 ELSE scheduled_1 END
      AS g_scheduled_1
  FROM s
)
SELECT year, province, source_fund,
  SUM(paid_d) AS disbursed, SUM(overdue) AS overdue, SUM(pending) AS pending,
  {per_horizon}
FROM h GROUP BY year, province, source_fund
"""

_PER_HORIZON = """SUM(scheduled_{h}) AS scheduled_{h}, SUM(later_{h}) AS later_{h},
  SUM(CASE WHEN stage = 'contracted' THEN g_overdue_{h} ELSE 0 END) AS g_overdue_{h},
  SUM(CASE WHEN stage = 'contracted' THEN g_scheduled_{h} ELSE 0 END) AS g_scheduled_{h},
  SUM(CASE WHEN stage = 'contracted' THEN gain_{h} - g_overdue_{h} - g_scheduled_{h} ELSE 0 END)
    AS g_later_{h},
  SUM(CASE WHEN stage = 'pending' THEN gain_{h} ELSE 0 END) AS g_pending_{h},
  SUM(CASE WHEN stage IN ('new', 'closed') THEN gain_{h} ELSE 0 END) AS g_new_{h}"""


def outstanding_sql(years: int) -> str:
    """The outstanding money of `years` years at once, bound as :y<i> (the year), :d<i> (its
    day), :t0_<i> and :t1_<i> (its two horizons): one row per year, province and fund."""

    def by_year(column: str, param: str) -> str:
        whens = " ".join(f"WHEN :y{i} THEN :{param}{i}" for i in range(years))
        return f"(CASE {column} {whens} END)"

    return _OUTSTANDING.format(
        years=", ".join(f":y{i}" for i in range(years)),
        pd=by_year("p.year", "d"),
        md=by_year("m.year", "d"),
        mt0=by_year("m.year", "t0_"),
        mt1=by_year("m.year", "t1_"),
        cd=by_year("c.year", "d"),
        ct0=by_year("c.year", "t0_"),
        ct1=by_year("c.year", "t1_"),
        per_horizon=",\n  ".join(_PER_HORIZON.format(h=h) for h in (0, 1)),
    )


# The plan in force on :d per province and fund of year :y (its latest version by then).
PLAN_SQL = """
SELECT pl.province, pl.source_fund, pl.amount_vnd FROM reporting_plan pl
JOIN (SELECT province, source_fund, MAX(version) AS v FROM reporting_plan
      WHERE year = :y AND approved_day <= :d GROUP BY province, source_fund) m
  ON m.province = pl.province AND m.source_fund = pl.source_fund AND m.v = pl.version
WHERE pl.year = :y
"""
