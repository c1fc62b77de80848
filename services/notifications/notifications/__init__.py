"""The notifications service: email alerts to finance staff (contract.md section 3)."""
