"""Alerts: subscriptions, the outbox (exactly-once delivery), messages and transports."""
