"""The domain model: records crossing to the outside world, periods, reporting rules, ports."""
