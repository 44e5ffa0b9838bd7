"""Channel connectors (these import Rasa; the rest of `bot/` does not)."""
