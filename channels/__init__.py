"""Rasa adapters for the outside world: the input channels (REST with verified identity, the website
widget's socket.io channel, Microsoft Teams), registered in credentials.yml by their module paths, and
the small server for the page with the widget (`python -m channels.web`).

These import Rasa and Sanic; `bot/` (the domain) imports neither.
"""
