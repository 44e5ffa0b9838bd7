"""Rasa SDK actions: thin adapters that parse the tracker, call `bot/` and render."""
