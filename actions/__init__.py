"""Rasa SDK actions: thin adapters that parse the tracker, call `bot/` and render."""

from .server import install

install()  # `rasa run actions` keeps the slot helpdesk_offered up to date as our own start does
