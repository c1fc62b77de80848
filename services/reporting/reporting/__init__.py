"""The reporting service: projections, schedule-lag warnings, reports, business metrics."""
