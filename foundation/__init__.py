"""Shared foundations below every domain package: the database, typed errors, the actor, the audit chain.

Data flows one way: ``foundation ◄ taxonomy ◄ assessment ◄ matching ◄ service``.
"""
