"""Trying giftcord without Discord: the local Discord stand-in and what runs on top of it.

`standin` is a small Discord (REST, gateway, interactions) that the real discord.py client
connects to. The tests, the benchmarks and `python -m bot sandbox` all use this one copy.
`app` runs the sandbox (the stand-in, the bot and the web page in one process), `web` serves the
browser client, `views` turns the stand-in's messages into what the page shows, and
`commandline` reads the page's slash-command box the way Discord's client reads it.
"""
