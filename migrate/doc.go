// Package migrate keeps a PostgreSQL schema in line with the models, the
// way Alembic does for SQLAlchemy: autogenerate compares the models'
// metadata with the live database and writes a Go migration file; a runner
// applies the files' revisions in order, and takes them back.
//
// # The command line
//
// A program of a few lines hands [Main] the models' metadata and the
// migrations package's [Set]:
//
//	package main
//
//	import (
//		"example.com/app/migrations"
//		"example.com/app/models"
//		"github.com/crucible-orm/crucible/migrate"
//	)
//
//	func main() { migrate.Main(models.Metadata(), migrations.Set) }
//
// and then:
//
//	go run ./cmd/migrate init migrations              # the package and its registry.go
//	go run ./cmd/migrate revision -autogenerate -m "create users"
//	go run ./cmd/migrate upgrade head
//	go run ./cmd/migrate downgrade -1
//	go run ./cmd/migrate current | heads | history | stamp REV | check
//	go run ./cmd/migrate sql upgrade head             # offline: print the SQL
//
// See [Run] for the commands, flags and exit codes (check exits 1 when the
// database is behind or differs from the models, for CI; run a built
// binary there, since go run turns every failure into 1, or read
// check -json, a [CheckReport]). Before the first init the migrations
// package does not exist yet: pass nil as the set.
//
// # Revisions and operations
//
// A migration file declares one [Revision]: an id, the revision below it
// (Down), a message, and Upgrade and Downgrade lists of [Op] values such as
// [CreateEnum], [CreateTable], [AddColumn], [AlterColumn], [DropColumn],
// [CreateIndex], [AddForeignKey], [AddEnumValue], [RecreateEnum],
// [RenameColumn], [Execute] (raw SQL) and [RunGo] (Go code, for data
// migrations). Ops are
// data: each has a Reverse, and ops that drop something carry it so the
// reverse is exact. An op that cannot be undone returns an
// *[IrreversibleError]; autogenerate then writes an [Irreversible] op as
// the downgrade, and the runner refuses to run it. The registry file of the
// package collects the revisions with [NewSet]; `revision` rewrites it.
// Nothing registers itself in init.
//
// # Autogenerate
//
// [Compare] diffs two metadata values, one comparator per object kind
// (schemas, tables, columns, primary keys, uniques, checks, indexes,
// foreign keys, enums), and orders the ops so that each finds what it
// needs: schemas and enum types before the tables using them, drops of
// foreign keys before the tables they point to, enum types and schemas
// dropped last. [Runner.Autogenerate] reads the search path's schema and
// the other schemas in play through the catalogs and pushes the models
// through scratch schemas in a rolled-back transaction, so both sides are
// compared in the server's own spelling: int4 and integer, now() and
// CURRENT_TIMESTAMP, '{}' and '{}'::text[] make no difference.
//
// A [Scope] ([WithScope], or the command line's scope flags) says which
// schemas, tables and types to compare, with name patterns and an object
// filter like Alembic's include_object. A table or enum type no model
// describes is dropped only when a revision of the set created it;
// otherwise it is left alone and listed in [Diff.Unmanaged], unless the
// scope says DropUnmanaged. [Runner.Baseline] writes the first revision of
// a database that exists: everything the models describe, to record with
// [Runner.Stamp]. Destructive ops ([Destructive])
// and ops that fail on a table with rows ([Caution]) are marked in the file
// and printed; a dropped and an added column of the same type become a
// [Hint] with the [RenameColumn] to use instead.
//
// # The runner
//
// A [Runner] upgrades, downgrades, stamps, reads the current revision and
// checks. It takes a PostgreSQL advisory lock (waiting at most the lock
// timeout, then [ErrLocked]), runs each revision in its own transaction
// together with the update of the version table, and refuses a broken
// chain (*[BrokenChainError]), a cycle or several heads
// (*[MultipleHeadsError]; write a merge revision with `migrate merge`).
// Ops PostgreSQL cannot run in a transaction (CREATE INDEX CONCURRENTLY,
// see [Transactional]) run on their own between the revision's
// transactions. [SQL] prints the same steps offline.
//
// This package imports schema and pgx; dialect/postgres only for its
// defaults (default.go: the renderer, the catalog reader, the lock), and
// never orm.
package migrate
