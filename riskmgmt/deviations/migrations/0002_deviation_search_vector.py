"""Swedish full text on PostgreSQL: a stored tsvector kept current by a trigger, GIN-indexed
(ARCHITECTURE.md §7). Other databases search with icontains and get nothing here."""

from django.db import migrations

FORWARD = """
ALTER TABLE deviations_deviation ADD COLUMN search_vector tsvector;
CREATE INDEX deviation_search_vector_idx ON deviations_deviation USING GIN (search_vector);
CREATE FUNCTION deviations_deviation_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('pg_catalog.swedish', coalesce(NEW.reference, '') || ' ' || coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('pg_catalog.swedish', coalesce(NEW.description, '') || ' ' || coalesce(NEW.location, '')), 'B') ||
    setweight(to_tsvector('pg_catalog.swedish', coalesce(NEW.immediate_actions, '') || ' ' || coalesce(NEW.what_happened, '')
      || ' ' || coalesce(NEW.causes, '') || ' ' || coalesce(NEW.conclusion, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER deviations_deviation_search_trigger BEFORE INSERT OR UPDATE
  ON deviations_deviation FOR EACH ROW EXECUTE FUNCTION deviations_deviation_search_update();
UPDATE deviations_deviation SET id = id;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS deviations_deviation_search_trigger ON deviations_deviation;
DROP FUNCTION IF EXISTS deviations_deviation_search_update();
DROP INDEX IF EXISTS deviation_search_vector_idx;
ALTER TABLE deviations_deviation DROP COLUMN IF EXISTS search_vector;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("deviations", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
