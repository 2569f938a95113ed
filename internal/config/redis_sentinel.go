package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// RedisSentinel names the Sentinels that watch the Redis master. When set, the system asks
// them where the master is and follows a failover by itself (internal/redisconn); REDIS_URL
// then gives only the master's credentials, database and options, not its address.
type RedisSentinel struct {
	Addrs      []string // REDIS_SENTINELS: host:port of each Sentinel, comma-separated
	MasterName string   // REDIS_MASTER_NAME: the name the Sentinels monitor the master by
	Password   string   // REDIS_SENTINEL_PASSWORD: the Sentinels' own password (their requirepass), if any
}

// Enabled says whether Redis is reached through Sentinels.
func (s RedisSentinel) Enabled() bool { return len(s.Addrs) > 0 }

// loadRedisSentinel reads the Sentinel settings; half of them is a mistake, refused at the
// start rather than found at the first failover.
func loadRedisSentinel(get func(string) string) (RedisSentinel, error) {
	s := RedisSentinel{MasterName: strings.TrimSpace(get("REDIS_MASTER_NAME")), Password: get("REDIS_SENTINEL_PASSWORD")}
	for _, a := range strings.Split(get("REDIS_SENTINELS"), ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		host, port, err := net.SplitHostPort(a)
		if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			return RedisSentinel{}, fmt.Errorf("REDIS_SENTINELS: %q is not host:port", a)
		}
		s.Addrs = append(s.Addrs, a)
	}
	switch {
	case s.Enabled() && s.MasterName == "":
		return RedisSentinel{}, errors.New("REDIS_SENTINELS is set but REDIS_MASTER_NAME is not: name the master as the Sentinels monitor it (`sentinel monitor <name> …`)")
	case !s.Enabled() && s.MasterName != "":
		return RedisSentinel{}, errors.New("REDIS_MASTER_NAME is set but REDIS_SENTINELS is not: list the Sentinels as host:port,host:port")
	case !s.Enabled() && s.Password != "":
		return RedisSentinel{}, errors.New("REDIS_SENTINEL_PASSWORD is set but REDIS_SENTINELS is not")
	}
	return s, nil
}
