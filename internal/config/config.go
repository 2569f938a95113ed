// Package config reads the settings of haochaping from the environment.
//
// When DATABASE_URL is not set, the settings of the local stack started by `make run`
// (the file .devstack/env of the checkout) fill what the environment leaves out, so that
// `haochaping <anything>` run beside `make run` reaches the same servers.
package config

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"haochaping/internal/clock"
	"haochaping/internal/sms"
)

// Config holds every setting. Field comments name the environment variable.
type Config struct {
	DatabaseURL string // DATABASE_URL: the application's role — reads and writes rows, changes no schema
	// OwnerDatabaseURL (DATABASE_OWNER_URL) is the role that owns the schema: migrations run as
	// it, and then grant the application's role what it needs (migrations/privileges.go). Unset,
	// it is DATABASE_URL (one role for both, which only demo mode accepts).
	OwnerDatabaseURL string
	// ReplicaDatabaseURL (DATABASE_REPLICA_URL): a streaming replica of DATABASE_URL's database,
	// as the application's role. When set, the office dashboard's and the statistics API's
	// measures are read there (database.Replica), and on the primary while it cannot be
	// reached; unset, everything reads the primary.
	ReplicaDatabaseURL string
	RedisURL           string // REDIS_URL
	// RedisSentinel (REDIS_SENTINELS, REDIS_MASTER_NAME, REDIS_SENTINEL_PASSWORD): the Sentinels
	// to ask for the master instead of REDIS_URL's host; see docs/REDIS.md.
	RedisSentinel RedisSentinel
	Addr          string // HAOCHAPING_ADDR
	PublicURL     string // HAOCHAPING_PUBLIC_URL: base of the evaluation links printed on receipts
	DataKey       []byte // HAOCHAPING_DATA_KEY: 32 bytes, base64; encrypts personal data at rest
	// PreviousDataKeys (HAOCHAPING_DATA_KEY_PREVIOUS): the data keys before it, comma-separated
	// base64, kept to open what they sealed until `haochaping keys rotate` has moved it to DataKey.
	PreviousDataKeys [][]byte
	Demo             bool   // HAOCHAPING_DEMO: demo users, devices and their secrets exist only then
	QueuePrefix      string // HAOCHAPING_QUEUE_PREFIX: keeps several deployments apart on one Redis
	WebhookURL       string // HAOCHAPING_WEBHOOK_URL: a WeCom/DingTalk robot that receives notifications
	UpwardURL        string // HAOCHAPING_UPWARD_URL: the provincial platform that receives evaluations
	// PprofAddr (HAOCHAPING_PPROF): a loopback address where serve/all answer Go's profiles
	// (/debug/pprof/), for measuring the hot path; empty: none.
	PprofAddr string
	// Upward is how the report to the provincial platform speaks (docs/UPWARD.md).
	Upward      Upward
	Concurrency int // HAOCHAPING_WORKER_CONCURRENCY: deadline and webhook tasks a worker runs at once
	// DispatchConcurrency (HAOCHAPING_DISPATCH_CONCURRENCY): dispatch tasks a worker holds at
	// once. They wait together for a batch (rectify/dispatch_batcher.go), which holds two
	// connections however many there are, so more of them make larger batches, not more load.
	DispatchConcurrency int
	SMS                 string // HAOCHAPING_SMS: the text-message sender (internal/sms): "log", the default, only logs

	EvaluationWindowDays int           // HAOCHAPING_EVALUATION_WINDOW_DAYS: default for regions without their own
	SignatureMaxSkew     time.Duration // HAOCHAPING_SIGNATURE_MAX_SKEW
	BodyLimit            int           // HAOCHAPING_BODY_LIMIT (bytes)
	LogLevel             string        // HAOCHAPING_LOG_LEVEL: debug, info, warn, error

	// The public endpoints' rate limits, in requests a minute (0: no limit), counted in Redis so
	// that every instance shares them (internal/ratelimit; README, "Rate limits", says why these
	// defaults).
	RatePerDevice  int // HAOCHAPING_RATE_PER_DEVICE: correctly signed requests of one device
	RatePerAddress int // HAOCHAPING_RATE_PER_ADDRESS: public requests from one client address

	LoginFailuresPerAccount int           // HAOCHAPING_LOGIN_FAILURES_PER_ACCOUNT: failures that lock an account (5)
	LoginFailuresPerAddress int           // HAOCHAPING_LOGIN_FAILURES_PER_ADDRESS: failures that lock a client address (30)
	LoginLockout            time.Duration // HAOCHAPING_LOGIN_LOCKOUT: the first lockout, doubling per further failure (1m)
	LoginMaxLockout         time.Duration // HAOCHAPING_LOGIN_MAX_LOCKOUT: the longest lockout (1h)
	SessionIdle             time.Duration // HAOCHAPING_SESSION_IDLE: a session ends this long after its last request (30m)
	SessionsPerUser         int           // HAOCHAPING_SESSIONS_PER_USER: a login beyond it closes the user's oldest session (5)
	// TOTPRequired (HAOCHAPING_TOTP_REQUIRED): office and auditor logins must enroll a second
	// factor (TOTP) before their first full session. Default true, false in demo mode (whose
	// published demo logins would otherwise all stop at the enrollment page); an enrolled user is
	// asked for the code whatever this says.
	TOTPRequired bool

	// TrustedProxies (HAOCHAPING_TRUSTED_PROXIES: IPs or CIDRs, comma-separated) are the reverse
	// proxies whose ProxyHeader names the client's address; from anyone else the header is
	// ignored, so that a client cannot choose the address its login failures and rate limits
	// are counted against. None by default: the connection's own address counts.
	TrustedProxies []string
	ProxyHeader    string // HAOCHAPING_PROXY_HEADER: set by the proxy, overwriting the client's (X-Real-IP)

	// LocalStack names the .devstack/env file the settings came from, if any.
	LocalStack string

	// Clock is the business "now" every rule of time reads; the machine's clock unless a test
	// sets its own.
	Clock clock.Clock
}

