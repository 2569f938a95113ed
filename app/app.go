// Package app assembles the running system from its parts, the same way for the binary and
// for the tests: the evaluation service, device authentication, staff logins, the measures,
// the bad-review loop with its queue, the ledgers, the HTTP routes (package web), the worker and
// the scheduler with its jobs (package jobs). Env opens what a command needs.
package app

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"haochaping/access"
	"haochaping/calendar"
	"haochaping/channels"
	"haochaping/channels/window"
	"haochaping/evaluation"
	"haochaping/internal/audit"
	"haochaping/internal/config"
	"haochaping/internal/database"
	"haochaping/internal/live"
	"haochaping/internal/pii"
	"haochaping/internal/queue"
	"haochaping/internal/ratelimit"
	"haochaping/internal/sms"
	"haochaping/ledger"
	"haochaping/measures"
	"haochaping/rectify"
	"haochaping/upward"
	"haochaping/web"
)

// App is the assembled system.
type App struct {
	HTTP       *fiber.App
	Evaluation *evaluation.Service
	Measures   *measures.Service
	// Reports is Measures for the office dashboard and the statistics API: its read-only
	// queries go to the replica of DATABASE_REPLICA_URL when there is one (db.Replica).
	Reports  *measures.Service
	Auth     *channels.Authenticator
	Devices  *channels.Devices
	Users    *access.Users
	Rectify  *rectify.Service
	Ledger   *ledger.Service
	Queue    *queue.Queue
	Registry *prometheus.Registry
	Audit    *audit.Log // the security audit log

	upward *upward.Sender // the report in the platform's format; nil: the old JSON
	cfg    *config.Config
	db     *database.DB
	log    *slog.Logger
}

// New assembles the system on open connections.
func New(cfg *config.Config, db *database.DB, keys *pii.Keys, rdb redis.UniversalClient, log *slog.Logger) *App {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	devices := &channels.Devices{DB: db, Keys: keys, RefuseDemo: !cfg.Demo}
	q := queue.New(rdb, cfg.QueuePrefix)
	signals := live.New(rdb, cfg.QueuePrefix)
	sender, err := sms.New(cfg.SMS, log)
	if err != nil {
		panic(err) // config.Load refuses an unknown sender: only a hand-made Config gets here
	}
	up, _, err := newUpward(cfg, db, keys)
	if err != nil {
		panic(err) // OpenApp checks these settings first: only a hand-made Config gets here
	}
	limiter := ratelimit.New(rdb, cfg.QueuePrefix+":rate", cfg.RatePerDevice, cfg.RatePerAddress, log)
	a := &App{
		upward:     up,
		Evaluation: evaluation.NewService(db, keys, evaluation.Settings{RatingDays: cfg.EvaluationWindowDays, PublicURL: cfg.PublicURL, UpwardURL: cfg.UpwardURL}, cfg.Now),
		Measures:   &measures.Service{DB: db, Now: cfg.Now},
		Auth:       &channels.Authenticator{Devices: devices, MaxSkew: cfg.SignatureMaxSkew, Limit: limiter},
		Devices:    devices,
		Users: &access.Users{DB: db, RefuseDemo: !cfg.Demo, Log: log, SessionIdle: cfg.SessionIdle, MaxSessions: cfg.SessionsPerUser,
			TOTPRequired: cfg.TOTPRequired, Keys: keys, Now: cfg.Now,
			// The lockouts run on the business clock, which is the machine's outside tests.
			Throttle: &access.LoginThrottle{Redis: rdb, Prefix: cfg.QueuePrefix, Now: cfg.Now,
				Limits: access.LoginLimits{PerAccount: cfg.LoginFailuresPerAccount, PerAddress: cfg.LoginFailuresPerAddress,
					Lockout: cfg.LoginLockout, MaxLockout: cfg.LoginMaxLockout}}},
		Rectify: &rectify.Service{DB: db, Queue: q, Calendar: calendar.Default(), Keys: keys, Log: log,
			WebhookURL: cfg.WebhookURL, SMS: sender, Live: signals, Now: cfg.Now},
		Ledger:   &ledger.Service{DB: db, Calendar: calendar.Default(), Keys: keys, Now: cfg.Now},
		Queue:    q,
		Registry: reg,
		cfg:      cfg,
		db:       db,
		log:      log,
	}
	a.Reports = a.Measures.OnReplica(db.Replica)
	a.Audit = &audit.Log{DB: db, Now: cfg.Now}
	a.Rectify.Links = a.Evaluation // the text message after feedback carries the evaluation link
	a.HTTP = web.New(web.Deps{
		DB: db, Redis: rdb, Evaluation: a.Evaluation, Measures: a.Measures, Reports: a.Reports, Auth: a.Auth, Users: a.Users, Rectify: a.Rectify, Ledger: a.Ledger, Registry: reg, BodyLimit: cfg.BodyLimit, Log: log,
		Limiter: limiter, PublicURL: cfg.PublicURL, TrustedProxies: cfg.TrustedProxies, ProxyHeader: cfg.ProxyHeader, Prompts: window.NewPromptBus(rdb, cfg.QueuePrefix), Live: signals, Audit: a.Audit,
	})
	return a
}

// Close stops the background parts after the HTTP server has stopped: every rating in
// flight is committed first.
func (a *App) Close() {
	a.Evaluation.Close()
	a.Queue.Close()
}
