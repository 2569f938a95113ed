package web

import (
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"haochaping/access"
	"haochaping/access/userapi"
	"haochaping/channels"
	"haochaping/channels/deviceapi"
	"haochaping/channels/kiosk"
	"haochaping/channels/mobile"
	"haochaping/channels/pc"
	"haochaping/channels/system"
	"haochaping/channels/window"
	"haochaping/evaluation"
	"haochaping/evaluation/orgapi"
	"haochaping/internal/audit"
	"haochaping/internal/database"
	"haochaping/internal/live"
	"haochaping/internal/ratelimit"
	"haochaping/ledger"
	"haochaping/ledger/ledgerapi"
	"haochaping/measures"
	"haochaping/measures/statsapi"
	"haochaping/rectify"
	"haochaping/rectify/staffapi"
	"haochaping/upward/upwardapi"
	"haochaping/web/admin"
	"haochaping/web/assets"
	"haochaping/web/auditapi"
	"haochaping/web/citizen"
	"haochaping/web/console"
	"haochaping/web/ledgers"
	"haochaping/web/office"
	"haochaping/web/page"
	"haochaping/web/session"
)

// Deps are what the routes need.
type Deps struct {
	DB         *database.DB
	Redis      redis.UniversalClient
	Evaluation *evaluation.Service
	Measures   *measures.Service
	// Reports are the measures the office dashboard and the statistics API read: Measures on
	// the replica when one is set (measures.Service.OnReplica); nil: Measures.
	Reports   *measures.Service
	Auth      *channels.Authenticator
	Users     *access.Users
	Rectify   *rectify.Service
	Ledger    *ledger.Service
	Prompts   *window.PromptBus    // the window systems' prompts to their pads; nil: one on Redis
	Registry  *prometheus.Registry // where /metrics reads from
	PublicURL string               // the site's address as citizens reach it; https marks cookies Secure
	// TrustedProxies may name the client's address in ProxyHeader (config.Config.TrustedProxies).
	TrustedProxies []string
	ProxyHeader    string
	BodyLimit      int
	Log            *slog.Logger
	// Immutable has fiber copy every string and byte slice it hands out (fiber.Config.Immutable).
	// Off: what outlives a handler is copied where it is kept, which costs less (README, "fiber's
	// strings"); the switch exists so that BenchmarkRequest can measure both.
	Immutable bool
	Live      *live.Bus // the signals that a notification came, for the consoles
	// Audit is the security audit log: logins, refusals, sensitive acts (nil: none is kept).
	Audit *audit.Log
	// Limiter is the public pages' budget per client address (the signed APIs' is Auth.Limit).
	Limiter *ratelimit.Limiter
}

