"""Ministry indicators: an aggregate read model of client, referral and training events."""
