"""What operators watch: Prometheus metrics and structured logs (the lowest layer above config,
so every stage can count what it does)."""
