package redisconn_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"haochaping/internal/config"
	"haochaping/internal/live"
	"haochaping/internal/problem"
	"haochaping/internal/queue"
	"haochaping/internal/ratelimit"
	"haochaping/internal/redisconn"
	"haochaping/internal/testenv"
)

const taskFailover = "test:failover"

// The system's client, made from the Sentinel settings, survives the master's death: after the
// Sentinel promotes the replica, the same client — and the worker built on it — enqueues,
// processes and counts on the new master, reconfigured by nobody. The counts written before
// the failover are there: they had reached the replica (WAIT), which is what async
// replication promises and no more (docs/REDIS.md).
func TestFailoverKeepsTheQueueAndTheRateLimitsWorking(t *testing.T) {
	began := time.Now()
	sr := testenv.StartSentinel(t)
	t.Logf("master, replica and Sentinel ready in %v", time.Since(began).Round(10*time.Millisecond))
	// REDIS_URL gives the password and the database; its host is never dialled.
	cfg := &config.Config{RedisURL: "redis://:" + sr.Password + "@master.invalid:6379/0", RedisSentinel: sr.Settings()}
	rdb, err := redisconn.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()

	q := queue.New(rdb, "failover")
	t.Cleanup(q.Close)
	processed := make(chan string, 8)
	mux := asynq.NewServeMux()
	mux.HandleFunc(taskFailover, func(_ context.Context, task *asynq.Task) error {
		processed <- string(task.Payload())
		return nil
	})
	worker := q.DispatchServer(2, log)
	if err := worker.Start(mux); err != nil {
		t.Fatalf("start the worker: %v", err)
	}
	t.Cleanup(worker.Shutdown)
	enqueue := func(payload string) error {
		_, err := q.Client.EnqueueContext(ctx, asynq.NewTask(taskFailover, []byte(payload)), asynq.Queue(q.Name(queue.Dispatch)))
		return err
	}
	waitProcessed := func(payload string) {
		t.Helper()
		select {
		case got := <-processed:
			if got != payload {
				t.Fatalf("processed %q, want %q", got, payload)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("task %q not processed within 10 s", payload)
		}
	}
	bus := live.New(rdb, "failover")
	sub, err := bus.Subscribe(ctx, live.StaffTopic(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	// Three requests a minute: the fourth is refused only if the first three were all counted.
	limiter := ratelimit.New(rdb, "failover", 3, 0, log)

	if err := enqueue("before"); err != nil {
		t.Fatalf("enqueue before the failover: %v", err)
	}
	waitProcessed("before")
	for i := 1; i <= 2; i++ {
		if err := limiter.Device(ctx, "pad-1"); err != nil {
			t.Fatalf("request %d refused: %v", i, err)
		}
	}
	testenv.Eventually(t, 5*time.Second, "the worker has finished the task", func() bool {
		info, err := q.Inspector.GetQueueInfo(q.Name(queue.Dispatch))
		return err == nil && info.Pending == 0 && info.Active == 0
	})
	if n, err := rdb.Do(ctx, "WAIT", 1, 2000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica: %d, %v", n, err)
	}

	sr.KillMaster()
	took := sr.WaitPromoted(15 * time.Second)
	t.Logf("the Sentinel promoted the replica %v after the master was killed", took.Round(10*time.Millisecond))

	// Once, no retry of ours: the client asks the Sentinel where the master is now.
	began = time.Now()
	if err := enqueue("after"); err != nil {
		t.Fatalf("enqueue after the failover: %v", err)
	}
	t.Logf("the first enqueue after the promotion took %v", time.Since(began).Round(10*time.Microsecond))
	waitProcessed("after")
	if err := limiter.Device(ctx, "pad-1"); err != nil {
		t.Fatalf("request 3, after the failover, refused: %v", err)
	}
	var refusal *problem.Error
	if err := limiter.Device(ctx, "pad-1"); !errors.As(err, &refusal) || refusal.Status != 429 {
		t.Fatalf("request 4: %v, want 429 — the new master did not count the requests before and after the failover", err)
	}
	// A live signal is fire and forget: one published before the subscriber has re-subscribed
	// on the new master is lost (and costs nothing); the subscription itself comes back.
	testenv.Eventually(t, 10*time.Second, "a live signal reached the subscriber after the failover", func() bool {
		if err := bus.Publish(ctx, live.StaffTopic(1)); err != nil {
			t.Logf("publish: %v", err)
		}
		select {
		case <-sub.C:
			return true
		case <-time.After(100 * time.Millisecond):
			return false
		}
	})
	info, err := rdb.Info(ctx, "server", "replication").Result()
	if err != nil || !strings.Contains(info, "tcp_port:"+strconv.Itoa(sr.Replica.Port)+"\r\n") || !strings.Contains(info, "role:master\r\n") {
		t.Fatalf("the client is not on the promoted replica (port %d): %v\n%s", sr.Replica.Port, err, info)
	}
}

// testLog routes the worker's log to the test's.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
