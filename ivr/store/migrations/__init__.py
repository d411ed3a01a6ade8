"""The database's migrations (Alembic): env.py and versions/, one file per change of
schema, applied in order by `ivr db upgrade` (ivr.store.db.upgrade). Shipped inside
the package so a deployment needs no alembic.ini."""