// New builds the app. Mount more routes on the returned app's /api/v1 group with APIGroup.
func New(d Deps) *fiber.App {
	pages := page.MustRenderer()
	secure := strings.HasPrefix(d.PublicURL, "https://")
	if d.Prompts == nil {
		d.Prompts = window.NewPromptBus(d.Redis, "haochaping")
	}
	app := fiber.New(fiber.Config{
		AppName:               "haochaping",
		BodyLimit:             d.BodyLimit,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		ErrorHandler:          errorHandler(d.Log, pages, d.Audit),
		DisableStartupMessage: true,
		Immutable:             d.Immutable,
		// The client's address (login throttling, rate limits, the audit log) and https (Secure
		// cookies) come from the proxy's headers only when the connection is from a trusted
		// proxy; otherwise X-Forwarded-Proto and the address header are ignored.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          d.TrustedProxies,
		ProxyHeader:             proxyHeader(d),
		EnableIPValidation:      true,
	})
	m := newHTTPMetrics(d.Registry)
	app.Use(recover.New(), requestid.New(), m.middleware, page.SecurityHeaders(secure), auditTrail(d.Audit), refuseInvalidText)
	assets.Register(app)

	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	app.Get("/readyz", readiness(d.DB, d.Redis))
	app.Get("/metrics", metricsHandler(d.Registry))
	app.Get("/api/openapi.yaml", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/yaml; charset=utf-8")
		return c.Send(OpenAPI)
	})

	api := app.Group("/api/v1")
	system.Register(api, d.Auth, d.Evaluation)
	window.Register(api, d.Auth, d.Evaluation)
	window.RegisterPrompts(api, d.Auth, d.Evaluation, d.Prompts)
	kiosk.Register(api, d.Auth, d.Evaluation, d.Log)
	pc.Register(api, d.Auth, d.Evaluation)
	mobile.Register(api, app, d.Auth, d.Evaluation)
	session.Register(api, d.Users)
	staffapi.Register(api, d.Users, d.Rectify)
	reports := d.Reports
	if reports == nil {
		reports = d.Measures
	}
	statsapi.Register(api, d.Users, d.DB, reports, d.Evaluation)
	ledgerapi.Register(api, d.Users, d.Ledger)
	orgapi.Register(api, d.Users, d.Evaluation)
	deviceapi.Register(api, d.Users, d.Auth.Devices, time.Now)
	if d.Audit != nil {
		auditapi.Register(api, d.Users, d.Audit)
	}
	userapi.Register(api, d.Users)
	upwardapi.Register(api, d.Users, d.DB, d.Rectify.Now)
	api.Get("/reasons", listReasons(d.Evaluation))

	// The pages: their errors are pages, their forms carry a CSRF token.
	pageRoutes := []fiber.Handler{page.Pages, page.CSRF(d.Redis, secure)}
	page.RegisterTextSize(app, secure)
	staff := console.Deps{Pages: pages, Users: d.Users, Rectify: d.Rectify, Evaluation: d.Evaluation, Live: d.Live, Measures: d.Measures}
	console.Register(app, pageRoutes, staff)
	office.Register(app, pageRoutes, office.Deps{Pages: pages, Users: d.Users, DB: d.DB, Measures: reports,
		Rectify: d.Rectify, Evaluation: d.Evaluation, Staff: staff.MarkStaff, Audit: d.Audit, Now: d.Rectify.Now})
	ledgers.Register(app, pageRoutes, ledgers.Deps{Pages: pages, Users: d.Users, Ledger: d.Ledger, Measures: d.Measures, Staff: staff.MarkStaff})
	admin.Register(app, pageRoutes, admin.Deps{Pages: pages, Users: d.Users, Devices: d.Auth.Devices, DB: d.DB,
		Evaluation: d.Evaluation, Staff: staff.MarkStaff, Now: d.Rectify.Now, WallClock: time.Now})
	citizen.Register(app, pageRoutes, citizen.Deps{
		Pages: pages, Evaluation: d.Evaluation, Rectify: d.Rectify, Devices: d.Auth.Devices, Measures: d.Measures,
		Secure: secure, Log: d.Log, Prompts: d.Prompts, Limiter: d.Limiter,
	})
	return app
}

// listReasons is GET /reasons: the reason lists in effect. With case_no (a case's number) or
// token (an evaluation link's), it answers the one set that applies to that service — 现场 for
// a service in a hall or a window visit, 网上 for one online — whatever device rates it.
func listReasons(svc *evaluation.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		set, err := svc.Reasons(c.UserContext())
		if err != nil {
			return err
		}
		caseNo, token := strings.TrimSpace(c.Query("case_no")), strings.TrimSpace(c.Query("token"))
		if caseNo == "" && token == "" {
			return c.JSON(fiber.Map{"version": set.Version, "reasons": set.List()})
		}
		var caseID int64
		if token != "" {
			if caseID, _, err = svc.ParseLinkToken(token); err != nil {
				return err
			}
		}
		kind, err := svc.ReasonKindOfCase(c.UserContext(), caseNo, caseID)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"version": set.Version, "kind": kind, "kind_name": evaluation.KindName(kind),
			"reasons": set.Of(kind)})
	}
}

// proxyHeader is the header that names the client, read only with trusted proxies configured.
func proxyHeader(d Deps) string {
	if len(d.TrustedProxies) == 0 {
		return ""
	}
	return d.ProxyHeader
}
