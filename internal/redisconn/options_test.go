package redisconn

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"haochaping/internal/config"
)

// REDIS_URL gives the master's credentials, database and options; its host is not asked.
func TestFailoverOptionsTakeTheMastersCredentialsFromREDIS_URL(t *testing.T) {
	s := config.RedisSentinel{Addrs: []string{"10.0.0.1:26379", "10.0.0.2:26379"}, MasterName: "mymaster", Password: "sentinel-pw"}
	o, err := FailoverOptions("redis://app:master-pw@ignored.example:6379/3?dial_timeout=2s&pool_size=7", s)
	if err != nil {
		t.Fatal(err)
	}
	if o.MasterName != "mymaster" || len(o.Addrs) != 2 || o.Addrs[1] != "10.0.0.2:26379" || o.SentinelPassword != "sentinel-pw" {
		t.Errorf("sentinels: %q %v %q", o.MasterName, o.Addrs, o.SentinelPassword)
	}
	if o.Username != "app" || o.Password != "master-pw" || o.DB != 3 || o.DialTimeout != 2*time.Second || o.PoolSize != 7 {
		t.Errorf("from REDIS_URL: user %q password %q db %d dial %v pool %d", o.Username, o.Password, o.DB, o.DialTimeout, o.PoolSize)
	}
	if o.TLSConfig != nil {
		t.Error("TLS on for redis://")
	}
	if tls, _ := FailoverOptions("rediss://:pw@redis.internal:6379/0", s); tls == nil || tls.TLSConfig == nil || tls.TLSConfig.ServerName != "redis.internal" {
		t.Errorf("rediss:// gave TLS %+v, want one checking redis.internal", tls)
	}
	if _, err := FailoverOptions("unix:///run/redis.sock", s); err == nil {
		t.Error("a unix socket with sentinels was accepted")
	}
}

func TestOpenMakesAFailoverClientOnlyWithSentinels(t *testing.T) {
	plain, err := Open(&config.Config{RedisURL: "redis://127.0.0.1:1/0"})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if c, ok := plain.(*redis.Client); !ok || c.Options().Addr != "127.0.0.1:1" {
		t.Errorf("without sentinels: %T, want a client of REDIS_URL's host", plain)
	}
	if _, err := Open(&config.Config{RedisURL: "http://x"}); err == nil {
		t.Error("a bad REDIS_URL was accepted")
	}
}