// Now is the business time.
func (c *Config) Now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock.Now()
}

// Load reads the configuration from the environment and, for what it leaves unset,
// from the local stack's env file.
func Load() (*Config, error) {
	get := os.Getenv
	stack := ""
	if os.Getenv("DATABASE_URL") == "" {
		if path := findLocalStack(); path != "" {
			vars, err := readEnvFile(path)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", path, err)
			}
			stack = path
			get = func(k string) string {
				if v, ok := os.LookupEnv(k); ok {
					return v
				}
				return vars[k]
			}
		}
	}
	cfg := &Config{
		DatabaseURL:             or(get("DATABASE_URL"), "postgres://haochaping@127.0.0.1:55432/haochaping?sslmode=disable"),
		RedisURL:                or(get("REDIS_URL"), "redis://127.0.0.1:56379/0"),
		OwnerDatabaseURL:        get("DATABASE_OWNER_URL"),
		ReplicaDatabaseURL:      get("DATABASE_REPLICA_URL"),
		Addr:                    or(get("HAOCHAPING_ADDR"), "127.0.0.1:8080"),
		QueuePrefix:             or(get("HAOCHAPING_QUEUE_PREFIX"), "haochaping"),
		LogLevel:                or(get("HAOCHAPING_LOG_LEVEL"), "info"),
		Demo:                    isTrue(get("HAOCHAPING_DEMO")),
		WebhookURL:              get("HAOCHAPING_WEBHOOK_URL"),
		UpwardURL:               get("HAOCHAPING_UPWARD_URL"),
		PprofAddr:               get("HAOCHAPING_PPROF"),
		SMS:                     or(get("HAOCHAPING_SMS"), "log"),
		Concurrency:             10,
		DispatchConcurrency:     32,
		EvaluationWindowDays:    7,
		SignatureMaxSkew:        300 * time.Second,
		BodyLimit:               4<<20 + 64<<10, // a filled-in ledger workbook (4 MiB at most) and its form
		RatePerDevice:           600,
		RatePerAddress:          1200,
		LocalStack:              stack,
		LoginFailuresPerAccount: 5,
		LoginFailuresPerAddress: 30,
		LoginLockout:            time.Minute,
		LoginMaxLockout:         time.Hour,
		SessionIdle:             30 * time.Minute,
		SessionsPerUser:         5,
	}
	if cfg.OwnerDatabaseURL == "" {
		cfg.OwnerDatabaseURL = cfg.DatabaseURL
	}
	var err error
	cfg.TOTPRequired = !cfg.Demo
	if v := get("HAOCHAPING_TOTP_REQUIRED"); v != "" {
		if cfg.TOTPRequired, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("HAOCHAPING_TOTP_REQUIRED=%q: want true or false", v)
		}
	}
	cfg.PublicURL = strings.TrimRight(or(get("HAOCHAPING_PUBLIC_URL"), "http://"+cfg.Addr), "/")
	if v := get("HAOCHAPING_EVALUATION_WINDOW_DAYS"); v != "" {
		if cfg.EvaluationWindowDays, err = strconv.Atoi(v); err != nil || cfg.EvaluationWindowDays < 1 {
			return nil, fmt.Errorf("HAOCHAPING_EVALUATION_WINDOW_DAYS=%q: want a whole number of days ≥ 1", v)
		}
	}
	if v := get("HAOCHAPING_SIGNATURE_MAX_SKEW"); v != "" {
		if cfg.SignatureMaxSkew, err = time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("HAOCHAPING_SIGNATURE_MAX_SKEW=%q: %w", v, err)
		}
	}
	if v := get("HAOCHAPING_BODY_LIMIT"); v != "" {
		if cfg.BodyLimit, err = strconv.Atoi(v); err != nil || cfg.BodyLimit < 1024 {
			return nil, fmt.Errorf("HAOCHAPING_BODY_LIMIT=%q: want bytes ≥ 1024", v)
		}
	}
	if v := get("HAOCHAPING_RATE_PER_DEVICE"); v != "" {
		if cfg.RatePerDevice, err = strconv.Atoi(v); err != nil || cfg.RatePerDevice < 0 {
			return nil, fmt.Errorf("HAOCHAPING_RATE_PER_DEVICE=%q: want requests a minute ≥ 0 (0: no limit)", v)
		}
	}
	if v := get("HAOCHAPING_RATE_PER_ADDRESS"); v != "" {
		if cfg.RatePerAddress, err = strconv.Atoi(v); err != nil || cfg.RatePerAddress < 0 {
			return nil, fmt.Errorf("HAOCHAPING_RATE_PER_ADDRESS=%q: want requests a minute ≥ 0 (0: no limit)", v)
		}
	}
	for name, dest := range map[string]*int{"HAOCHAPING_WORKER_CONCURRENCY": &cfg.Concurrency, "HAOCHAPING_DISPATCH_CONCURRENCY": &cfg.DispatchConcurrency} {
		if v := get(name); v != "" {
			if *dest, err = strconv.Atoi(v); err != nil || *dest < 1 {
				return nil, fmt.Errorf("%s=%q: want a whole number ≥ 1", name, v)
			}
		}
	}
	for name, dest := range map[string]*int{"HAOCHAPING_LOGIN_FAILURES_PER_ACCOUNT": &cfg.LoginFailuresPerAccount,
		"HAOCHAPING_LOGIN_FAILURES_PER_ADDRESS": &cfg.LoginFailuresPerAddress, "HAOCHAPING_SESSIONS_PER_USER": &cfg.SessionsPerUser} {
		if v := get(name); v != "" {
			if *dest, err = strconv.Atoi(v); err != nil || *dest < 1 {
				return nil, fmt.Errorf("%s=%q: want a whole number ≥ 1", name, v)
			}
		}
	}
	for name, dest := range map[string]*time.Duration{"HAOCHAPING_LOGIN_LOCKOUT": &cfg.LoginLockout,
		"HAOCHAPING_LOGIN_MAX_LOCKOUT": &cfg.LoginMaxLockout, "HAOCHAPING_SESSION_IDLE": &cfg.SessionIdle} {
		if v := get(name); v != "" {
			if *dest, err = time.ParseDuration(v); err != nil || *dest < time.Second {
				return nil, fmt.Errorf("%s=%q: want a duration ≥ 1s, e.g. 30m", name, v)
			}
		}
	}
	cfg.ProxyHeader = or(get("HAOCHAPING_PROXY_HEADER"), "X-Real-IP")
	for _, p := range strings.Split(get("HAOCHAPING_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, fmt.Errorf("HAOCHAPING_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR range", p)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, p)
	}
	cfg.Upward = Upward{Profile: get("HAOCHAPING_UPWARD_PROFILE"), AppMark: or(get("HAOCHAPING_UPWARD_APP_MARK"), "haochaping"),
		TenancyID: get("HAOCHAPING_UPWARD_TENANCY_ID"), SM4Key: get("HAOCHAPING_UPWARD_SM4_KEY"),
		SignKey: get("HAOCHAPING_UPWARD_SIGN_KEY"), PlatformKey: get("HAOCHAPING_UPWARD_PLATFORM_KEY"),
		Simulator: get("HAOCHAPING_UPWARD_SIMULATOR")}
	if cfg.RedisSentinel, err = loadRedisSentinel(get); err != nil {
		return nil, err
	}
	if !sms.Known(cfg.SMS) {
		return nil, fmt.Errorf("HAOCHAPING_SMS=%q: the senders built in are: %s", cfg.SMS, strings.Join(sms.Kinds, ", "))
	}
	if v := get("HAOCHAPING_DATA_KEY"); v != "" {
		if cfg.DataKey, err = ParseDataKey(v); err != nil {
			return nil, err
		}
	}
	if v := get("HAOCHAPING_DATA_KEY_PREVIOUS"); strings.TrimSpace(v) != "" {
		for i, part := range strings.Split(v, ",") {
			key, err := ParseDataKey(part)
			if err != nil {
				return nil, fmt.Errorf("HAOCHAPING_DATA_KEY_PREVIOUS, key %d: %w", i+1, err)
			}
			cfg.PreviousDataKeys = append(cfg.PreviousDataKeys, key)
		}
	}
	return cfg, nil
}

// ErrNoDataKey is returned by RequireDataKey when no key is configured.
var ErrNoDataKey = errors.New("HAOCHAPING_DATA_KEY is not set: personal data cannot be encrypted " +
	"(generate one with `head -c 32 /dev/urandom | base64`)")

// RequireDataKey fails when the commands that touch personal data have no key.
func (c *Config) RequireDataKey() error {
	if len(c.DataKey) == 0 {
		return ErrNoDataKey
	}
	return nil
}

// ParseDataKey decodes a base64 key of exactly 32 bytes.
func ParseDataKey(v string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(key) != 32 {
		return nil, errors.New("HAOCHAPING_DATA_KEY must be 32 bytes in base64")
	}
	return key, nil
}

// findLocalStack looks for .devstack/env from the working directory upward, then from the
// executable's directory upward.
func findLocalStack() string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			p := filepath.Join(dir, ".devstack", "env")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return ""
}

// readEnvFile reads lines of the form `export KEY='value'` or `KEY=value`.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		vars[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `'"`)
	}
	return vars, sc.Err()
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func isTrue(v string) bool {
	b, _ := strconv.ParseBool(v)
	return b
}
