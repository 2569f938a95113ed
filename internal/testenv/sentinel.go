package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"haochaping/internal/config"
)

// SentinelRedis is a private Redis under Sentinel, for tests of a failover: a master, one
// replica of it and one Sentinel watching both (quorum 1), each its own redis-server on a free
// port, all with passwords as in production. The Sentinel is quick to act — the master is down
// after 500 ms without an answer — so that a failover takes a few seconds, not a minute.
type SentinelRedis struct {
	t                testing.TB
	MasterName       string
	Password         string // the master's and the replica's requirepass (and the replica's masterauth)
	SentinelPassword string // the Sentinel's own requirepass
	Master, Replica  *redisProcess
	Sentinel         *redisProcess
	sentinelCli      *redis.SentinelClient
}

// redisProcess is one redis-server of a SentinelRedis.
type redisProcess struct {
	Port int
	Dir  string
	cmd  *exec.Cmd
}

// Addr is host:port.
func (p *redisProcess) Addr() string { return "127.0.0.1:" + strconv.Itoa(p.Port) }

// StartSentinel starts the master, then its replica, waits until the replica has synced, then
// starts the Sentinel and waits until it knows the replica (it can promote only a replica it
// knows). Everything is killed when the test ends.
func StartSentinel(t testing.TB) *SentinelRedis {
	t.Helper()
	s := &SentinelRedis{t: t, MasterName: "haochaping-test", Password: randomWord(t), SentinelPassword: randomWord(t)}
	// The replica syncs at once: a master waits 5 s by default for more replicas to share a sync.
	auth := []string{"--requirepass", s.Password, "--masterauth", s.Password, "--repl-diskless-sync-delay", "0"}
	s.Master = s.start("master", s.Password, append([]string{"--save", "", "--appendonly", "no"}, auth...)...)
	s.Replica = s.start("replica", s.Password, append([]string{"--save", "", "--appendonly", "no",
		"--replicaof", "127.0.0.1", strconv.Itoa(s.Master.Port)}, auth...)...)
	replica := s.client(s.Replica.Addr(), s.Password)
	s.eventually(10*time.Second, "the replica synced with the master", func(ctx context.Context) bool {
		info, err := replica.Info(ctx, "replication").Result()
		return err == nil && strings.Contains(info, "master_link_status:up")
	})

	port := freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf") // Sentinel rewrites its file: it must be writable
	lines := []string{
		"port " + strconv.Itoa(port), "bind 127.0.0.1", "dir " + dir, "requirepass " + s.SentinelPassword,
		fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 1", s.MasterName, s.Master.Port),
		fmt.Sprintf("sentinel auth-pass %s %s", s.MasterName, s.Password),
		fmt.Sprintf("sentinel down-after-milliseconds %s 500", s.MasterName),
		fmt.Sprintf("sentinel failover-timeout %s 5000", s.MasterName),
		fmt.Sprintf("sentinel parallel-syncs %s 1", s.MasterName),
	}
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Sentinel = s.spawn("sentinel", &redisProcess{Port: port, Dir: dir}, s.SentinelPassword, conf, "--sentinel")
	sentinel := s.sentinelClient()
	s.eventually(15*time.Second, "the Sentinel knows the replica", func(ctx context.Context) bool {
		replicas, err := sentinel.Replicas(ctx, s.MasterName).Result()
		return err == nil && len(replicas) == 1 && replicas[0]["port"] == strconv.Itoa(s.Replica.Port) &&
			replicas[0]["flags"] == "slave" && replicas[0]["master-link-status"] == "ok"
	})
	return s
}

// Settings are the Sentinel settings (REDIS_SENTINELS, REDIS_MASTER_NAME, REDIS_SENTINEL_PASSWORD)
// that reach this set-up.
func (s *SentinelRedis) Settings() config.RedisSentinel {
	return config.RedisSentinel{Addrs: []string{s.Sentinel.Addr()}, MasterName: s.MasterName, Password: s.SentinelPassword}
}

// MasterAddr is where the Sentinel says the master is now.
func (s *SentinelRedis) MasterAddr(ctx context.Context) (string, error) {
	hp, err := s.sentinelClient().GetMasterAddrByName(ctx, s.MasterName).Result()
	if err != nil {
		return "", fmt.Errorf("ask the Sentinel for %s: %w", s.MasterName, err)
	}
	return strings.Join(hp, ":"), nil
}

// KillMaster kills the master with SIGKILL — no shutdown, no last save — and waits until it is gone.
func (s *SentinelRedis) KillMaster() { s.Master.kill() }

// WaitPromoted polls the Sentinel until it names the replica as the master, and returns how
// long that took.
func (s *SentinelRedis) WaitPromoted(timeout time.Duration) time.Duration {
	s.t.Helper()
	start := time.Now()
	s.eventually(timeout, "the Sentinel promoted the replica", func(ctx context.Context) bool {
		addr, err := s.MasterAddr(ctx)
		return err == nil && addr == s.Replica.Addr()
	})
	return time.Since(start)
}

// start starts a redis-server with args and waits until it answers.
func (s *SentinelRedis) start(role, password string, args ...string) *redisProcess {
	s.t.Helper()
	p := &redisProcess{Port: freePort(s.t), Dir: s.t.TempDir()}
	return s.spawn(role, p, password, append([]string{"--bind", "127.0.0.1", "--port", strconv.Itoa(p.Port), "--dir", p.Dir}, args...)...)
}

// spawn runs redis-server with args, its log in p.Dir (shown when the test fails), and waits
// until it answers PING with password.
func (s *SentinelRedis) spawn(role string, p *redisProcess, password string, args ...string) *redisProcess {
	s.t.Helper()
	logPath := filepath.Join(p.Dir, role+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	p.cmd = exec.Command("redis-server", args...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		_ = logFile.Close()
		s.t.Fatalf("testenv: start the %s's redis-server (is it installed? `make test` installs it): %v", role, err)
	}
	s.t.Cleanup(func() {
		p.kill()
		_ = logFile.Close()
		if s.t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				s.t.Logf("testenv: the %s's log (%s):\n%s", role, p.Addr(), tail(string(b), 40))
			}
		}
	})
	c := s.client(p.Addr(), password)
	s.eventually(10*time.Second, "the "+role+" answers on "+p.Addr(), func(ctx context.Context) bool {
		return c.Ping(ctx).Err() == nil
	})
	return p
}

func (p *redisProcess) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.cmd = nil
}

func (s *SentinelRedis) client(addr, password string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, Password: password, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

func (s *SentinelRedis) sentinelClient() *redis.SentinelClient {
	if s.sentinelCli != nil {
		return s.sentinelCli
	}
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinel.Addr(), Password: s.SentinelPassword, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	s.t.Cleanup(func() { _ = c.Close() })
	s.sentinelCli = c
	return c
}

// eventually is Eventually with a context for each try, so that a server that hangs cannot
// stall the poll past its deadline.
func (s *SentinelRedis) eventually(timeout time.Duration, what string, cond func(context.Context) bool) {
	s.t.Helper()
	Eventually(s.t, timeout, what, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		return cond(ctx)
	})
}

func randomWord(t testing.TB) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}
