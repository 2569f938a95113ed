// Package redisconn makes the system's Redis client from the settings: a plain client of
// REDIS_URL, or, when REDIS_SENTINELS is set, a failover client that asks the Sentinels where
// the master is and follows it when they promote a replica. The queue and its worker, the rate
// limits, the login throttle, the CSRF tokens, the pads' prompts and the live signals all use
// this one client, so they fail over together and nothing needs reconfiguring (docs/REDIS.md).
package redisconn

import (
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"haochaping/internal/config"
)

// Open returns the client the settings describe; it connects lazily.
func Open(cfg *config.Config) (redis.UniversalClient, error) {
	if !cfg.RedisSentinel.Enabled() {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("parse REDIS_URL: %w", err)
		}
		return redis.NewClient(opts), nil
	}
	opts, err := FailoverOptions(cfg.RedisURL, cfg.RedisSentinel)
	if err != nil {
		return nil, err
	}
	return redis.NewUniversalClient(opts), nil
}

// FailoverOptions are the options of the failover client: the Sentinels' addresses and the
// master's name from the Sentinel settings; the master's (and its replicas') username,
// password, database, TLS and the pool's and timeouts' query options from REDIS_URL, whose
// host and port are not used — the Sentinels say where the master is.
func FailoverOptions(redisURL string, s config.RedisSentinel) (*redis.UniversalOptions, error) {
	o, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	if o.Network == "unix" {
		return nil, errors.New("REDIS_URL is a unix socket, but REDIS_SENTINELS name a master reached over TCP: use redis:// or rediss://")
	}
	return &redis.UniversalOptions{
		Addrs:            s.Addrs,
		MasterName:       s.MasterName,
		SentinelPassword: s.Password,

		Username:   o.Username,
		Password:   o.Password,
		DB:         o.DB,
		Protocol:   o.Protocol,
		ClientName: o.ClientName,
		// rediss:// speaks TLS to the Sentinels too, checking every certificate against
		// REDIS_URL's host name.
		TLSConfig: o.TLSConfig,

		MaxRetries:      o.MaxRetries,
		MinRetryBackoff: o.MinRetryBackoff,
		MaxRetryBackoff: o.MaxRetryBackoff,
		DialTimeout:     o.DialTimeout,
		ReadTimeout:     o.ReadTimeout,
		WriteTimeout:    o.WriteTimeout,

		PoolFIFO:                o.PoolFIFO,
		PoolSize:                o.PoolSize,
		PoolTimeout:             o.PoolTimeout,
		MinIdleConns:            o.MinIdleConns,
		MaxIdleConns:            o.MaxIdleConns,
		MaxActiveConns:          o.MaxActiveConns,
		MaxConcurrentDials:      o.MaxConcurrentDials,
		PipelinePoolSize:        o.PipelinePoolSize,
		PipelineReadBufferSize:  o.PipelineReadBufferSize,
		PipelineWriteBufferSize: o.PipelineWriteBufferSize,
		ConnMaxIdleTime:         o.ConnMaxIdleTime,
		ConnMaxLifetime:         o.ConnMaxLifetime,
		ConnMaxLifetimeJitter:   o.ConnMaxLifetimeJitter,
	}, nil
}
