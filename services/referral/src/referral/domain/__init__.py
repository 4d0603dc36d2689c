"""Plain-Python rules of referrals: the catalogue, eligibility, the lifecycle, the offer."""
