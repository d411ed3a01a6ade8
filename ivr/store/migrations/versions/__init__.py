"""One migration per change of the schema, named by its order (0001_..., 0002_...);
each names the one before it in down_revision."""
