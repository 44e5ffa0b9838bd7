"""Registerwijzer's domain: the register's rules, the leaders' progress, helpdesk triage.

Plain Python, importable without Rasa (channel connectors excepted).
"""
