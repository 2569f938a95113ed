package web_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"haochaping/app"
	"haochaping/internal/testenv"
	"haochaping/web"
)

// BenchmarkRequest measures what fiber.Config.Immutable costs: the assembled app, driven in
// process through its fasthttp handler (no network, which would only add the same cost to both
// sides), on two requests refused before the database, as many real requests begin — an
// unsigned kiosk upload (the device headers, the query, method, path and body read) and the
// QR code of a bad token (a path parameter and the query read). One op is both requests.
func BenchmarkRequest(b *testing.B) {
	env := testenv.New(b)
	sys := app.New(env.Cfg, env.DB, env.Keys, env.Redis, env.Log)
	b.Cleanup(sys.Close)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	kiosk := func(r *fasthttp.Request) {
		r.Header.SetMethod("POST")
		r.SetRequestURI("/api/v1/channels/kiosk/evaluations?source=kiosk&batch=42")
		r.Header.Set("X-Device-ID", "demo-kiosk-370400")
		r.Header.Set("X-Timestamp", ts) // and no X-Signature: 401 signature_missing
		r.Header.Set("Idempotency-Key", "kiosk-370400-42")
		r.Header.SetContentType("application/json")
		r.SetBodyString(`{"records":[{"seq":1041,"case_no":"SD370400-20261126-0001","level":5,"rated_at":"2026-11-26T10:40:00+08:00"}]}`)
	}
	qr := func(r *fasthttp.Request) {
		r.Header.SetMethod("GET")
		r.SetRequestURI("/e/AAAAAAAAAAEBbm90LWEtcmVhbC1tYWM/qr.png?utm_source=receipt&utm_medium=print")
		r.Header.Set("User-Agent", "receipt-printer/2.1")
	}
	for _, immutable := range []bool{false, true} {
		b.Run(fmt.Sprintf("immutable=%v", immutable), func(b *testing.B) {
			handler := web.New(web.Deps{
				DB: env.DB, Redis: env.Redis, Evaluation: sys.Evaluation, Auth: sys.Auth, Users: sys.Users,
				Rectify: sys.Rectify, Ledger: sys.Ledger, Registry: prometheus.NewRegistry(), BodyLimit: env.Cfg.BodyLimit,
				Log: env.Log, Immutable: immutable,
			}).Handler()
			var reqs [2]fasthttp.Request
			kiosk(&reqs[0])
			qr(&reqs[1])
			want := [2]int{401, 404}
			var ctx fasthttp.RequestCtx
			b.ReportAllocs()
			for b.Loop() {
				for i := range reqs {
					ctx.Init(&reqs[i], nil, nil)
					handler(&ctx)
					if got := ctx.Response.StatusCode(); got != want[i] {
						b.Fatalf("%s: %d %s", reqs[i].URI(), got, ctx.Response.Body())
					}
				}
			}
		})
	}
}
