"""Accounts and roles: users in the store with bcrypt hashes, login throttling, session rules.

``roles`` (who may do what), ``passwords`` (hashing and the password rules), ``throttle`` (slowing and
locking repeated failed logins, pure functions over an injected clock), ``sessions`` (when a login is
required, when an idle session ends) and ``users`` (the accounts in the store, every change audited).
No Streamlit here: ``ui.auth`` draws the login form over these functions, ``geo.cli.users`` the
command line.
"""
