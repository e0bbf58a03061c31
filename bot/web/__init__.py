"""Public, read-only web pages of servers that opted in (`/settings set public_page:true`).

`public` holds the aiohttp routes and reads the ledger only through its port; `people` turns the
bot's member cache into display names and avatars (members who left and bots are hidden)."""
