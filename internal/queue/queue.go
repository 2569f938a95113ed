// Package queue wires the Redis task queue (asynq on go-redis v9): named queues kept apart per
// deployment by a prefix, the client that enqueues, the inspector that looks at tasks, and the
// server that runs handlers with retries, backoff, delays and a dead letter ("archived").
package queue

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// The queues, by what they carry.
const (
	Dispatch  = "dispatch"  // bad review → work order
	Deadlines = "deadlines" // reminders and overdue checks
	Notify    = "notify"    // webhook deliveries
)

// weights are the shares of a Server's workers the queues it serves get.
var weights = map[string]int{Deadlines: 3, Notify: 1}

// Queue is the task queue of one deployment.
type Queue struct {
	Client    *asynq.Client
	Inspector *asynq.Inspector
	rdb       redis.UniversalClient
	prefix    string
}

// New opens the queue on a Redis client. prefix keeps deployments (and tests) sharing a Redis apart.
func New(rdb redis.UniversalClient, prefix string) *Queue {
	return &Queue{
		Client:    asynq.NewClientFromRedisClient(rdb),
		Inspector: asynq.NewInspectorFromRedisClient(rdb),
		rdb:       rdb,
		prefix:    prefix,
	}
}

// Name is the asynq queue name of a logical queue.
func (q *Queue) Name(queue string) string { return q.prefix + "-" + queue }

// Server returns a task server for this deployment's deadline and webhook queues.
func (q *Queue) Server(concurrency int, log *slog.Logger) *asynq.Server {
	queues := map[string]int{}
	for name, w := range weights {
		queues[q.Name(name)] = w
	}
	return q.server(concurrency, queues, log)
}

// DispatchServer returns the task server of the dispatch queue alone. It has workers of its
// own: a dispatch task mostly waits for its batch, and sharing the workers with the deadline
// and webhook tasks would let a burst of either hold the other back.
func (q *Queue) DispatchServer(concurrency int, log *slog.Logger) *asynq.Server {
	return q.server(concurrency, map[string]int{q.Name(Dispatch): 1}, log)
}

func (q *Queue) server(concurrency int, queues map[string]int, log *slog.Logger) *asynq.Server {
	return asynq.NewServerFromRedisClient(q.rdb, asynq.Config{
		Concurrency:     concurrency,
		Queues:          queues,
		Logger:          logger{log},
		LogLevel:        asynq.WarnLevel,
		ShutdownTimeout: 10 * time.Second,
		// Retries back off exponentially from 1 s to 5 min, so a short Redis or database outage
		// is absorbed without piling retries up.
		RetryDelayFunc: func(n int, err error, t *asynq.Task) time.Duration {
			d := time.Second << min(n, 9)
			return min(d, 5*time.Minute)
		},
		DelayedTaskCheckInterval: time.Second,
		// An idle worker looks for new tasks this often. asynq's default (about a second, with
		// jitter) alone puts a second between a bad review and its work order; 50 ms keeps it to
		// tens of milliseconds for the price of twenty cheap Redis calls a second per worker.
		TaskCheckInterval: 50 * time.Millisecond,
	})
}

// Close releases the client and inspector (the Redis client stays open: it is the caller's).
func (q *Queue) Close() {
	_ = q.Client.Close()
}

// logger routes asynq's log lines to slog.
type logger struct{ l *slog.Logger }

func (g logger) Debug(args ...any) { g.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (g logger) Info(args ...any)  { g.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (g logger) Warn(args ...any)  { g.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (g logger) Error(args ...any) { g.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (g logger) Fatal(args ...any) {
	g.l.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}
