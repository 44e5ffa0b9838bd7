"""Rasa graph components of our own (NLU pipeline). Plain logic lives in `bot/`."""
