"""The disbursement service: plans, commitments, payments, settlement, recoverable support."""
