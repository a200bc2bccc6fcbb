"""The store's taxonomy: the base categories and the area's own (``offences`` table, group names in meta).

A store made by an earlier version lacks the base categories added since; they are part of its
taxonomy all the same (the base is always the bottom layer). An area's own categories are added by
`save_taxonomy` and kept: incidents may carry their codes, so a category is never taken away.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.io.taxonomy_file import TaxonomyImport
from geo.store import audit
from geo.store.schema import Tables, bump_revision, json_object, meta_value
from geo.taxonomy import Offence, Taxonomy, activate, base

if TYPE_CHECKING:
    from geo.store.store import Store

GROUPS_KEY = "offence_groups"
"""Meta key of the area's own groups: JSON ``{code: [name_vi, name_en]}``."""


def taxonomy_in(conn: Connection, tables: Tables) -> Taxonomy:
    """Return the store's taxonomy as seen inside ``conn``: the base, then the area's own categories."""
    t = tables.offences
    rows = conn.execute(sa.select(t.c.code, t.c.offence_group, t.c.name_vi, t.c.name_en, t.c.article)).all()
    offences = [Offence(str(c), str(g), str(vi), str(en), str(a or "")) for c, g, vi, en, a in rows]
    groups = _groups(meta_value(conn, tables, GROUPS_KEY))
    for offence in offences:
        groups.setdefault(offence.group, (offence.group, offence.group))
    return base().extended(offences, groups)


def _groups(raw: str | None) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for code, names in json_object(raw).items():
        if isinstance(names, list) and len(names) == 2:
            out[str(code)] = (str(names[0]), str(names[1]))
    return out


def save_taxonomy(store: Store, found: TaxonomyImport, *, user: str = "") -> int:
    """Add the categories of a taxonomy file to the store (one transaction, audited); return how many.

    The file was read against this store's taxonomy (``read_taxonomy_file(current=store.taxonomy())``);
    a category another import added meanwhile is skipped, not doubled. The store's taxonomy becomes
    the active one.
    """
    with store.engine.begin() as conn:
        current = taxonomy_in(conn, store.tables)
        known = {o.code for o in current.offences}
        added = [o for o in found.offences if o.code not in known]
        if added:
            conn.execute(
                store.tables.offences.insert(),
                [
                    {
                        "code": o.code,
                        "offence_group": o.group,
                        "name_vi": o.name_vi,
                        "name_en": o.name_en,
                        "article": o.article,
                    }
                    for o in added
                ],
            )
        new_groups = {g: n for g, n in found.groups.items() if g not in current.groups}
        if new_groups:
            saved = _groups(meta_value(conn, store.tables, GROUPS_KEY)) | new_groups
            text = json.dumps({g: list(n) for g, n in saved.items()}, ensure_ascii=False, sort_keys=True)
            store.set_meta(conn, GROUPS_KEY, text)
        if added or new_groups:
            audit.write(
                conn,
                store.tables,
                user=user,
                action="taxonomy",
                detail={
                    "file": found.file,
                    "offences": [o.code for o in added],
                    "groups": sorted(new_groups),
                },
            )
            bump_revision(conn, store.tables)
        taxonomy = taxonomy_in(conn, store.tables)
    activate(taxonomy)
    return len(added)
