package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"haochaping/app"
	"haochaping/internal/queue"
	"haochaping/seeds"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// benchWorld is the run's own schema and the connections to it.
type benchWorld struct {
	admin  *pgxpool.Pool // on the configured database, outside the schema: creates and drops it
	env    *app.Env      // on the schema: its cfg, db, keys and Redis
	schema string
}

// openBenchWorld creates the schema bench_<unix time>, migrates it and seeds the city with the
// demo devices, so that the run never touches real data and can run beside `make run`.
func openBenchWorld(ctx context.Context, e *app.Env) (*benchWorld, error) {
	admin, err := pgxpool.New(ctx, e.Cfg.OwnerDatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	schema, err := createBenchSchema(ctx, admin)
	if err != nil {
		admin.Close()
		return nil, err
	}
	cfg := *e.Cfg
	cfg.DatabaseURL = withSearchPath(e.Cfg.DatabaseURL, schema)
	cfg.OwnerDatabaseURL = withSearchPath(e.Cfg.OwnerDatabaseURL, schema)
	cfg.QueuePrefix = schema // the run's queues are its own too
	cfg.Demo = true          // the demo devices sign the reviews
	cfg.WebhookURL = ""      // 10,000 notifications must not reach a real robot
	if len(cfg.DataKey) == 0 {
		// A throwaway schema needs no lasting key.
		cfg.DataKey = make([]byte, 32)
		_, _ = rand.Read(cfg.DataKey)
	}
	w := &benchWorld{admin: admin, env: &app.Env{Cfg: &cfg, Log: e.Log}, schema: schema}
	if err := w.prepare(ctx); err != nil {
		_ = w.close(false)
		return nil, err
	}
	return w, nil
}

// createBenchSchema names the schema by the time; a second run in the same second (a test beside
// a manual run) takes the next free suffix.
func createBenchSchema(ctx context.Context, admin *pgxpool.Pool) (string, error) {
	base := "bench_" + strconv.FormatInt(time.Now().Unix(), 10)
	for n := 0; n < 10; n++ {
		schema := base
		if n > 0 {
			schema += "_" + strconv.Itoa(n)
		}
		_, err := admin.Exec(ctx, "CREATE SCHEMA "+schema)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42P06" { // duplicate_schema
			continue
		}
		if err != nil {
			return "", fmt.Errorf("create schema %s: %w", schema, err)
		}
		return schema, nil
	}
	return "", fmt.Errorf("create schema %s: taken, and the next nine too", base)
}

// withSearchPath returns the URL with its search_path set to schema (as testenv does).
func withSearchPath(dbURL, schema string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL // pgx reports the unparsable URL when it connects
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// prepare opens the schema the way every subcommand opens its environment, then seeds it.
func (w *benchWorld) prepare(ctx context.Context) error {
	if err := w.env.OpenMigrated(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", w.schema, err)
	}
	if err := w.env.OpenKeys(); err != nil {
		return err
	}
	if err := w.env.OpenRedis(); err != nil {
		return err
	}
	l := &seeds.Loader{DB: w.env.DB, Keys: w.env.Keys, Log: w.env.Log}
	if _, err := l.Seed(ctx, true); err != nil {
		return err
	}
	return nil
}

// close drops the schema and the queues unless keep; it runs on its own context, so that an
// interrupted run cleans up too.
func (w *benchWorld) close(keep bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if !keep && w.env.Redis != nil {
		errs = append(errs, removeBenchQueues(ctx, w.env.Redis, w.env.Cfg.QueuePrefix))
	}
	w.env.Close()
	if keep {
		// The URL is not logged: it may hold a password.
		w.env.Log.Warn("bench: schema and queues kept; look with DATABASE_URL's search_path set to the schema",
			"schema", w.schema, "queue_prefix", w.env.Cfg.QueuePrefix)
	} else if _, err := w.admin.Exec(ctx, "DROP SCHEMA "+w.schema+" CASCADE"); err != nil {
		errs = append(errs, fmt.Errorf("drop schema %s: %w", w.schema, err))
	}
	w.admin.Close()
	return errors.Join(errs...)
}

// removeBenchQueues deletes the run's queues. asynq's DeleteQueue leaves the completed tasks
// (kept for their retention, up to 7 days) and the daily counters behind, and no janitor visits
// a deleted queue again; so every key of the run's queues — asynq:{<prefix>-<queue>}:… — goes
// too. The prefix is the run's schema name, which no other deployment uses.
func removeBenchQueues(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	q := queue.New(rdb, prefix)
	var errs []error
	for _, name := range []string{queue.Dispatch, queue.Deadlines, queue.Notify} {
		if err := q.Inspector.DeleteQueue(q.Name(name), true); err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			errs = append(errs, fmt.Errorf("delete queue %s: %w", q.Name(name), err))
		}
	}
	var batch []string
	flush := func() {
		if len(batch) > 0 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				errs = append(errs, fmt.Errorf("delete the keys of queues %s-*: %w", prefix, err))
			}
			batch = batch[:0]
		}
	}
	iter := rdb.Scan(ctx, 0, "asynq:{"+prefix+"-*", 1000).Iterator()
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 500 {
			flush()
		}
	}
	flush()
	if err := iter.Err(); err != nil {
		errs = append(errs, fmt.Errorf("list the keys of queues %s-*: %w", prefix, err))
	}
	return errors.Join(errs...)
}

// reuseBenchWorld opens a schema an earlier run kept.
func reuseBenchWorld(ctx context.Context, e *app.Env, schema string) (*benchWorld, error) {
	if !strings.HasPrefix(schema, "bench_") {
		return nil, fmt.Errorf("--reuse takes a schema of an earlier bench run (bench_…), not %q", schema)
	}
	admin, err := pgxpool.New(ctx, e.Cfg.OwnerDatabaseURL)
	if err != nil {
		return nil, err
	}
	cfg := *e.Cfg
	cfg.DatabaseURL, cfg.QueuePrefix, cfg.Demo, cfg.WebhookURL = withSearchPath(e.Cfg.DatabaseURL, schema), schema, true, ""
	cfg.OwnerDatabaseURL = withSearchPath(e.Cfg.OwnerDatabaseURL, schema)
	w := &benchWorld{admin: admin, env: &app.Env{Cfg: &cfg, Log: e.Log}, schema: schema}
	for _, step := range []func() error{func() error { return w.env.OpenMigrated(ctx) }, w.env.OpenKeys, w.env.OpenRedis} {
		if err := step(); err != nil {
			admin.Close()
			return nil, err
		}
	}
	return w, nil
}
