// Package storetest gives tests a fresh, migrated database: a SQLite file, and
// when TRIBUNE_TEST_POSTGRES is set, a PostgreSQL schema of its own too.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/tribune-act/tribune/pkg/store"
)

// PostgresEnv names the PostgreSQL server tests may use, such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "TRIBUNE_TEST_POSTGRES"

// Backend is one kind of database a test runs on.
type Backend struct {
	Name string
	// DSN returns the address of a fresh, empty database for one test.
	DSN func(t testing.TB) string
}

// Backends lists SQLite, and PostgreSQL when TRIBUNE_TEST_POSTGRES is set.
func Backends() []Backend {
	bs := []Backend{{Name: "sqlite", DSN: func(t testing.TB) string {
		return filepath.Join(t.TempDir(), "tribune.db")
	}}}
	if os.Getenv(PostgresEnv) != "" {
		bs = append(bs, Backend{Name: "postgres", DSN: PostgresDSN})
	}
	return bs
}

// PostgresDSN creates a schema of the test's own on the server named by
// TRIBUNE_TEST_POSTGRES, drops it when the test ends, and returns a DSN whose
// search_path is that schema. It skips the test when the variable is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " is not set")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("storetest: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("storetest: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens and migrates a store at dsn, closed when the test ends.
func Open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// Each runs f once per backend, as a subtest.
func Each(t *testing.T, f func(t *testing.T, s *store.Store)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { f(t, Open(t, b.DSN(t))) })
	}
}

// EachPair runs f once per backend with two stores on one database, as two
// instances of Tribune sharing it.
func EachPair(t *testing.T, f func(t *testing.T, one, two *store.Store)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			f(t, Open(t, dsn), Open(t, dsn))
		})
	}
}
