"""Stub; models are being written."""
