"""The store: tables and migrations, the Store interface, and audited batch writes."""
