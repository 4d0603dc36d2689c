"""Notifications over SMS, WhatsApp and email."""
