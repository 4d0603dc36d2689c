"""The referral service's repositories, one per table family: the partner catalogue, the
projections of clients and consents, referrals, and the erasures asked of partners."""
