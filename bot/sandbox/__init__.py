"""Trying giftcord without Discord: the local Discord stand-in and what runs on top of it.

`standin` is a small Discord (REST, gateway, interactions) that the real discord.py client
connects to. The tests, the benchmarks and `python -m bot sandbox` all use this one copy.
"""
