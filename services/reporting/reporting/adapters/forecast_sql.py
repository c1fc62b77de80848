"""The forecast's SQL: what each province and fund of a year had outstanding on a day, by kind,
and (for earlier years) what of each kind was paid between that day and a horizon.

Portable (PostgreSQL, SQLite): day numbers are ordinals; GREATEST/LEAST are MAX/MIN on SQLite.
:y the year, :d the day the forecast is made, :t the horizon (31 December or the settlement
deadline of the next January). A proposal is, on :d, `closed` (rejected or cancelled),
`contracted`, `pending` (approved, no contract yet) or `new` (not approved, or not yet filed).
For a contract: `overdue` is what its tranches had due before :d and was not paid, `scheduled`
what falls due from :d to :t, `later` the rest of the contract. What was paid from :d to :t
(`gain`) is counted against overdue first, then scheduled, then later.
"""

# Several years in one pass (`outstanding_sql`): each proposal carries its own year's :d and
# both horizons (:t0 31 December, :t1 the settlement deadline), so that the payments, the
# tranches and the proposals are each read once, for the years asked only, and every sum comes
# out per year, province and fund for both horizons at once. A contract's money needs its own
# figures, worked out once per proposal in `f`: `r` (covered) is the larger of what its
# tranches had due before :d and what it was paid by then, `q_<h>` the larger of that and what
# falls due by horizon h. Then, summed over contracts, overdue is r - paid, scheduled
# q - r, later contract - q (when more), and what was paid from :d to the horizon (`gain`)
# goes to overdue first (the smaller of gain and r - paid), then scheduled (the smaller of gain
# and q - paid, less that), then later (the rest): the rules above, in closed form.
# `{fence}` keeps `f` a subquery of its own (PostgreSQL would otherwise write each of its
# columns out again wherever the sums use it); `{greatest}`, `{least}` are the dialect's.
_OUTSTANDING = """
SELECT year, province, source_fund,
  SUM(paid_d) AS disbursed,
  SUM(CASE WHEN stage = 'contracted' THEN r - paid_d ELSE 0 END) AS overdue,
  SUM(CASE WHEN stage = 'pending' THEN approved ELSE 0 END) AS pending,
  {per_horizon}
FROM (
  SELECT p.year, p.province, p.source_fund, p.stage, p.contract, p.approved,
    COALESCE(paid.paid_d, 0) AS paid_d,
    COALESCE(paid.paid_0, 0) - COALESCE(paid.paid_d, 0) AS gain_0,
    COALESCE(paid.paid_1, 0) - COALESCE(paid.paid_d, 0) AS gain_1,
    {greatest}(COALESCE(due.due_d, 0), COALESCE(paid.paid_d, 0)) AS r,
    {greatest}(COALESCE(due.due_0, 0), COALESCE(due.due_d, 0), COALESCE(paid.paid_d, 0)) AS q_0,
    {greatest}(COALESCE(due.due_1, 0), COALESCE(due.due_d, 0), COALESCE(paid.paid_d, 0)) AS q_1
  FROM (
    SELECT p.proposal_id, p.year, p.province, p.source_fund,
      CASE WHEN p.closed_day <= {pd} THEN 'closed'
           WHEN p.signed_day <= {pd} THEN 'contracted'
           WHEN p.approved_day <= {pd} THEN 'pending'
           ELSE 'new' END AS stage,
      COALESCE(p.contract_vnd, 0) AS contract, COALESCE(p.approved_vnd, 0) AS approved
    FROM reporting_proposal p WHERE p.year IN ({years})
  ) p
  LEFT JOIN (
    SELECT m.proposal_id, m.year,
      SUM(CASE WHEN m.day <= {md} THEN m.amount_vnd ELSE 0 END) AS paid_d,
      SUM(CASE WHEN m.day <= {mt0} THEN m.amount_vnd ELSE 0 END) AS paid_0,
      SUM(CASE WHEN m.day <= {mt1} THEN m.amount_vnd ELSE 0 END) AS paid_1
    FROM reporting_money m WHERE m.kind = 'disbursed' AND m.year IN ({years})
    GROUP BY m.proposal_id, m.year
  ) paid ON paid.proposal_id = p.proposal_id AND paid.year = p.year
  LEFT JOIN (
    SELECT s.proposal_id,
      MAX(CASE WHEN s.due_day < {cd} THEN s.due_total_vnd ELSE 0 END) AS due_d,
      MAX(CASE WHEN s.due_day <= {ct0} THEN s.due_total_vnd ELSE 0 END) AS due_0,
      MAX(CASE WHEN s.due_day <= {ct1} THEN s.due_total_vnd ELSE 0 END) AS due_1
    FROM reporting_schedule s JOIN reporting_proposal c ON c.proposal_id = s.proposal_id
    WHERE s.kind = 'tranche' AND c.year IN ({years}) AND c.signed_day <= {cd}
      AND (c.closed_day IS NULL OR c.closed_day > {cd})
    GROUP BY s.proposal_id
  ) due ON due.proposal_id = p.proposal_id{fence}
) f
GROUP BY year, province, source_fund
"""

