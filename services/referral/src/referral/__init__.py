"""Referrals to licensed banks and fintechs, and the partner contract."""
