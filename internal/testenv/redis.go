package testenv

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// PrivateRedis is a redis-server of the test's own, for tests that stop and restart Redis
// without disturbing the other tests.
type PrivateRedis struct {
	t    testing.TB
	Port int
	Dir  string
	cmd  *exec.Cmd
}

// StartRedis starts a private redis-server (append-only, as in production) and stops it when
// the test ends.
func StartRedis(t testing.TB) *PrivateRedis {
	t.Helper()
	r := &PrivateRedis{t: t, Port: freePort(t), Dir: t.TempDir()}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// freePort is a loopback TCP port free now, for a server the test starts.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Addr is host:port.
func (r *PrivateRedis) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.Port) }

// URL is the redis:// URL.
func (r *PrivateRedis) URL() string { return "redis://" + r.Addr() + "/0" }

// Client returns a client of this server, closed when the test ends.
func (r *PrivateRedis) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: r.Addr(), DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	r.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Start (re)starts the server on its port and waits until it answers.
func (r *PrivateRedis) Start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(r.Port), "--dir", r.Dir,
		"--appendonly", "yes", "--save", "")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("testenv: start redis-server (is it installed? `make test` installs it): %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.Addr()})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("testenv: redis-server on %d did not answer: %v", r.Port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server and waits for it to exit.
func (r *PrivateRedis) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// String describes the server.
func (r *PrivateRedis) String() string { return fmt.Sprintf("redis-server %s", r.Addr()) }
