#!/usr/bin/env bash
# Adds one job store migration for both providers, from the change you made to JobsDbContext's model:
#   scripts/add-migration.sh AddJobsDueIndex
# then review the two generated files, add a row to README's migration table, and commit.
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh MigrationName   (PascalCase, saying what it changes)}
cd "$(dirname "$0")/.."
project=services/HeadShotEvents.Service
migrations=$project/Jobs/Migrations

dotnet tool restore >/dev/null
dotnet build "$project" -nologo -v q
for provider in Postgres Sqlite; do
  dotnet ef migrations add "$name" --no-build --project "$project" \
    --context "${provider}JobsDbContext" --output-dir "Jobs/Migrations/$provider"
done

# One id for both providers (they are made a second or two apart), so the history reads the same on either.
postgres_id=$(basename "$(ls "$migrations"/Postgres/*_"$name".cs | grep -v Designer)" .cs)
sqlite_id=$(basename "$(ls "$migrations"/Sqlite/*_"$name".cs | grep -v Designer)" .cs)
if [ "$postgres_id" != "$sqlite_id" ]; then
  for suffix in .cs .Designer.cs; do
    mv "$migrations/Sqlite/$sqlite_id$suffix" "$migrations/Sqlite/$postgres_id$suffix"
  done
  sed -i "s/$sqlite_id/$postgres_id/" "$migrations/Sqlite/$postgres_id.Designer.cs"
fi

dotnet build "$project" -nologo -v q
for provider in Postgres Sqlite; do
  dotnet ef migrations has-pending-model-changes --no-build --project "$project" --context "${provider}JobsDbContext"
done
echo "Added $postgres_id for PostgreSQL and SQLite. Keep it additive (see README, \"Upgrading\"), add its row to README's table, commit."
