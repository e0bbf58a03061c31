"""What only the SQLite backend has: its file (faults, deletion, locks, crashes, upgrades from
a first-release file) and its tables read directly. `tests/storage/` itself is the contract
suite every backend passes, through the port and `verify` only."""