_PER_HORIZON = """SUM(CASE WHEN stage = 'contracted' THEN q_{h} - r ELSE 0 END) AS scheduled_{h},
  SUM(CASE WHEN stage = 'contracted' AND contract > q_{h} THEN contract - q_{h} ELSE 0 END)
    AS later_{h},
  SUM(CASE WHEN stage = 'contracted' THEN {least}(gain_{h}, r - paid_d) ELSE 0 END)
    AS g_overdue_{h},
  SUM(CASE WHEN stage = 'contracted'
      THEN {least}(gain_{h}, q_{h} - paid_d) - {least}(gain_{h}, r - paid_d) ELSE 0 END)
    AS g_scheduled_{h},
  SUM(CASE WHEN stage = 'contracted' THEN gain_{h} - {least}(gain_{h}, q_{h} - paid_d) ELSE 0 END)
    AS g_later_{h},
  SUM(CASE WHEN stage = 'pending' THEN gain_{h} ELSE 0 END) AS g_pending_{h},
  SUM(CASE WHEN stage IN ('new', 'closed') THEN gain_{h} ELSE 0 END) AS g_new_{h}"""


def outstanding_sql(years: int, postgres: bool) -> str:
    """The outstanding money of `years` years at once, bound as :y<i> (the year), :d<i> (its
    day), :t0_<i> and :t1_<i> (its two horizons): one row per year, province and fund."""

    def by_year(column: str, param: str) -> str:
        whens = " ".join(f"WHEN :y{i} THEN :{param}{i}" for i in range(years))
        return f"(CASE {column} {whens} END)"

    least = "LEAST" if postgres else "MIN"
    return _OUTSTANDING.format(
        years=", ".join(f":y{i}" for i in range(years)),
        pd=by_year("p.year", "d"),
        md=by_year("m.year", "d"),
        mt0=by_year("m.year", "t0_"),
        mt1=by_year("m.year", "t1_"),
        cd=by_year("c.year", "d"),
        ct0=by_year("c.year", "t0_"),
        ct1=by_year("c.year", "t1_"),
        greatest="GREATEST" if postgres else "MAX",
        fence=" OFFSET 0" if postgres else "",
        per_horizon=",\n  ".join(_PER_HORIZON.format(h=h, least=least) for h in (0, 1)),
    )


# The plan in force on :d per province and fund of year :y (its latest version by then).
PLAN_SQL = """
SELECT pl.province, pl.source_fund, pl.amount_vnd FROM reporting_plan pl
JOIN (SELECT province, source_fund, MAX(version) AS v FROM reporting_plan
      WHERE year = :y AND approved_day <= :d GROUP BY province, source_fund) m
  ON m.province = pl.province AND m.source_fund = pl.source_fund AND m.v = pl.version
WHERE pl.year = :y
"""
