package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "haochaping_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "haochaping_http_request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// middleware counts and times each request. Prometheus keeps the label values of every series
// for good, so none may be one of fiber's strings, which are views into a buffer the next
// request on the connection overwrites (a kept "GET" would later read "POS", and two series
// would end with the same labels: /metrics then answers 500). And each must come from a small
// set, or a client could mint series at will: see routeLabel and methodLabel.
func (m *httpMetrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	self := c.Route() // this middleware's own route: still the route after Next if none matched
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		// The error handler has not run yet; count what it will answer.
		if p := classifyAny(err); p != 0 {
			status = p
		}
	}
	route, method := routeLabel(c.Route(), self), methodLabel(c.Method())
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	return err
}

// unmatchedRoute labels the requests no route handled: unknown paths (404, 405), and those
// refused before routing (refuseInvalidText).
const unmatchedRoute = "unmatched"

// routeLabel is the pattern of the route that handled the request ("/api/v1/workorders/:id"),
// a string fixed when the route was registered. When no route matched, fiber leaves the last
// middleware that ran as the route — this one, whose pattern "/" would pass for a real route.
func routeLabel(r, self *fiber.Route) string {
	if r == self {
		return unmatchedRoute
	}
	return r.Path
}

// methodLabel maps the request's method to a constant string: the methods the API knows, and
// OTHER for the rest (fiber itself refuses a method it does not know, before any middleware).
func methodLabel(method string) string {
	switch method {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	}
	return "OTHER"
}

func metricsHandler(reg *prometheus.Registry) fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}
