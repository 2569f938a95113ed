package web_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/xuri/excelize/v2"

	"github.com/gofiber/fiber/v2"

	"haochaping/app/apptest"
	"haochaping/channels"
	"haochaping/internal/bjtime"
	"haochaping/internal/testenv"
	"haochaping/ledger"
	"haochaping/web"
	"haochaping/web/page"
	"haochaping/web/session"
)

// openapiNow is the business time of the tests of this file: a Thursday morning in Beijing.
var openapiNow = testenv.Beijing(2026, 11, 26, 10, 0, 0)

// loadOpenAPI loads the embedded document and validates it.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(web.OpenAPI)
	if err != nil {
		t.Fatalf("load web/openapi.yaml: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("web/openapi.yaml is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

// documentedOperations lists "METHOD /path/{param}" of every operation in the document.
func documentedOperations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op
		}
	}
	return ops
}

var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// isPage reports whether a route is a page or a page's asset rather than part of the API: it
// runs page.Pages, or serves the pages' static files or their text-size switch.
func isPage(r fiber.Route) bool {
	if r.Path == "/static/*" || r.Path == "/text-size" {
		return true
	}
	for _, h := range r.Handlers {
		if reflect.ValueOf(h).Pointer() == reflect.ValueOf(page.Pages).Pointer() {
			return true
		}
	}
	return false
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if _, err := gorillamux.NewRouter(doc); err != nil {
		t.Fatalf("router: %v", err)
	}
	srv := apptest.Start(testenv.New(t))

	served := map[string]bool{}
	for _, r := range srv.App.HTTP.GetRoutes(true) { // true: without the middleware of app.Use
		if r.Method == http.MethodHead { // fiber answers HEAD for every GET by itself
			continue
		}
		if isPage(r) { // pages are for people; the document describes the API
			continue
		}
		if strings.ContainsAny(r.Path, "*?+") {
			t.Errorf("route %s %s: wildcards and optional parameters are not converted; document it by hand", r.Method, r.Path)
		}
		served[r.Method+" "+fiberParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := documentedOperations(doc)
	for op := range served {
		if documented[op] == nil {
			t.Errorf("the server serves %s, which web/openapi.yaml does not document", op)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("web/openapi.yaml documents %s, which the server does not serve", op)
		}
	}

	deviceSchemes := []string{"DeviceID", "Timestamp", "Signature"}
	signedCodes := []string{"signature_missing", "signature_invalid", "device_disabled",
		"timestamp_skewed", "signature_replayed"}
	for name, op := range documented {
		if op.OperationID == "" || op.Summary == "" {
			t.Errorf("%s: needs an operationId and a summary", name)
		}
		codes := errorCodes(op)
		for status := range codes {
			if op.Responses.Value(status) == nil {
				t.Errorf("%s: x-error-codes lists status %s, which is not among its responses", name, status)
			}
		}
		for status, resp := range op.Responses.Map() {
			if n, _ := strconv.Atoi(status); n >= 400 && len(codes[status]) == 0 {
				t.Errorf("%s: response %s has no codes in x-error-codes", name, status)
			}
			if resp.Value == nil || resp.Value.Description == nil || *resp.Value.Description == "" {
				t.Errorf("%s: response %s has no description", name, status)
			}
		}
		if op.Security == nil || len(*op.Security) == 0 {
			continue
		}
		if !usesSchemes(*op.Security, deviceSchemes...) {
			// A staff operation: a session, by bearer token or cookie, and nothing else.
			checkSessionSecurity(t, name, *op.Security, codes)
			continue
		}
		// A signed operation answers every refusal of the signature check.
		for _, code := range signedCodes {
			if !slices.Contains(codes["401"], code) {
				t.Errorf("%s: signed, but x-error-codes 401 lacks %s", name, code)
			}
		}
		if !slices.Contains(codes["403"], "device_channel_mismatch") {
			t.Errorf("%s: signed, but x-error-codes 403 lacks device_channel_mismatch", name)
		}
		if !slices.Contains(codes["429"], "rate_limited") {
			t.Errorf("%s: signed, but x-error-codes 429 lacks rate_limited (the budgets of internal/ratelimit)", name)
		}
		for _, req := range *op.Security {
			for _, scheme := range deviceSchemes {
				if _, ok := req[scheme]; !ok {
					t.Errorf("%s: security requirement %v lacks %s: the three headers go together", name, req, scheme)
				}
			}
		}
	}
	for scheme, header := range map[string]string{
		"DeviceID": channels.HeaderDeviceID, "Timestamp": channels.HeaderTimestamp, "Signature": channels.HeaderSignature,
	} {
		s := doc.Components.SecuritySchemes[scheme]
		if s == nil || s.Value.Type != "apiKey" || s.Value.In != "header" || s.Value.Name != header {
			t.Errorf("security scheme %s must be an apiKey in header %s", scheme, header)
		}
	}
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" {
		t.Errorf("security scheme bearerAuth must be http bearer")
	}
	if s := doc.Components.SecuritySchemes["sessionCookie"]; s == nil || s.Value.Type != "apiKey" || s.Value.In != "cookie" ||
		s.Value.Name != session.CookieName {
		t.Errorf("security scheme sessionCookie must be an apiKey in cookie %s", session.CookieName)
	}
}

// sessionSchemes are the security schemes of a staff session: either one admits.
var sessionSchemes = []string{"bearerAuth", "sessionCookie"}

// usesSchemes reports whether a security requirement names one of schemes.
func usesSchemes(reqs openapi3.SecurityRequirements, schemes ...string) bool {
	for _, req := range reqs {
		for name := range req {
			if slices.Contains(schemes, name) {
				return true
			}
		}
	}
	return false
}

// checkSessionSecurity checks a staff operation's security: the bearer token and the cookie,
// each alone sufficient, and the refusal of a request without a live session.
func checkSessionSecurity(t *testing.T, name string, reqs openapi3.SecurityRequirements, codes map[string][]string) {
	t.Helper()
	offered := map[string]bool{}
	for _, req := range reqs {
		if len(req) != 1 {
			t.Errorf("%s: security requirement %v: a session scheme stands alone", name, req)
		}
		for scheme := range req {
			if !slices.Contains(sessionSchemes, scheme) {
				t.Errorf("%s: security requirement %v names %s, neither a device signature nor a session", name, req, scheme)
			}
			offered[scheme] = true
		}
	}
	for _, scheme := range sessionSchemes {
		if !offered[scheme] {
			t.Errorf("%s: a session operation accepts %s too", name, scheme)
		}
	}
	if !slices.Contains(codes["401"], "unauthenticated") {
		t.Errorf("%s: needs a session, but x-error-codes 401 lacks unauthenticated", name)
	}
	if slices.Contains(codes["401"], "signature_missing") {
		t.Errorf("%s: needs a session, not a device signature, yet lists signature_missing", name)
	}
	if method, _, _ := strings.Cut(name, " "); method != http.MethodGet && !slices.Contains(codes["403"], "csrf_failed") {
		t.Errorf("%s: a write a cookie may authenticate, yet x-error-codes 403 lacks csrf_failed", name)
	}
}

// errorCodes reads an operation's x-error-codes: status → codes.
func errorCodes(op *openapi3.Operation) map[string][]string {
	out := map[string][]string{}
	m, _ := op.Extensions["x-error-codes"].(map[string]any)
	for status, list := range m {
		l, _ := list.([]any)
		for _, c := range l {
			if s, ok := c.(string); ok {
				out[status] = append(out[status], s)
			}
		}
	}
	return out
}

// call is one request sent by an apiChecker and what the server must answer.
type call struct {
	name   string
	method string
	path   string
	dev    *apptest.Device // signs the request; nil: unsigned
	header http.Header     // more headers (or, with dev nil, the signature headers as they are)
	body   any
	status int
	code   string // the error code answered, if any
	// offSpec: the request breaks the document on purpose (the server refuses it too); the
	// document must reject it.
	offSpec bool
	// send replaces testenv's Raw to send the request, when it needs to be sent differently.
	send func(raw []byte, h http.Header) *apptest.Response
}

// apiChecker sends requests to a running server and validates each request and its answer
// against the document.
type apiChecker struct {
	t       *testing.T
	srv     *apptest.Server
	doc     *openapi3.T
	router  routers.Router
	opts    *openapi3filter.Options
	signed  int
	lastTS  int64                   // the timestamp of the last signature: each next one is earlier
	covered map[string]map[int]bool // operation → statuses seen
}

func newAPIChecker(t *testing.T, srv *apptest.Server) *apiChecker {
	doc := loadOpenAPI(t)
	doc.Servers = openapi3.Servers{{URL: srv.URL}} // route the test server's URLs
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &apiChecker{
		t: t, srv: srv, doc: doc, router: router,
		opts: &openapi3filter.Options{
			IncludeResponseStatus: true, // a status the document does not list is an error
			MultiError:            true,
			AuthenticationFunc:    credentialsPresent,
		},
		covered: map[string]map[int]bool{},
	}
}

// credentialsPresent checks that the credentials a security scheme names are sent: each apiKey
// header or cookie, or a bearer token; whether they are good is the server's to check.
func credentialsPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	req := in.RequestValidationInput.Request
	switch {
	case s.Type == "apiKey" && s.In == "header":
		if req.Header.Get(s.Name) == "" {
			return fmt.Errorf("header %s is missing", s.Name)
		}
	case s.Type == "apiKey" && s.In == "cookie":
		if c, err := req.Cookie(s.Name); err != nil || c.Value == "" {
			return fmt.Errorf("cookie %s is missing", s.Name)
		}
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		scheme, token, ok := strings.Cut(strings.TrimSpace(req.Header.Get("Authorization")), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return fmt.Errorf("no bearer token in Authorization")
		}
	default:
		return fmt.Errorf("security scheme %s: unexpected type %s in %s", in.SecuritySchemeName, s.Type, s.In)
	}
	return nil
}

// sign returns the signature headers of dev for the request. Each request is signed with a
// timestamp earlier than every one before it, so that identical requests carry different
// signatures (a signature is accepted once) even when the clock's second turns between them.
// The timestamps are the machine's: that is the clock signatures are checked against.
func (a *apiChecker) sign(dev apptest.Device, method, path string, body []byte) http.Header {
	a.signed++
	ts := time.Now().Unix() - 1
	if a.lastTS != 0 && ts >= a.lastTS {
		ts = a.lastTS - 1
	}
	a.lastTS = ts
	h := http.Header{}
	h.Set(channels.HeaderDeviceID, dev.ID)
	h.Set(channels.HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(channels.HeaderSignature, channels.Sign(dev.Secret, ts, method, path, body))
	return h
}

func rawBody(t *testing.T, body any) []byte {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return []byte(b)
	case []byte:
		return b
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// do sends the call, checks its status and code, and validates request and response against
// the document. It returns the response.
func (a *apiChecker) do(c call) *apptest.Response {
	t := a.t
	t.Helper()
	raw := rawBody(t, c.body)
	h := http.Header{}
	if c.dev != nil {
		h = a.sign(*c.dev, c.method, c.path, raw)
	}
	for k, v := range c.header {
		h[k] = v
	}
	var resp *apptest.Response
	if c.send != nil {
		resp = c.send(raw, h)
	} else {
		resp = a.srv.Raw(c.method, c.path, raw, h)
	}
	if resp.Status != c.status {
		t.Errorf("%s: %s %s answered %d, want %d: %s", c.name, c.method, c.path, resp.Status, c.status, resp.Body)
		return resp
	}
	if c.code != "" {
		if got := resp.Code(t); got != c.code {
			t.Errorf("%s: code %q, want %q: %s", c.name, got, c.code, resp.Body)
		}
	}

	// The request as the server saw it (testenv.Raw adds the JSON content type to a body).
	req, err := http.NewRequest(c.method, a.srv.URL+c.path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h.Clone()
	if len(raw) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	route, params, err := a.router.FindRoute(req)
	if err != nil {
		t.Errorf("%s: %s %s is not in the document: %v", c.name, c.method, c.path, err)
		return resp
	}
	opKey := route.Method + " " + route.Path
	if a.covered[opKey] == nil {
		a.covered[opKey] = map[int]bool{}
	}
	a.covered[opKey][resp.Status] = true

	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: a.opts}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	switch {
	case c.offSpec && reqErr == nil:
		t.Errorf("%s: the document accepts a request the server refuses (%d %s): %s", c.name, resp.Status, resp.Body, raw)
	case !c.offSpec && reqErr != nil:
		t.Errorf("%s: the request does not match the document: %v\nrequest: %s", c.name, reqErr, raw)
	}

	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.Status, Header: resp.Header, Options: a.opts,
	}
	out.SetBodyBytes(resp.Body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s: the response does not match the document: %v\nresponse %d %s: %s",
			c.name, err, resp.Status, resp.Header.Get("Content-Type"), resp.Body)
		return resp
	}
	a.checkUndocumentedFields(c.name, route.Operation, resp)
	if resp.Status >= 400 {
		code := resp.Code(t)
		if !slices.Contains(errorCodes(route.Operation)[strconv.Itoa(resp.Status)], code) {
			t.Errorf("%s: %s answered %d %s, which its x-error-codes do not list", c.name, opKey, resp.Status, code)
		}
	}
	return resp
}

// checkUndocumentedFields fails for a field of a JSON answer that the document does not
// describe: the document leaves responses open so that clients tolerate new fields, but the
// fields the server sends today must all be documented.
func (a *apiChecker) checkUndocumentedFields(name string, op *openapi3.Operation, resp *apptest.Response) {
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return
	}
	ref := op.Responses.Status(resp.Status)
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return
	}
	var v any
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		a.t.Errorf("%s: %v", name, err)
		return
	}
	if extra := undocumented(mt.Schema.Value, v, "$"); len(extra) > 0 {
		a.t.Errorf("%s: the response has fields the document does not describe: %v\n%s", name, extra, resp.Body)
	}
}

// undocumented lists the object keys in v that schema does not name, unless it allows them
// explicitly by additionalProperties.
func undocumented(s *openapi3.Schema, v any, at string) []string {
	if s == nil {
		return nil
	}
	parts := flatten(s, v)
	switch v := v.(type) {
	case map[string]any:
		var extra []string
		for k, val := range v {
			var sub []*openapi3.Schema
			open := false
			for _, p := range parts {
				if ps := p.Properties[k]; ps != nil {
					sub = append(sub, ps.Value)
				} else if ap := p.AdditionalProperties; ap.Schema != nil {
					sub, open = append(sub, ap.Schema.Value), true
				} else if ap.Has != nil && *ap.Has {
					open = true
				}
			}
			if len(sub) == 0 && !open {
				extra = append(extra, at+"."+k)
			}
			for _, ss := range sub {
				extra = append(extra, undocumented(ss, val, at+"."+k)...)
			}
		}
		sort.Strings(extra)
		return slices.Compact(extra)
	case []any:
		var extra []string
		for i, item := range v {
			for _, p := range parts {
				if p.Items != nil {
					extra = append(extra, undocumented(p.Items.Value, item, at+"["+strconv.Itoa(i)+"]")...)
				}
			}
		}
		return extra
	}
	return nil
}

// flatten returns s and the schemas it is composed of that apply to v: every allOf part, and
// the oneOf/anyOf branches v matches.
func flatten(s *openapi3.Schema, v any) []*openapi3.Schema {
	out := []*openapi3.Schema{s}
	for _, p := range s.AllOf {
		out = append(out, flatten(p.Value, v)...)
	}
	for _, p := range append(slices.Clone(s.OneOf), s.AnyOf...) {
		if p.Value.VisitJSON(v, openapi3.VisitAsResponse()) == nil {
			out = append(out, flatten(p.Value, v)...)
		}
	}
	return out
}

// evaluationPath is the path of a URL the server answered (evaluation_url or qr_url).
func evaluationPath(t *testing.T, u any) string {
	t.Helper()
	s, _ := u.(string)
	p, err := url.Parse(s)
	if err != nil || !strings.HasPrefix(p.Path, "/e/") {
		t.Fatalf("not an evaluation link: %v", u)
	}
	return p.Path
}

func TestResponsesMatchOpenAPI(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)

	system := srv.DemoDevice("demo-system")
	pad := srv.DemoDevice("demo-window-370400-zh01")
	kiosk := srv.DemoDevice("demo-kiosk-370400")
	mobile := srv.DemoDevice("demo-mobile")
	portal := srv.DemoDevice("demo-pc")
	now := env.Clock.Now()
	done := now.Add(-30 * time.Minute)
	recent := now.Add(-5 * time.Minute).Format(time.RFC3339)

	// Operations.
	a.do(call{name: "healthz", method: "GET", path: "/healthz", status: 200})
	a.do(call{name: "readyz", method: "GET", path: "/readyz", status: 200})
	a.do(call{name: "metrics", method: "GET", path: "/metrics", status: 200})
	a.do(call{name: "openapi.yaml", method: "GET", path: "/api/openapi.yaml", status: 200})
	a.do(call{name: "reasons", method: "GET", path: "/api/v1/reasons", status: 200})
	a.do(call{name: "reasons of an unknown case", method: "GET", path: "/api/v1/reasons?case_no=OA-NO-SUCH-CASE", status: 422,
		code: "case_not_found"})

	// Cases: one, again, as an array, as {"cases": [...]} with a bad one, refusals.
	const cases = "/api/v1/cases"
	first := a.do(call{name: "case created", method: "POST", path: cases, dev: &system,
		body: apptest.Case("OA-CASE-0001", done), status: 201}).JSON(t)
	a.do(call{name: "case updated", method: "POST", path: cases, dev: &system,
		body: apptest.Case("OA-CASE-0001", done), status: 200})
	array := a.do(call{name: "cases as an array", method: "POST", path: cases, dev: &system,
		body: []any{apptest.Case("OA-CASE-0002", done), apptest.Case("OA-CASE-0003", done)}, status: 200}).JSON(t)
	if array["accepted"] != 2.0 {
		t.Fatalf("array of cases: %v", array)
	}
	results := array["results"].([]any)
	mobileCase := results[1].(map[string]any)
	badItem := apptest.Case("OA-CASE-0005", done)
	badItem["item_code"] = "000000-NOPE"
	batch := a.do(call{name: "batch with a bad case", method: "POST", path: cases, dev: &system,
		body: map[string]any{"cases": []any{apptest.Case("OA-CASE-0004", done), badItem}}, status: 200}).JSON(t)
	if batch["accepted"] != 1.0 || batch["rejected"] != 1.0 {
		t.Fatalf("batch: %v", batch)
	}
	if r := batch["results"].([]any)[1].(map[string]any); r["code"] != "item_not_found" || r["status"] != "rejected" {
		t.Fatalf("batch: the bad case answered %v", r)
	}
	a.do(call{name: "case refused", method: "POST", path: cases, dev: &system, body: badItem,
		status: 422, code: "item_not_found"})
	a.do(call{name: "cases not JSON", method: "POST", path: cases, dev: &system, body: "case_no=1",
		status: 400, code: "invalid_json", offSpec: true})
	a.do(call{name: "cases unsigned", method: "POST", path: cases, body: apptest.Case("OA-CASE-0006", done),
		status: 401, code: "signature_missing", offSpec: true})
	a.do(call{name: "cases from a window pad", method: "POST", path: cases, dev: &pad,
		body: apptest.Case("OA-CASE-0006", done), status: 403, code: "device_channel_mismatch"})
	expired := a.do(call{name: "case served long ago", method: "POST", path: cases, dev: &system,
		body: apptest.Case("OA-CASE-OLD1", now.AddDate(0, 0, -10)), status: 201}).JSON(t)
	a.do(call{name: "reasons of a case", method: "GET", path: "/api/v1/reasons?case_no=OA-CASE-0001", status: 200})

	// Window pad.
	const window = "/api/v1/channels/window/evaluations"
	served := now.Add(-10 * time.Minute).Format(time.RFC3339)
	a.do(call{name: "window created", method: "POST", path: window, dev: &pad, status: 201,
		body: map[string]any{"ticket_no": "A017", "staff_no": apptest.CityStaff, "level": 2, "reasons": []string{"服务态度"},
			"comment": "等了很久", "served_at": served, "evaluator": map[string]any{"name": "李四", "phone": "13900001111"}}})
	a.do(call{name: "window repeat", method: "POST", path: window, dev: &pad, status: 200,
		body: map[string]any{"ticket_no": "A017", "level": 5, "served_at": served}})
	a.do(call{name: "window rates a case", method: "POST", path: window, dev: &pad, status: 201,
		body: map[string]any{"case_no": "OA-CASE-0001", "staff_no": apptest.CityStaff, "level": 4}})
	a.do(call{name: "window names staff of another window", method: "POST", path: window, dev: &pad, status: 422,
		code: "staff_not_at_window", body: map[string]any{"ticket_no": "A019", "staff_no": "370400-GA01-1", "level": 5, "served_at": served}})
	a.do(call{name: "window with an idempotency key", method: "POST", path: window, dev: &pad, status: 201,
		header: http.Header{"Idempotency-Key": {"pad-20261126-A018"}},
		body:   map[string]any{"ticket_no": "A018", "level": 5, "served_at": served, "firmware": "2.1.0"}})
	a.do(call{name: "window level 0", method: "POST", path: window, dev: &pad, status: 422, code: "invalid_level",
		body: map[string]any{"ticket_no": "A019", "level": 0, "served_at": served}, offSpec: true})
	a.do(call{name: "window bad review without reasons", method: "POST", path: window, dev: &pad, status: 422,
		code: "reasons_required", body: map[string]any{"ticket_no": "A019", "level": 1, "served_at": served}})
	badSig := a.sign(pad, "POST", window, nil)
	badSig.Set(channels.HeaderSignature, strings.Repeat("0", 64))
	a.do(call{name: "window bad signature", method: "POST", path: window, header: badSig, status: 401,
		code: "signature_invalid", body: map[string]any{"ticket_no": "A020", "level": 5, "served_at": served}})
	replayBody := map[string]any{"ticket_no": "A021", "level": 4, "served_at": served}
	replay := a.sign(pad, "POST", window, rawBody(t, replayBody))
	a.do(call{name: "window signed once", method: "POST", path: window, header: replay, body: replayBody, status: 201})
	a.do(call{name: "window replayed", method: "POST", path: window, header: replay, body: replayBody,
		status: 401, code: "signature_replayed"})
	stranger := apptest.Device{ID: "no-such-device", Secret: "x"}
	a.do(call{name: "window unknown device", method: "POST", path: window, dev: &stranger, status: 401,
		code: "signature_invalid", body: map[string]any{"ticket_no": "A022", "level": 5, "served_at": served}})
	disabled := srv.AddDevice("window", apptest.CityWindow, "")
	if err := srv.App.Devices.SetEnabled(context.Background(), disabled.ID, false); err != nil {
		t.Fatal(err)
	}
	a.do(call{name: "window disabled device", method: "POST", path: window, dev: &disabled, status: 401,
		code: "device_disabled", body: map[string]any{"ticket_no": "A022", "level": 5, "served_at": served}})
	skewedBody := map[string]any{"ticket_no": "A022", "level": 5, "served_at": served}
	skewedAt := time.Now().Add(-time.Hour).Unix() // signatures are checked against the machine's clock
	skewed := http.Header{}
	skewed.Set(channels.HeaderDeviceID, pad.ID)
	skewed.Set(channels.HeaderTimestamp, strconv.FormatInt(skewedAt, 10))
	skewed.Set(channels.HeaderSignature, channels.Sign(pad.Secret, skewedAt, "POST", window, rawBody(t, skewedBody)))
	a.do(call{name: "window clock an hour behind", method: "POST", path: window, header: skewed, body: skewedBody,
		status: 401, code: "timestamp_skewed"})

	// The window's system asks its pad to rate (the pad's page shows it: web/citizen/pad_test.go).
	const prompts = "/api/v1/channels/window/prompts"
	a.do(call{name: "prompt a case", method: "POST", path: prompts, dev: &pad, status: 202,
		body: map[string]any{"case_no": "OA-CASE-0003", "staff_no": apptest.CityStaff}})
	a.do(call{name: "prompt a ticket", method: "POST", path: prompts, dev: &pad, status: 202,
		body: map[string]any{"ticket_no": "A030", "served_at": served}})
	a.do(call{name: "prompt a case rated already", method: "POST", path: prompts, dev: &pad, status: 409,
		code: "already_rated", body: map[string]any{"case_no": "OA-CASE-0001"}})
	a.do(call{name: "prompt naming staff of another window", method: "POST", path: prompts, dev: &pad, status: 422,
		code: "staff_not_at_window", body: map[string]any{"ticket_no": "A031", "staff_no": "370400-GA01-1", "served_at": served}})
	a.do(call{name: "prompt with a level", method: "POST", path: prompts, dev: &pad, status: 422,
		code: "rating_not_allowed", body: map[string]any{"case_no": "OA-CASE-0003", "level": 5}})
	a.do(call{name: "prompt from a kiosk", method: "POST", path: prompts, dev: &kiosk, status: 403,
		code: "device_channel_mismatch", body: map[string]any{"case_no": "OA-CASE-0003"}})

	// Kiosk: one good record and one refused, then the same upload again.
	const kioskPath = "/api/v1/channels/kiosk/evaluations"
	upload := map[string]any{"records": []any{
		map[string]any{"seq": 1, "case_no": "OA-CASE-0002", "level": 5, "rated_at": recent},
		map[string]any{"seq": 2, "case_no": "OA-NO-SUCH-CASE", "level": 4, "rated_at": recent},
	}}
	a.do(call{name: "kiosk from a window pad", method: "POST", path: kioskPath, dev: &pad, body: upload,
		status: 403, code: "device_channel_mismatch"})
	k := a.do(call{name: "kiosk upload", method: "POST", path: kioskPath, dev: &kiosk, body: upload, status: 200}).JSON(t)
	if k["accepted"] != 1.0 || k["rejected"] != 1.0 {
		t.Fatalf("kiosk upload: %v", k)
	}
	if r := k["results"].([]any)[1].(map[string]any); r["code"] != "case_not_found" || r["seq"] != 2.0 {
		t.Fatalf("kiosk upload: the bad record answered %v", r)
	}
	k = a.do(call{name: "kiosk upload again", method: "POST", path: kioskPath, dev: &kiosk, body: upload, status: 200}).JSON(t)
	if k["duplicates"] != 1.0 || k["rejected"] != 1.0 {
		t.Fatalf("kiosk upload again: %v", k)
	}
	a.do(call{name: "kiosk without records", method: "POST", path: kioskPath, dev: &kiosk,
		body: map[string]any{"records": []any{}}, status: 422, code: "records_required", offSpec: true})

	// Mobile: the token is the last segment of the case's evaluation link.
	const mobilePath = "/api/v1/channels/mobile/evaluations"
	token := strings.TrimPrefix(evaluationPath(t, mobileCase["evaluation_url"]), "/e/")
	a.do(call{name: "mobile created", method: "POST", path: mobilePath, dev: &mobile, status: 201,
		body: map[string]any{"token": token, "level": 4, "reasons": []string{"服务效率"}, "comment": "很方便"}})
	a.do(call{name: "mobile repeat", method: "POST", path: mobilePath, dev: &mobile, status: 200,
		body: map[string]any{"token": token, "level": 3}})
	a.do(call{name: "mobile invalid token", method: "POST", path: mobilePath, dev: &mobile, status: 422,
		code: "invalid_token", body: map[string]any{"token": "bogus", "level": 5}})
	oldToken := strings.TrimPrefix(evaluationPath(t, expired["evaluation_url"]), "/e/")
	a.do(call{name: "mobile link expired", method: "POST", path: mobilePath, dev: &mobile, status: 410,
		code: "link_expired", body: map[string]any{"token": oldToken, "level": 5}})

	// Portal: the applicant, someone else, refusals.
	const pcPath = "/api/v1/channels/pc/evaluations"
	a.do(call{name: "pc created", method: "POST", path: pcPath, dev: &portal, status: 201,
		body: map[string]any{"case_no": "OA-CASE-0004", "level": 5, "comment": "网上办理很顺利",
			"user": map[string]any{"id": "u-1", "name": apptest.ApplicantName, "id_number": apptest.ApplicantID}}})
	a.do(call{name: "pc not the applicant", method: "POST", path: pcPath, dev: &portal, status: 403,
		code: "not_applicant", body: map[string]any{"case_no": "OA-CASE-0001", "level": 1, "reasons": []string{"办事效率"},
			"user": map[string]any{"id": "u-2", "name": "王五", "id_number": "370402199202021235"}}})
	a.do(call{name: "pc unknown case", method: "POST", path: pcPath, dev: &portal, status: 422, code: "case_not_found",
		body: map[string]any{"case_no": "OA-NO-SUCH-CASE", "level": 5,
			"user": map[string]any{"id_number": apptest.ApplicantID}}})
	a.do(call{name: "pc without user", method: "POST", path: pcPath, dev: &portal, status: 422, code: "user_required",
		body: map[string]any{"case_no": "OA-CASE-0001", "level": 5}, offSpec: true})
	a.do(call{name: "pc level as text", method: "POST", path: pcPath, dev: &portal, status: 400, code: "invalid_json",
		body:    map[string]any{"case_no": "OA-CASE-0001", "level": "5", "user": map[string]any{"phone": apptest.ApplicantTel}},
		offSpec: true})

	// The QR code of a link.
	png := a.do(call{name: "qr code", method: "GET", path: evaluationPath(t, first["qr_url"]), status: 200})
	if !bytes.HasPrefix(png.Body, []byte("\x89PNG")) {
		t.Errorf("qr code: not a PNG: %.20q", png.Body)
	}
	a.do(call{name: "qr code of a bad token", method: "GET", path: "/e/bogus/qr.png", status: 404, code: "invalid_token"})

	// Staff login (demo users are seeded in demo mode).
	loginAnswer := a.do(call{name: "login", method: "POST", path: "/api/v1/auth/login", status: 200,
		body: map[string]any{"username": "office", "password": "demo1234"}})
	sessionToken, _ := loginAnswer.JSON(t)["token"].(string)
	a.do(call{name: "login wrong password", method: "POST", path: "/api/v1/auth/login", status: 401, code: "invalid_credentials",
		body: map[string]any{"username": "office", "password": "wrong-password"}})
	a.do(call{name: "login without password", method: "POST", path: "/api/v1/auth/login", status: 422, code: "password_required",
		body: map[string]any{"username": "office", "password": ""}})
	a.do(call{name: "login not json", method: "POST", path: "/api/v1/auth/login", status: 400, code: "invalid_json",
		body: "{", offSpec: true})
	bearer := http.Header{"Authorization": {"Bearer " + sessionToken}}
	a.do(call{name: "me", method: "GET", path: "/api/v1/auth/me", header: bearer, status: 200})
	a.do(call{name: "me without session", method: "GET", path: "/api/v1/auth/me", status: 401, code: "unauthenticated",
		offSpec: true})
	pairing := "/api/v1/devices/" + pad.ID + "/pairing-code"
	a.do(call{name: "pairing code", method: "POST", path: pairing, header: bearer, status: 201})
	a.do(call{name: "pairing code of an unknown device", method: "POST", path: "/api/v1/devices/no-such-device/pairing-code",
		header: bearer, status: 404, code: "device_not_found"})
	a.do(call{name: "pairing code of a backend", method: "POST", path: "/api/v1/devices/" + mobile.ID + "/pairing-code",
		header: bearer, status: 422, code: "not_pairable"})
	a.do(call{name: "pairing code as window staff", method: "POST", path: pairing, status: 403, code: "forbidden_role",
		header: http.Header{"Authorization": {"Bearer " + srv.Login("zh01", "demo1234")}}})
	a.do(call{name: "pairing code without a session", method: "POST", path: pairing, status: 401, code: "unauthenticated", offSpec: true})
	a.do(call{name: "logout", method: "POST", path: "/api/v1/auth/logout", header: bearer, status: 204})
	a.do(call{name: "logout again", method: "POST", path: "/api/v1/auth/logout", header: bearer, status: 401, code: "unauthenticated"})

	// Every documented operation but the staff API's (TestStaffAPIMatchesOpenAPI), the
	// statistics API's (TestStatsAPIMatchesOpenAPI) and the ledger API's
	// (TestLedgerAPIMatchesOpenAPI) and the administration's (TestAdminPeopleAPIMatchesOpenAPI,
	// TestAdminOrgAPIMatchesOpenAPI), the audit log's (TestAuditAPIMatchesOpenAPI), the change
	// of password (TestAuthAPIMatchesOpenAPI), the second factor (TestTOTPAPIMatchesOpenAPI) and
	// the office's view of the upward report (TestUpwardAPIMatchesOpenAPI) was exercised.
	a.checkCoverage(func(op *openapi3.Operation) bool {
		return !staffOperation(op) && !statsOperation(op) && !ledgerOperation(op) && !adminPeopleOperation(op) && !adminOrgOperation(op) &&
			!auditOperation(op) && !authHardeningOperation(op) && !secondFactorOperation(op) && !upwardOperation(op)
	})
	a.logCoverage()
}

// checkCoverage fails for each documented operation that which selects and no request
// exercised.
func (a *apiChecker) checkCoverage(which func(*openapi3.Operation) bool) {
	for name, op := range documentedOperations(a.doc) {
		if which(op) && len(a.covered[name]) == 0 {
			a.t.Errorf("%s was not exercised", name)
		}
	}
}

// staffTags are the tags of the staff API of the bad-review loop.
var staffTags = []string{"workorders", "callback-scripts", "notifications"}

func staffOperation(op *openapi3.Operation) bool {
	for _, tag := range op.Tags {
		if slices.Contains(staffTags, tag) {
			return true
		}
	}
	return false
}

// statsOperation reports whether op belongs to the statistics API (tag stats).
func statsOperation(op *openapi3.Operation) bool { return slices.Contains(op.Tags, "stats") }

// ledgerOperation reports whether op belongs to the ledger API (tag ledgers).
func ledgerOperation(op *openapi3.Operation) bool { return slices.Contains(op.Tags, "ledgers") }

// logCoverage logs the statuses seen of each operation.
func (a *apiChecker) logCoverage() {
	var ops []string
	for op := range a.covered {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		var s []int
		for st := range a.covered[op] {
			s = append(s, st)
		}
		sort.Ints(s)
		a.t.Logf("%-45s %v", op, s)
	}
}

// TestFailuresMatchOpenAPI checks the answers that need a failure to provoke: readiness with
// Redis down, and a body over the limit.
func TestFailuresMatchOpenAPI(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(openapiNow)
	apptest.Seed(env)
	redis := testenv.StartRedis(t)
	env.Redis = redis.Client()
	srv := apptest.Start(env)
	a := newAPIChecker(t, srv)

	a.do(call{name: "readyz", method: "GET", path: "/readyz", status: 200})
	redis.Stop()
	r := a.do(call{name: "readyz with Redis down", method: "GET", path: "/readyz", status: 503, code: "not_ready"})
	if down, _ := r.JSON(t)["down"].([]any); len(down) != 1 || down[0] != "redis" {
		t.Errorf("readyz with Redis down: %s", r.Body)
	}

	// The server refuses a body over the limit by its Content-Length, before reading it; only
	// the headers are sent, lest the server close the connection while the client still writes.
	pad := srv.DemoDevice("demo-window-370400-zh01")
	const window = "/api/v1/channels/window/evaluations"
	a.do(call{name: "body over the limit", method: "POST", path: window, dev: &pad,
		body: make([]byte, env.Cfg.BodyLimit+1), status: 413, code: "body_too_large", offSpec: true,
		send: func(raw []byte, h http.Header) *apptest.Response {
			return headersOnly(t, srv, "POST", window, len(raw), h)
		}})
	a.logCoverage()
}

// headersOnly sends a request's headers, announcing a body of n bytes that it never sends,
// and reads the answer.
func headersOnly(t *testing.T, srv *apptest.Server, method, path string, n int, h http.Header) *apptest.Response {
	t.Helper()
	return srv.ByHand(method, path, fmt.Sprintf("Content-Type: application/json\r\nContent-Length: %d\r\n", n)+apptest.HeaderLines(h), nil)
}

// idOf is the "id" of an answer, failing the test when it has none.
func idOf(t *testing.T, what string, m map[string]any) int64 {
	t.Helper()
	id, ok := m["id"].(float64)
	if !ok {
		t.Fatalf("%s: no id in %v", what, m)
	}
	return int64(id)
}

// bearer is the header of a staff session.
func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// staffCall is a call with a staff session (token empty: none).
func staffCall(name, token, method, path string, body any, status int, code string) call {
	c := call{name: name, method: method, path: path, body: body, status: status, code: code}
	if token != "" {
		c.header = bearer(token)
	}
	return c
}

// TestStaffAPIMatchesOpenAPI walks work orders through the bad-review loop by the staff API
// — every operation, its success and its main refusals — validating each request and answer
// against the document.
func TestStaffAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)
	ctx := context.Background()

	// Bad reviews at the city hall's first window, served by zh01 (市审批服务局), each made a
	// work order at once: wo1 and wo3 real-name, wo2 and wo4 anonymous.
	pad := srv.DemoDevice("demo-window-370400-zh01")
	const phone = "13900001111"
	badReview := func(ticket string, realName bool) int64 {
		t.Helper()
		body := map[string]any{"ticket_no": ticket, "staff_no": apptest.CityStaff, "level": 1, "reasons": []string{"服务态度"},
			"comment": "窗口人员态度生硬", "served_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)}
		if realName {
			body["evaluator"] = map[string]any{"name": "李四", "phone": phone}
		}
		r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", body)
		if r.Status != 201 {
			t.Fatalf("bad review %s: %d %s", ticket, r.Status, r.Body)
		}
		id, created, err := srv.App.Rectify.Dispatch(ctx, int64(r.JSON(t)["id"].(float64)))
		if err != nil || !created {
			t.Fatalf("dispatch %s: created %v, %v", ticket, created, err)
		}
		return id
	}
	wo1, wo2, wo3, wo4 := badReview("S001", true), badReview("S002", false), badReview("S003", true), badReview("S004", false)
	wo := func(id int64, rest string) string { return fmt.Sprintf("/api/v1/workorders/%d%s", id, rest) }

	zh01 := srv.Login("zh01", "demo1234") // the handler of the four
	ga01 := srv.Login("ga01", "demo1234") // window staff of another unit (市公安局)
	head := srv.Login("spj-head", "demo1234")
	office := srv.Login("office", "demo1234")
	auditor := srv.Login("auditor", "demo1234")
	do := func(c call) map[string]any {
		t.Helper()
		r := a.do(c)
		if r.Status != c.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			return map[string]any{}
		}
		return r.JSON(t)
	}
	state := func(m map[string]any) any { return m["state"] }

	// Without a session, every operation answers 401; with an unknown token too.
	noSession := []struct{ method, path string }{
		{"GET", "/api/v1/workorders"}, {"GET", wo(wo1, "")}, {"GET", wo(wo1, "/scripts/1")},
		{"GET", "/api/v1/callback-scripts"}, {"POST", "/api/v1/callback-scripts"}, {"PUT", "/api/v1/callback-scripts/1"},
		{"GET", "/api/v1/notifications"}, {"POST", "/api/v1/notifications/1/read"},
	}
	for _, action := range []string{"callback", "decide", "rectify", "feedback", "close", "return", "extension",
		"extension/ruling", "appeal/ruling", "reassign", "supervise", "reveal-phone"} {
		noSession = append(noSession, struct{ method, path string }{"POST", wo(wo1, "/"+action)})
	}
	for _, op := range noSession {
		c := staffCall("without a session", "", op.method, op.path, nil, 401, "unauthenticated")
		c.offSpec = true
		a.do(c)
	}
	a.do(staffCall("unknown token", "no-such-token", "GET", "/api/v1/workorders", nil, 401, "unauthenticated"))
	// The login check is the staff routes' own: public and unknown paths under /api/v1 answer
	// without a session as before.
	if r := srv.Raw("GET", "/api/v1/reasons", nil, nil); r.Status != 200 {
		t.Errorf("reasons without a session: %d %s", r.Status, r.Body)
	}
	if r := srv.Raw("GET", "/api/v1/no-such-route", nil, nil); r.Status != 404 || r.Code(t) != "not_found" {
		t.Errorf("an unknown route without a session: %d %s", r.Status, r.Body)
	}

	// Callback scripts: the office keeps them.
	const scripts = "/api/v1/callback-scripts"
	scriptBody := "您好，{{evaluator}}，我们是政务服务中心。您于{{date}}对{{item}}的评价（工单 {{ number }}）我们已收到。"
	sc := do(staffCall("script created", office, "POST", scripts, map[string]any{"title": "差评回访", "body": scriptBody}, 201, ""))
	scriptID := idOf(t, "script created", sc)
	off := do(staffCall("inactive script created", office, "POST", scripts,
		map[string]any{"title": "旧话术", "body": "您好，{{evaluator}}。", "active": false}, 201, ""))
	offID := idOf(t, "inactive script created", off)
	a.do(staffCall("script by window staff", zh01, "POST", scripts, map[string]any{"title": "x", "body": "y"}, 403, "forbidden_role"))
	a.do(staffCall("script with an unknown placeholder", office, "POST", scripts,
		map[string]any{"title": "x", "body": "您的电话是 {{phone}}"}, 422, "invalid_placeholder"))
	blank := staffCall("script without a title", office, "POST", scripts, map[string]any{"title": "", "body": "y"}, 422, "invalid_title")
	blank.offSpec = true
	a.do(blank)
	notJSON := staffCall("script not JSON", office, "POST", scripts, "title=x", 400, "invalid_json")
	notJSON.offSpec = true
	a.do(notJSON)
	sc = do(staffCall("script updated", office, "PUT", fmt.Sprintf("%s/%d", scripts, scriptID),
		map[string]any{"title": "差评回访（通用）", "body": scriptBody, "active": true}, 200, ""))
	if sc["title"] != "差评回访（通用）" {
		t.Errorf("script updated: %v", sc)
	}
	a.do(staffCall("script update by an auditor", auditor, "PUT", fmt.Sprintf("%s/%d", scripts, scriptID),
		map[string]any{"title": "x", "body": "y"}, 403, "forbidden_role"))
	a.do(staffCall("script update of no script", office, "PUT", scripts+"/999999",
		map[string]any{"title": "x", "body": "y"}, 404, "script_not_found"))
	listed := func(m map[string]any) []int64 {
		var ids []int64
		items, _ := m["items"].([]any)
		for _, it := range items {
			ids = append(ids, idOf(t, "a listed item", it.(map[string]any)))
		}
		return ids
	}
	if ids := listed(do(staffCall("scripts for staff", zh01, "GET", scripts, nil, 200, ""))); !slices.Contains(ids, scriptID) ||
		slices.Contains(ids, offID) {
		t.Errorf("window staff see scripts %v, want %d and not the inactive %d", ids, scriptID, offID)
	}
	if ids := listed(do(staffCall("scripts for the office", office, "GET", scripts, nil, 200, ""))); !slices.Contains(ids, offID) {
		t.Errorf("the office sees scripts %v, want the inactive %d too", ids, offID)
	}
	text := do(staffCall("script filled in", zh01, "GET", wo(wo1, fmt.Sprintf("/scripts/%d", scriptID)), nil, 200, ""))
	if s, _ := text["text"].(string); !strings.Contains(s, "李*") || strings.Contains(s, "{{") || strings.Contains(s, phone) {
		t.Errorf("script filled in: %q", s)
	}
	a.do(staffCall("inactive script filled in", zh01, "GET", wo(wo1, fmt.Sprintf("/scripts/%d", offID)), nil, 404, "script_not_found"))
	a.do(staffCall("script for another unit's order", ga01, "GET", wo(wo1, fmt.Sprintf("/scripts/%d", scriptID)), nil,
		404, "work_order_not_found"))

	// The inbox of work orders, with every filter.
	today := env.Clock.Now().In(bjtime.Location).Format("2006-01-02")
	page := do(staffCall("list", zh01, "GET", "/api/v1/workorders", nil, 200, ""))
	if ids := listed(page); len(ids) != 4 || page["total"] != 4.0 {
		t.Errorf("zh01 lists %v (total %v), want the four orders", ids, page["total"])
	}
	filtered := "/api/v1/workorders?state=pending_callback,verified&overdue=false&channel=window&from=" + today +
		"&to=" + today + "&mine=true&page=1&per_page=10"
	if ids := listed(do(staffCall("list with filters", zh01, "GET", filtered, nil, 200, ""))); len(ids) != 4 {
		t.Errorf("filtered list: %v", ids)
	}
	if ids := listed(do(staffCall("list of another unit", ga01, "GET", "/api/v1/workorders", nil, 200, ""))); len(ids) != 0 {
		t.Errorf("ga01 lists zh01's orders: %v", ids)
	}
	// The search box (q): a work-order number, a case number, a ticket, a phone however written;
	// within the scope of who searches, so another unit's clerk finds none of zh01's.
	caseOrder := func() int64 {
		c := apptest.Case("OA-SEARCH-Ab01", env.Clock.Now().Add(-time.Hour))
		link := srv.PushCase(c)["evaluation_url"].(string)
		r := srv.Signed(srv.DemoDevice("demo-mobile"), "POST", "/api/v1/channels/mobile/evaluations", map[string]any{
			"token": link[strings.LastIndex(link, "/")+1:], "level": 1, "reasons": []string{"服务效率"}})
		if r.Status != 201 {
			t.Fatalf("rating the case: %d %s", r.Status, r.Body)
		}
		id, _, err := srv.App.Rectify.Dispatch(ctx, int64(r.JSON(t)["id"].(float64)))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}()
	offSpec := func(c call) call { c.offSpec = true; return c } // the document refuses the request
	number := do(staffCall("detail for its number", zh01, "GET", wo(wo3, ""), nil, 200, ""))["number"].(string)
	for _, s := range []struct {
		name, token, q string
		want           []int64
	}{
		{"search by work-order number", office, strings.ToLower(number), []int64{wo3}},
		{"search by case number", zh01, "oa-search-AB01", []int64{caseOrder}},
		{"search by ticket", zh01, "S002", []int64{wo2}},
		{"search by phone", zh01, "+86 139-0000-1111", []int64{wo1, wo3}},
		{"search by the applicant's phone", head, "138 1234 5678", []int64{caseOrder}},
		{"search by phone, another unit's clerk", ga01, phone, nil},
		{"search by phone, another unit's head", srv.Login("gaj-head", "demo1234"), phone, nil},
		{"search finding nothing", office, "OA-NO-SUCH-CASE", nil},
	} {
		ids := listed(do(staffCall(s.name, s.token, "GET", "/api/v1/workorders?q="+url.QueryEscape(s.q), nil, 200, "")))
		slices.Sort(ids)
		if fmt.Sprint(ids) != fmt.Sprint(s.want) {
			t.Errorf("%s (%q): %v, want %v", s.name, s.q, ids, s.want)
		}
	}
	a.do(offSpec(staffCall("search too long", office, "GET", "/api/v1/workorders?q="+strings.Repeat("A", 65), nil, 422, "invalid_q")))
	a.do(staffCall("search with a tab", office, "GET", "/api/v1/workorders?q=S0%0901", nil, 422, "invalid_q"))
	a.do(staffCall("search with NUL", office, "GET", "/api/v1/workorders?q=S0%0001", nil, 400, "invalid_text"))
	counts := do(staffCall("counts", zh01, "GET", "/api/v1/workorders/counts", nil, 200, ""))
	if byState, _ := counts["by_state"].(map[string]any); counts["total"] != 5.0 || byState["pending_callback"] != 5.0 {
		t.Errorf("zh01's counts: %v, want 5 pending callback", counts)
	}
	counts = do(staffCall("counts with filters", office, "GET", "/api/v1/workorders/counts?q="+phone+
		"&overdue=false&channel=window&from="+today+"&to="+today+"&mine=false", nil, 200, ""))
	if counts["total"] != 2.0 {
		t.Errorf("counts of a phone: %v, want 2", counts)
	}
	a.do(staffCall("counts of another unit's phone", ga01, "GET", "/api/v1/workorders/counts?q="+phone, nil, 200, ""))
	a.do(offSpec(staffCall("counts without a session", "", "GET", "/api/v1/workorders/counts", nil, 401, "unauthenticated")))
	a.do(offSpec(staffCall("counts with a bad search", zh01, "GET", "/api/v1/workorders/counts?q="+strings.Repeat("A", 65), nil, 422, "invalid_q")))
	a.do(offSpec(staffCall("counts with a bad date", zh01, "GET", "/api/v1/workorders/counts?from=tomorrow", nil, 422, "invalid_date")))
	a.do(call{name: "list by cookie", method: "GET", path: "/api/v1/workorders?mine=true", status: 200,
		header: http.Header{"Cookie": {session.CookieName + "=" + zh01}}})
	for name, query := range map[string]string{"invalid_state": "state=bogus", "invalid_per_page": "per_page=500",
		"invalid_page": "page=first", "invalid_mine": "mine=perhaps",
		"invalid_channel": "channel=fax", "invalid_overdue": "overdue=maybe"} {
		c := staffCall("list "+query, zh01, "GET", "/api/v1/workorders?"+query, nil, 422, name)
		c.offSpec = true
		a.do(c)
	}

	// One order: the evaluator shows masked, never in full.
	r := a.do(staffCall("detail", zh01, "GET", wo(wo1, ""), nil, 200, ""))
	if d := r.JSON(t); state(d) != "pending_callback" || d["real_name"] != true || bytes.Contains(r.Body, []byte(phone)) {
		t.Errorf("detail: %s", r.Body)
	}
	a.do(staffCall("detail for an auditor", auditor, "GET", wo(wo1, ""), nil, 200, ""))
	a.do(staffCall("detail of another unit's order", ga01, "GET", wo(wo1, ""), nil, 404, "work_order_not_found"))
	bad := staffCall("detail of a bad id", zh01, "GET", "/api/v1/workorders/abc", nil, 404, "not_found")
	bad.offSpec = true
	a.do(bad)

	// wo1, real-name: callback → deadline → extension granted → supervised → phone revealed →
	// rectified → fed back → closed.
	sha := strings.Repeat("ab", 32)
	a.do(staffCall("callback without method", zh01, "POST", wo(wo1, "/callback"),
		map[string]any{"reached": true, "facts": "已核实"}, 422, "method_required"))
	a.do(staffCall("callback without reached", zh01, "POST", wo(wo1, "/callback"),
		map[string]any{"method": "phone", "facts": "已核实"}, 422, "reached_required"))
	fax := staffCall("callback by fax", zh01, "POST", wo(wo1, "/callback"),
		map[string]any{"method": "fax", "reached": true, "facts": "已核实"}, 422, "invalid_method")
	fax.offSpec = true
	a.do(fax)
	a.do(staffCall("callback with no such script", zh01, "POST", wo(wo1, "/callback"),
		map[string]any{"method": "phone", "reached": true, "facts": "已核实", "script_id": 999999}, 422, "script_not_found"))
	callback := map[string]any{"method": "phone", "reached": true, "facts": "评价人反映等候时间长，经查属实", "script_id": scriptID,
		"note": "已致歉", "attachments": []any{map[string]any{"name": "通话录音.mp3", "size": 52011, "sha256": sha}}}
	a.do(staffCall("callback by an auditor", auditor, "POST", wo(wo1, "/callback"), callback, 403, "forbidden_action"))
	a.do(staffCall("callback of another unit's order", ga01, "POST", wo(wo1, "/callback"), callback, 404, "work_order_not_found"))
	if d := do(staffCall("callback", zh01, "POST", wo(wo1, "/callback"), callback, 200, "")); state(d) != "verified" {
		t.Errorf("callback: %v", d)
	}
	a.do(staffCall("callback again", zh01, "POST", wo(wo1, "/callback"), callback, 409, "transition_not_allowed"))
	a.do(staffCall("rectify before deciding", zh01, "POST", wo(wo1, "/rectify"),
		map[string]any{"measures": "增设窗口"}, 409, "transition_not_allowed"))
	later := staffCall("decide later", zh01, "POST", wo(wo1, "/decide"), map[string]any{"decision": "later"}, 422, "invalid_decision")
	later.offSpec = true
	a.do(later)
	a.do(staffCall("deadline without a reason", zh01, "POST", wo(wo1, "/decide"),
		map[string]any{"decision": "deadline"}, 422, "reason_required"))
	a.do(staffCall("a deadline longer than the region's default, which only an extension gives", zh01, "POST", wo(wo1, "/decide"),
		map[string]any{"decision": "deadline", "reason": "需采购设备", "working_days": 15}, 422, "deadline_needs_extension"))
	noDay := staffCall("a deadline of no day", zh01, "POST", wo(wo1, "/decide"),
		map[string]any{"decision": "deadline", "reason": "需采购设备", "working_days": 0}, 422, "invalid_working_days")
	noDay.offSpec = true // the document says minimum 1
	a.do(noDay)
	d := do(staffCall("decide deadline", zh01, "POST", wo(wo1, "/decide"),
		map[string]any{"decision": "deadline", "reason": "需调整窗口设置", "working_days": 5}, 200, ""))
	if state(d) != "rectifying_deadline" || d["decision"] != "deadline" {
		t.Errorf("decide deadline: %v", d)
	}
	a.do(staffCall("extension not longer", zh01, "POST", wo(wo1, "/extension"),
		map[string]any{"reason": "需采购设备", "working_days": 3}, 422, "extension_not_longer"))
	noReason := staffCall("extension without a reason", zh01, "POST", wo(wo1, "/extension"),
		map[string]any{"working_days": 10}, 422, "reason_required")
	noReason.offSpec = true
	a.do(noReason)
	extension := map[string]any{"reason": "叫号设备需招标采购", "working_days": 10}
	a.do(staffCall("extension asked by the office", office, "POST", wo(wo1, "/extension"), extension, 403, "forbidden_action"))
	a.do(staffCall("ruling without a request", office, "POST", wo(wo1, "/extension/ruling"),
		map[string]any{"grant": true}, 409, "no_extension_requested"))
	d = do(staffCall("extension", zh01, "POST", wo(wo1, "/extension"), extension, 200, ""))
	deadlines, _ := d["deadlines"].(map[string]any)
	requested := deadlines["extension_requested"]
	if requested == nil || state(d) != "rectifying_deadline" {
		t.Errorf("extension: %v", d)
	}
	a.do(staffCall("extension again", zh01, "POST", wo(wo1, "/extension"), extension, 409, "extension_pending"))
	a.do(staffCall("extension granted by the unit", zh01, "POST", wo(wo1, "/extension/ruling"),
		map[string]any{"grant": true}, 403, "forbidden_action"))
	noGrant := staffCall("ruling without grant", office, "POST", wo(wo1, "/extension/ruling"),
		map[string]any{"note": "同意"}, 422, "grant_required")
	noGrant.offSpec = true
	a.do(noGrant)
	d = do(staffCall("extension granted", office, "POST", wo(wo1, "/extension/ruling"),
		map[string]any{"grant": true, "note": "同意延期"}, 200, ""))
	if dl, _ := d["deadlines"].(map[string]any); dl["rectify"] != requested || dl["extension_requested"] != nil {
		t.Errorf("extension granted: deadlines %v, want rectify %v", dl, requested)
	}
	if d := do(staffCall("supervise", office, "POST", wo(wo1, "/supervise"),
		map[string]any{"note": "请尽快整改"}, 200, "")); d["supervised"] != true {
		t.Errorf("supervise: %v", d)
	}
	a.do(staffCall("supervise by an auditor", auditor, "POST", wo(wo1, "/supervise"),
		map[string]any{"note": "督办"}, 403, "forbidden_action"))
	noNote := staffCall("supervise without a note", office, "POST", wo(wo1, "/supervise"), map[string]any{}, 422, "note_required")
	noNote.offSpec = true
	a.do(noNote)
	r = a.do(staffCall("reveal phone", zh01, "POST", wo(wo1, "/reveal-phone"), nil, 200, ""))
	if r.JSON(t)["phone"] != phone || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("reveal phone: %s, Cache-Control %q", r.Body, r.Header.Get("Cache-Control"))
	}
	a.do(staffCall("reveal phone to the unit head, who may call back for the handler", head, "POST", wo(wo1, "/reveal-phone"), nil, 200, ""))
	a.do(staffCall("reveal phone to an auditor", auditor, "POST", wo(wo1, "/reveal-phone"), nil, 403, "forbidden_action"))
	a.do(staffCall("reveal phone to the office", office, "POST", wo(wo1, "/reveal-phone"), nil, 403, "forbidden_action"))
	noMeasures := staffCall("rectify without measures", zh01, "POST", wo(wo1, "/rectify"), map[string]any{}, 422, "measures_required")
	noMeasures.offSpec = true
	a.do(noMeasures)
	badFile := staffCall("rectify with a bad attachment", zh01, "POST", wo(wo1, "/rectify"), map[string]any{"measures": "增设窗口",
		"attachments": []any{map[string]any{"name": "照片.jpg", "sha256": "abc"}}}, 422, "invalid_attachment")
	badFile.offSpec = true
	a.do(badFile)
	if d := do(staffCall("rectify", zh01, "POST", wo(wo1, "/rectify"), map[string]any{"measures": "增设一个综合受理窗口",
		"attachments": []any{map[string]any{"name": "整改照片.jpg", "size": 183004, "sha256": sha}}}, 200, "")); state(d) != "rectified" {
		t.Errorf("rectify: %v", d)
	}
	a.do(staffCall("close before feedback", zh01, "POST", wo(wo1, "/close"), nil, 409, "transition_not_allowed"))
	noMethod := staffCall("feedback without method", zh01, "POST", wo(wo1, "/feedback"), map[string]any{}, 422, "method_required")
	noMethod.offSpec = true
	a.do(noMethod)
	nine := staffCall("feedback satisfaction 9", zh01, "POST", wo(wo1, "/feedback"),
		map[string]any{"method": "phone", "satisfaction": 9}, 422, "invalid_satisfaction")
	nine.offSpec = true
	a.do(nine)
	d = do(staffCall("feedback", zh01, "POST", wo(wo1, "/feedback"),
		map[string]any{"method": "phone", "satisfaction": 5, "note": "评价人表示满意"}, 200, ""))
	if state(d) != "fed_back" || d["feedback_satisfaction"] != 5.0 {
		t.Errorf("feedback: %v", d)
	}
	if d := do(staffCall("close", zh01, "POST", wo(wo1, "/close"), nil, 200, "")); state(d) != "closed" || d["closed_at"] == nil {
		t.Errorf("close: %v", d)
	}
	a.do(staffCall("supervise a closed order", office, "POST", wo(wo1, "/supervise"),
		map[string]any{"note": "督办"}, 409, "transition_not_allowed"))
	// The other refusals of each action, on the closed wo1.
	szq := srv.Login("szq-office", "demo1234") // the office of a district: the city's orders are not in its scope
	for _, c := range []call{
		staffCall("decide by an auditor", auditor, "POST", wo(wo1, "/decide"), map[string]any{"decision": "now"}, 403, "forbidden_action"),
		staffCall("decide a closed order", zh01, "POST", wo(wo1, "/decide"), map[string]any{"decision": "now"}, 409, "transition_not_allowed"),
		staffCall("decide another unit's order", ga01, "POST", wo(wo1, "/decide"), map[string]any{"decision": "now"}, 404, "work_order_not_found"),
		staffCall("rectify by the office", office, "POST", wo(wo1, "/rectify"), map[string]any{"measures": "m"}, 403, "forbidden_action"),
		staffCall("feedback by an auditor", auditor, "POST", wo(wo1, "/feedback"), map[string]any{"method": "phone"}, 403, "forbidden_action"),
		staffCall("close by the office", office, "POST", wo(wo1, "/close"), nil, 403, "forbidden_action"),
		staffCall("close another unit's order", ga01, "POST", wo(wo1, "/close"), nil, 404, "work_order_not_found"),
		staffCall("close again", zh01, "POST", wo(wo1, "/close"), nil, 409, "transition_not_allowed"),
		staffCall("return a closed order", zh01, "POST", wo(wo1, "/return"), map[string]any{"reason": "x"}, 409, "transition_not_allowed"),
		staffCall("reassign a closed order", office, "POST", wo(wo1, "/reassign"), map[string]any{"staff_no": apptest.CityStaff}, 409, "transition_not_allowed"),
		staffCall("reassign out of scope", szq, "POST", wo(wo1, "/reassign"), map[string]any{"staff_no": apptest.CityStaff}, 404, "work_order_not_found"),
		staffCall("supervise out of scope", szq, "POST", wo(wo1, "/supervise"), map[string]any{"note": "督办"}, 404, "work_order_not_found"),
		staffCall("reveal another unit's order", ga01, "POST", wo(wo1, "/reveal-phone"), nil, 404, "work_order_not_found"),
	} {
		a.do(c)
	}
	broken := staffCall("decide not JSON", zh01, "POST", wo(wo1, "/decide"), "{", 400, "invalid_json")
	broken.offSpec = true
	a.do(broken)
	r = a.do(staffCall("timeline", zh01, "GET", wo(wo1, ""), nil, 200, ""))
	var actions []string
	timeline, _ := r.JSON(t)["timeline"].([]any)
	for _, e := range timeline {
		action, _ := e.(map[string]any)["action"].(string)
		actions = append(actions, action)
	}
	want := []string{"dispatched", "callback", "decide_deadline", "request_extension", "grant_extension", "supervise",
		"reveal_phone", "reveal_phone", "rectify", "feedback", "close"}
	if !slices.Equal(actions, want) {
		t.Errorf("timeline %v, want %v", actions, want)
	}
	if bytes.Contains(r.Body, []byte(phone)) {
		t.Errorf("the timeline shows the evaluator's phone: %s", r.Body)
	}

	// wo2, anonymous: verified without a call → appeal → upheld → closed.
	if d := do(staffCall("anonymous callback", zh01, "POST", wo(wo2, "/callback"),
		map[string]any{"facts": "现场核实，评价所述情况不属实"}, 200, "")); state(d) != "verified" {
		t.Errorf("anonymous callback: %v", d)
	}
	a.do(staffCall("appeal without a reason", zh01, "POST", wo(wo2, "/decide"),
		map[string]any{"decision": "appeal"}, 422, "reason_required"))
	if d := do(staffCall("appeal", zh01, "POST", wo(wo2, "/decide"),
		map[string]any{"decision": "appeal", "reason": "监控显示服务规范"}, 200, "")); state(d) != "appealing" {
		t.Errorf("appeal: %v", d)
	}
	ruling := map[string]any{"upheld": true, "note": "经核查，申诉成立"}
	a.do(staffCall("appeal ruled by the unit", zh01, "POST", wo(wo2, "/appeal/ruling"), ruling, 403, "forbidden_action"))
	noUpheld := staffCall("ruling without upheld", office, "POST", wo(wo2, "/appeal/ruling"),
		map[string]any{"note": "x"}, 422, "upheld_required")
	noUpheld.offSpec = true
	a.do(noUpheld)
	noGrounds := staffCall("ruling without grounds", office, "POST", wo(wo2, "/appeal/ruling"),
		map[string]any{"upheld": true}, 422, "note_required")
	noGrounds.offSpec = true
	a.do(noGrounds)
	d = do(staffCall("appeal upheld", office, "POST", wo(wo2, "/appeal/ruling"), ruling, 200, ""))
	if state(d) != "appeal_upheld" || d["appeal_outcome"] != "upheld" {
		t.Errorf("appeal upheld: %v", d)
	}
	a.do(staffCall("appeal ruled again", office, "POST", wo(wo2, "/appeal/ruling"), ruling, 409, "transition_not_allowed"))
	a.do(staffCall("reveal an anonymous phone", zh01, "POST", wo(wo2, "/reveal-phone"), map[string]any{}, 409, "anonymous"))
	if d := do(staffCall("close after the appeal", zh01, "POST", wo(wo2, "/close"),
		map[string]any{"note": "申诉成立，办结"}, 200, "")); state(d) != "closed" {
		t.Errorf("close after the appeal: %v", d)
	}

	// wo3: returned by the unit, reassigned by the office to the head of 市公安局.
	noWhy := staffCall("return without a reason", zh01, "POST", wo(wo3, "/return"), map[string]any{}, 422, "reason_required")
	noWhy.offSpec = true
	a.do(noWhy)
	back := map[string]any{"reason": "该业务由市公安局窗口办理"}
	a.do(staffCall("return by the office", office, "POST", wo(wo3, "/return"), back, 403, "forbidden_action"))
	if d := do(staffCall("return", zh01, "POST", wo(wo3, "/return"), back, 200, "")); state(d) != "returned" {
		t.Errorf("return: %v", d)
	}
	a.do(staffCall("callback of a returned order", zh01, "POST", wo(wo3, "/callback"), callback, 409, "transition_not_allowed"))
	nobody := staffCall("reassign to nobody", office, "POST", wo(wo3, "/reassign"), map[string]any{}, 422, "assignee_required")
	nobody.offSpec = true
	a.do(nobody)
	a.do(staffCall("reassign to no such staff", office, "POST", wo(wo3, "/reassign"),
		map[string]any{"staff_no": "370400-NOPE-1"}, 422, "assignee_not_found"))
	toPolice := map[string]any{"department_code": "ZZ-GAJ", "note": "该办件由市公安局办理"}
	a.do(staffCall("reassign by the unit", zh01, "POST", wo(wo3, "/reassign"), toPolice, 403, "forbidden_action"))
	d = do(staffCall("reassign", office, "POST", wo(wo3, "/reassign"), toPolice, 200, ""))
	if as, _ := d["assignee"].(map[string]any); state(d) != "pending_callback" || as["staff_no"] != "H-ZZ-GAJ" {
		t.Errorf("reassign: %v", d)
	}
	a.do(staffCall("the new unit's head, its handler, reads it", srv.Login("gaj-head", "demo1234"), "GET", wo(wo3, ""), nil, 200, ""))
	a.do(staffCall("the old handler no longer", zh01, "GET", wo(wo3, ""), nil, 404, "work_order_not_found"))
	a.do(staffCall("the old unit's head no longer", head, "GET", wo(wo3, ""), nil, 404, "work_order_not_found"))
	a.do(staffCall("other staff of the new unit do not see it", ga01, "GET", wo(wo3, ""), nil, 404, "work_order_not_found"))
	a.do(staffCall("reveal phone to the new unit's other staff", ga01, "POST", wo(wo3, "/reveal-phone"), nil, 404, "work_order_not_found"))

	// wo4, anonymous: explained, cannot be fed back, closed.
	do(staffCall("anonymous callback", zh01, "POST", wo(wo4, "/callback"), map[string]any{"facts": "已核实"}, 200, ""))
	a.do(staffCall("explain without an explanation", zh01, "POST", wo(wo4, "/decide"),
		map[string]any{"decision": "explain"}, 422, "explanation_required"))
	if d := do(staffCall("explain", zh01, "POST", wo(wo4, "/decide"),
		map[string]any{"decision": "explain", "explanation": "该事项依法须本人到场办理"}, 200, "")); state(d) != "explained" {
		t.Errorf("explain: %v", d)
	}
	a.do(staffCall("feedback to nobody", zh01, "POST", wo(wo4, "/feedback"),
		map[string]any{"method": "phone"}, 409, "anonymous_no_feedback"))
	if d := do(staffCall("close after explaining", zh01, "POST", wo(wo4, "/close"), nil, 200, "")); state(d) != "closed" {
		t.Errorf("close after explaining: %v", d)
	}

	// Notifications: zh01's (new orders, the extension, supervision, the appeal), the office's.
	const inbox = "/api/v1/notifications"
	mine := do(staffCall("notifications", zh01, "GET", inbox, nil, 200, ""))
	items, _ := mine["items"].([]any)
	if len(items) == 0 || mine["unread"] != float64(len(items)) {
		t.Fatalf("zh01's notifications: %v", mine)
	}
	first := idOf(t, "the newest notification", items[0].(map[string]any))
	a.do(staffCall("notification read", zh01, "POST", fmt.Sprintf("%s/%d/read", inbox, first), nil, 204, ""))
	a.do(staffCall("notification read again", zh01, "POST", fmt.Sprintf("%s/%d/read", inbox, first), nil, 204, ""))
	a.do(staffCall("another's notification", ga01, "POST", fmt.Sprintf("%s/%d/read", inbox, first), nil, 404,
		"notification_not_found"))
	badID := staffCall("notification of a bad id", zh01, "POST", inbox+"/abc/read", nil, 404, "not_found")
	badID.offSpec = true
	a.do(badID)
	unread := do(staffCall("unread notifications", zh01, "GET", inbox+"?unread=true&limit=5", nil, 200, ""))
	if items, _ := unread["items"].([]any); len(items) > 5 || unread["unread"] != mine["unread"].(float64)-1 {
		t.Errorf("unread notifications: %v", unread)
	}
	kinds := map[string]bool{}
	officeItems, _ := do(staffCall("office notifications", office, "GET", inbox, nil, 200, ""))["items"].([]any)
	for _, n := range officeItems {
		kind, _ := n.(map[string]any)["kind"].(string)
		kinds[kind] = true
	}
	for _, k := range []string{"extension", "appeal", "returned"} {
		if !kinds[k] {
			t.Errorf("the office has no %s notification: %v", k, kinds)
		}
	}
	if items, _ := do(staffCall("auditor notifications", auditor, "GET", inbox, nil, 200, ""))["items"].([]any); len(items) != 0 {
		t.Errorf("an auditor has notifications: %v", items)
	}

	a.checkCoverage(func(op *openapi3.Operation) bool { return staffOperation(op) && !fullTextOperation(op) })
	a.logCoverage()
}

// TestStatsAPIMatchesOpenAPI rates a few evaluations, dispatches and calls back the bad one,
// rolls them up, and validates the statistics API's answers — the overview with and without
// filters, the trend by day, week and month, the rankings, the 刷好评 flags — and each refusal
// against the document, checking the figures on the way.
func TestStatsAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)
	ctx := context.Background()
	now := env.Clock.Now()
	day := bjtime.Day(now)
	today := day.Format("2006-01-02")
	firstOfMonth := day.AddDate(0, 0, 1-day.Day()).Format("2006-01-02")
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)).Format("2006-01-02")
	thisMonth := day.Format("2006-01")

	// At 市审批服务局's window (zh01): a 5, a 4 and a real-name bad review, dispatched and called
	// back. At 市公安局's window (ga01): ten 5s in a row, a burst of top ratings from one pad and
	// one staff member. And a case completed, not rated.
	const window = "/api/v1/channels/window/evaluations"
	const gaStaff = "370400-GA01-1"
	rate := func(pad apptest.Device, body map[string]any) int64 {
		t.Helper()
		body["served_at"] = now.Add(-time.Hour).Format(time.RFC3339)
		r := srv.Signed(pad, "POST", window, body)
		if r.Status != 201 {
			t.Fatalf("rating %v: %d %s", body["ticket_no"], r.Status, r.Body)
		}
		return idOf(t, "rating", r.JSON(t))
	}
	zhPad := srv.DemoDevice("demo-window-370400-zh01")
	rate(zhPad, map[string]any{"ticket_no": "T001", "staff_no": apptest.CityStaff, "level": 5})
	rate(zhPad, map[string]any{"ticket_no": "T002", "staff_no": apptest.CityStaff, "level": 4})
	bad := rate(zhPad, map[string]any{"ticket_no": "T003", "staff_no": apptest.CityStaff, "level": 1,
		"reasons": []string{"服务态度"}, "evaluator": map[string]any{"name": "李四", "phone": "13900001111"}})
	woID, created, err := srv.App.Rectify.Dispatch(ctx, bad)
	if err != nil || !created {
		t.Fatalf("dispatch: created %v, %v", created, err)
	}
	gaPad := srv.DemoDevice("demo-window-370400-ga01")
	for i := range 10 {
		rate(gaPad, map[string]any{"ticket_no": fmt.Sprintf("G%03d", i), "staff_no": gaStaff, "level": 5})
	}
	srv.PushCase(apptest.Case("ST-CASE-0001", now.Add(-time.Minute)))
	zh01 := srv.Login("zh01", "demo1234")
	if r := srv.As(zh01, "POST", fmt.Sprintf("/api/v1/workorders/%d/callback", woID),
		map[string]any{"method": "phone", "reached": true, "facts": "评价人反映态度生硬，经查属实"}); r.Status != 200 {
		t.Fatalf("callback: %d %s", r.Status, r.Body)
	}
	env.RollUp(srv.App.Measures)
	if _, err := srv.App.Measures.RollUpRectification(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Measures.RecountCases(ctx); err != nil {
		t.Fatal(err)
	}

	office := srv.Login("office", "demo1234")
	auditor := srv.Login("auditor", "demo1234")
	spjHead := srv.Login("spj-head", "demo1234")
	gajHead := srv.Login("gaj-head", "demo1234")
	get := func(name, token, path string) map[string]any {
		t.Helper()
		r := a.do(staffCall(name, token, "GET", path, nil, 200, ""))
		if r.Status != 200 {
			return map[string]any{}
		}
		return r.JSON(t)
	}
	measure := func(answer map[string]any, key string) map[string]any {
		t.Helper()
		ms, _ := answer["measures"].(map[string]any)
		m, _ := ms[key].(map[string]any)
		return m
	}
	// expect checks a measure's numerator and denominator, and its value, target and met (nil:
	// null).
	expect := func(what string, answer map[string]any, key string, num, den float64, value, target, met any) {
		t.Helper()
		m := measure(answer, key)
		if m["numerator"] != num || m["denominator"] != den || m["value"] != value || m["target"] != target || m["met"] != met {
			t.Errorf("%s: %s = %v, want %v/%v value %v target %v met %v", what, key, m, num, den, value, target, met)
		}
	}

	// The overview: by default this month to today, everything in the office's scope.
	const overview = "/api/v1/stats/overview"
	all := get("overview", office, overview)
	if p, _ := all["period"].(map[string]any); p["from"] != firstOfMonth || p["to"] != today {
		t.Errorf("overview: period %v, want %s to %s", all["period"], firstOfMonth, today)
	}
	if f, _ := all["filters"].(map[string]any); f["region"] != "" || f["department"] != "" || f["channel"] != "" {
		t.Errorf("overview: filters %v, want none", f)
	}
	expect("overview", all, "total_evaluations", 13, 1, 13.0, nil, nil)
	expect("overview", all, "active_rate", 13, 13, 1.0, 0.7, true)
	expect("overview", all, "good_rate", 12, 13, 12.0/13, nil, nil)
	expect("overview", all, "bad_rate", 1, 13, 1.0/13, nil, nil)
	expect("overview", all, "satisfaction", 118, 13, 118.0/13, nil, nil) // 10+8+0 + 10×10
	expect("overview", all, "callback_rate", 1, 1, 1.0, 1.0, true)
	expect("overview", all, "rectification_rate", 0, 1, 0.0, 1.0, false)
	expect("overview", all, "record_rate", 0, 1, 0.0, 1.0, false)
	expect("overview", all, "realname_rectification_rate", 0, 1, 0.0, 1.0, false)
	expect("overview", all, "ontime_rate", 0, 0, nil, nil, nil)
	expect("overview", all, "avg_rectification_workdays", 0, 0, nil, nil, nil)
	expect("overview", all, "timely_report_rate", 0, 13, 0.0, 1.0, false)
	if m := measure(all, "evaluation_rate"); m["numerator"] != 0.0 || m["denominator"] != 1.0 || m["unit"] != "ratio" {
		t.Errorf("overview: evaluation_rate %v, want 0 of the 1 case completed", m)
	}
	filtered := get("overview with filters", office, overview+"?from="+today+"&to="+today+
		"&region=370400&department=ZZ-SPJ&channel=window")
	if f, _ := filtered["filters"].(map[string]any); f["region"] != "370400" || f["department"] != "ZZ-SPJ" || f["channel"] != "window" {
		t.Errorf("overview with filters: filters %v", f)
	}
	expect("overview with filters", filtered, "total_evaluations", 3, 1, 3.0, nil, nil)
	expect("overview with filters", filtered, "bad_rate", 1, 3, 1.0/3, nil, nil)
	expect("overview with filters", filtered, "callback_rate", 1, 1, 1.0, 1.0, true)
	empty := get("overview of an empty period", office, overview+"?from=2020-01-01&to=2020-01-31")
	expect("overview of an empty period", empty, "total_evaluations", 0, 1, 0.0, nil, nil)
	expect("overview of an empty period", empty, "active_rate", 0, 0, nil, 0.7, nil)
	expect("overview of an empty period", empty, "satisfaction", 0, 0, nil, nil, nil)
	a.do(call{name: "overview by cookie", method: "GET", path: overview, status: 200,
		header: http.Header{"Cookie": {session.CookieName + "=" + auditor}}})
	// A unit head sees their unit: 市审批服务局's three ratings and its bad review; 市公安局's
	// head the ten 5s and no bad review.
	expect("the unit head of 市审批服务局", get("overview by a unit head", spjHead, overview), "total_evaluations", 3, 1, 3.0, nil, nil)
	gaj := get("overview by another unit head", gajHead, overview)
	expect("the unit head of 市公安局", gaj, "total_evaluations", 10, 1, 10.0, nil, nil)
	expect("the unit head of 市公安局", gaj, "callback_rate", 0, 0, nil, 1.0, nil)

	// The trend: one bucket (today, this week, this month) holds everything.
	const trend = "/api/v1/stats/trend"
	for by, period := range map[string]string{"": today, "day": today, "week": monday, "month": firstOfMonth} {
		path := trend
		if by != "" {
			path += "?by=" + by
		}
		tr := get("trend by "+by, office, path)
		series, _ := tr["series"].([]any)
		if want := cmp.Or(by, "day"); tr["by"] != want || len(series) != 1 {
			t.Errorf("trend by %q: by %v, %d buckets, want %s and 1: %v", by, tr["by"], len(series), want, tr)
			continue
		}
		point, _ := series[0].(map[string]any)
		if point["period"] != period {
			t.Errorf("trend by %q: period %v, want %s", by, point["period"], period)
		}
		expect("trend by "+by, point, "total_evaluations", 13, 1, 13.0, nil, nil)
	}
	if series, _ := get("trend of an empty period", office, trend+"?by=week&from=2020-01-01&to=2020-01-31&channel=kiosk")["series"].([]any); len(series) != 0 {
		t.Errorf("trend of an empty period: %v", series)
	}

	// The rows behind each figure: as many as the overview counts, for the same filters and
	// scope; a page at a time; no evaluator in them.
	const rows = "/api/v1/stats/rows"
	for _, key := range []string{"active_rate", "realname_rectification_rate", "callback_rate", "ontime_rate", "timely_report_rate"} {
		for _, part := range []string{"numerator", "denominator"} {
			for _, c := range []struct {
				token, filters string
				overview       map[string]any
			}{{office, "", all}, {office, "&from=" + today + "&to=" + today + "&region=370400&department=ZZ-SPJ&channel=window", filtered},
				{spjHead, "", nil}, {auditor, "&hall=" + apptest.CityHall, nil}} {
				path := rows + "?measure=" + key + "&part=" + part + c.filters
				page := get("rows of "+key+" "+part, c.token, path)
				over := c.overview
				if over == nil {
					over = get("overview for rows", c.token, overview+"?"+strings.TrimPrefix(c.filters, "&"))
				}
				if want := measure(over, key)[part]; page["total"] != want {
					t.Errorf("%s: %v rows, the overview says %v", path, page["total"], want)
				}
			}
		}
	}
	badRows := get("rows of the bad reviews", office, rows+"?measure=callback_rate&part=numerator&per_page=1")
	if items, _ := badRows["items"].([]any); len(items) != 1 || badRows["kind"] != "work_orders" || badRows["name"] != "回访率" {
		t.Errorf("rows of the bad reviews: %v", badRows)
	} else if row, _ := items[0].(map[string]any); row["evaluation_id"] != float64(bad) || row["work_order"] == nil ||
		row["window"].(map[string]any)["code"] != apptest.CityWindow || row["report"] != nil {
		t.Errorf("the bad review's row: %v", row)
	}
	if body, _ := json.Marshal(badRows); strings.Contains(string(body), "1111") || strings.Contains(string(body), "李") {
		t.Errorf("the rows show the evaluator: %s", body)
	}
	second := get("rows, the second page", office, rows+"?measure=active_rate&part=denominator&page=2&per_page=10")
	if items, _ := second["items"].([]any); len(items) != 3 || second["total"] != 13.0 || second["page"] != 2.0 {
		t.Errorf("rows, the second page: %d items of %v", len(items), second["total"])
	}
	if items, _ := get("rows past the last page", office, rows+"?measure=active_rate&part=denominator&page=3&per_page=10")["items"].([]any); items == nil || len(items) != 0 {
		t.Errorf("rows past the last page: %v", items)
	}

	// The rankings: last month's were never computed; this month's, with every subject ranked
	// however few its ratings, rank 市公安局 above 市审批服务局 in each kind.
	const rankings = "/api/v1/stats/rankings"
	if items, _ := get("rankings of last month", office, rankings)["items"].([]any); len(items) != 0 {
		t.Errorf("rankings of last month: %v", items)
	}
	env.Exec(`INSERT INTO settings (region_id, key, value) VALUES (NULL, 'ranking_min_evaluations', '1')
		ON CONFLICT (COALESCE(region_id, 0), key) DO UPDATE SET value = EXCLUDED.value`)
	if n, err := srv.App.Measures.ComputeRankings(ctx, now); err != nil || n != 6 {
		t.Fatalf("compute rankings: %d rows, %v; want 6", n, err)
	}
	items, _ := get("rankings of this month", office, rankings+"?month="+thisMonth)["items"].([]any)
	var got []string
	for _, it := range items {
		r, _ := it.(map[string]any)
		got = append(got, fmt.Sprintf("%v %v %v/%v bottom=%v", r["kind"], r["code"], r["rank"], r["of_total"], r["bottom"]))
		if _, ok := r["hall_id"]; ok != (r["kind"] != "department") {
			t.Errorf("ranking %v: hall_id only for windows and staff at a window", r)
		}
	}
	want := []string{"department ZZ-GAJ 1/2 bottom=false", "department ZZ-SPJ 2/2 bottom=true",
		"window 370400-GA01 1/2 bottom=false", "window 370400-ZH01 2/2 bottom=true",
		"staff 370400-GA01-1 1/2 bottom=false", "staff 370400-ZH01-1 2/2 bottom=true"}
	if !slices.Equal(got, want) {
		t.Errorf("rankings of this month:\n%v\nwant\n%v", got, want)
	}
	one, _ := get("rankings with filters", office, rankings+"?month="+thisMonth+"&kind=window&region=370400&department=ZZ-SPJ")["items"].([]any)
	if len(one) != 1 || one[0].(map[string]any)["code"] != apptest.CityWindow || one[0].(map[string]any)["flagged"] != false {
		t.Errorf("rankings with filters: %v", one)
	}
	if items, _ := get("rankings for a unit head", spjHead, rankings+"?month="+thisMonth)["items"].([]any); len(items) != 3 {
		t.Errorf("rankings for 市审批服务局's head: %v, want its department, window and staff member", items)
	}

	// The 刷好评 flags: ga01's pad and ga01 gave ten 5s within a minute.
	if _, err := srv.App.Evaluation.WatchPraise(ctx); err != nil {
		t.Fatal(err)
	}
	const praise = "/api/v1/stats/praise-flags"
	flags, _ := get("praise flags", office, praise)["items"].([]any)
	kinds := map[any]any{}
	for _, f := range flags {
		f, _ := f.(map[string]any)
		kinds[f["kind"]] = f["subject"]
	}
	if len(flags) != 2 || kinds["device"] != gaPad.ID || kinds["staff"] != gaStaff {
		t.Errorf("praise flags: %v", flags)
	}
	if flags, _ := get("praise flags since today", auditor, praise+"?since="+today)["items"].([]any); len(flags) != 2 {
		t.Errorf("praise flags since today: %v", flags)
	}
	if flags, _ := get("praise flags since 2099", office, praise+"?since=2099-01-01")["items"].([]any); len(flags) != 0 {
		t.Errorf("praise flags since 2099: %v", flags)
	}

	// Refusals: no session, an unknown token, window staff (and unit heads, for the flags),
	// and each bad parameter.
	for _, path := range []string{overview, trend, rows + "?measure=active_rate&part=numerator", rankings, praise} {
		c := staffCall("without a session", "", "GET", path, nil, 401, "unauthenticated")
		c.offSpec = true
		a.do(c)
		a.do(staffCall("unknown token", "no-such-token", "GET", path, nil, 401, "unauthenticated"))
		a.do(staffCall("window staff", zh01, "GET", path, nil, 403, "forbidden_role"))
	}
	a.do(staffCall("praise flags for a unit head", spjHead, "GET", praise, nil, 403, "forbidden_role"))
	for _, c := range []struct {
		path, code, field string
		offSpec           bool // the document refuses the parameter too
	}{
		{overview + "?from=yesterday", "invalid_date", "from", true},
		{overview + "?to=2026-02-30", "invalid_date", "to", true},
		{overview + "?from=2026-11-10&to=2026-11-01", "invalid_period", "to", false},
		{overview + "?from=2020-01-01&to=2026-01-01", "invalid_period", "from", false},
		{overview + "?channel=fax", "invalid_channel", "channel", true},
		{overview + "?region=999999", "unknown_region", "region", false},
		{overview + "?department=NOPE", "unknown_department", "department", false},
		{overview + "?hall=NOPE", "unknown_hall", "hall", false},
		{trend + "?by=year", "invalid_granularity", "by", true},
		{trend + "?by=week&to=2026-13-01", "invalid_date", "to", true},
		{trend + "?from=2026-11-10&to=2026-11-01", "invalid_period", "to", false},
		{trend + "?channel=sms", "invalid_channel", "channel", true},
		{trend + "?region=999999", "unknown_region", "region", false},
		{trend + "?department=NOPE", "unknown_department", "department", false},
		{rows + "?measure=bad_rate&part=numerator", "invalid_measure", "measure", true},
		{rows + "?measure=active_rate&part=both", "invalid_part", "part", true},
		{rows + "?measure=active_rate", "invalid_part", "part", true},
		{rows + "?measure=active_rate&part=numerator&page=0", "invalid_page", "page", true},
		{rows + "?measure=active_rate&part=numerator&per_page=201", "invalid_per_page", "per_page", true},
		{rows + "?measure=active_rate&part=numerator&hall=NOPE", "unknown_hall", "hall", false},
		{rows + "?measure=active_rate&part=numerator&from=2026-11-10&to=2026-11-01", "invalid_period", "to", false},
		{rankings + "?month=2026-13", "invalid_month", "month", true},
		{rankings + "?month=November", "invalid_month", "month", true},
		{rankings + "?kind=hall", "invalid_kind", "kind", true},
		{rankings + "?region=999999", "unknown_region", "region", false},
		{rankings + "?department=NOPE", "unknown_department", "department", false},
		{praise + "?since=last-week", "invalid_date", "since", true},
	} {
		call := staffCall(c.path, office, "GET", c.path, nil, 422, c.code)
		call.offSpec = c.offSpec
		r := a.do(call)
		if fields, _ := r.JSON(t)["fields"].(map[string]any); r.Status == 422 && fields[c.field] == nil {
			t.Errorf("%s: fields %v, want %s", c.path, fields, c.field)
		}
	}

	a.checkCoverage(statsOperation)
	a.logCoverage()
}

// TestLedgerAPIMatchesOpenAPI opens reporting rounds, reports on the plan's entries as a unit
// and for a unit, reads the entries, their details and histories and the units yet to report,
// lists the rectification ledger after a dispatched bad review, proposes a recurring problem
// from five bad reviews on one reason and accepts it, dismisses another, closes the round —
// validating each request and answer, and each refusal, against the document.
func TestLedgerAPIMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	a := newAPIChecker(t, srv)
	ctx := context.Background()
	now := env.Clock.Now()
	today := bjtime.Day(now)
	date := func(days int) string { return today.AddDate(0, 0, days).Format("2006-01-02") }

	office := srv.Login("office", "demo1234")
	auditor := srv.Login("auditor", "demo1234")
	spjHead := srv.Login("spj-head", "demo1234") // 市审批服务局
	gajHead := srv.Login("gaj-head", "demo1234") // 市公安局
	do := func(c call) map[string]any {
		t.Helper()
		r := a.do(c)
		if r.Status != c.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			return map[string]any{}
		}
		return r.JSON(t)
	}
	offSpec := func(c call) call { c.offSpec = true; return c }
	items := func(m map[string]any) []map[string]any {
		var out []map[string]any
		list, _ := m["items"].([]any)
		for _, it := range list {
			out = append(out, it.(map[string]any))
		}
		return out
	}
	entryID := func(kind string, no int) int64 {
		return int64(env.Count(`SELECT id FROM ledger_entries WHERE kind = $1 AND no = $2`, kind, no))
	}
	task2 := entryID("work", 2)     // 各区（市）政府 and 市直各有关部门: 市审批服务局 and 市公安局 among them
	task104 := entryID("work", 104) // the city office's alone
	const (
		entries       = "/api/v1/ledgers/entries"
		rounds        = "/api/v1/ledgers/rounds"
		missingNow    = "/api/v1/ledgers/rounds/current/missing"
		rectification = "/api/v1/ledgers/rectification"
		recurring     = "/api/v1/ledgers/recurring"
		propose       = "/api/v1/ledgers/recurring/propose"
	)
	entry := func(id int64, rest string) string { return fmt.Sprintf("%s/%d%s", entries, id, rest) }
	round := func(id int64, rest string) string { return fmt.Sprintf("%s/%d%s", rounds, id, rest) }
	problemPath := func(id int64, rest string) string { return fmt.Sprintf("%s/%d%s", recurring, id, rest) }

	// Without a session, every operation answers 401; with an unknown token too.
	for _, op := range []struct{ method, path string }{
		{"GET", entries}, {"GET", entry(task2, "")}, {"GET", entry(task2, "/reports")}, {"POST", entry(task2, "/reports")},
		{"GET", rounds}, {"POST", rounds}, {"GET", missingNow}, {"GET", round(1, "/missing")}, {"POST", round(1, "/close")},
		{"GET", rectification}, {"GET", recurring}, {"POST", propose}, {"POST", problemPath(1, "/accept")},
		{"POST", problemPath(1, "/dismiss")},
	} {
		a.do(offSpec(staffCall("without a session", "", op.method, op.path, nil, 401, "unauthenticated")))
	}
	a.do(staffCall("unknown token", "no-such-token", "GET", entries, nil, 401, "unauthenticated"))

	// Before the office opens a round there is nothing to report into.
	progress := map[string]any{"progress": "已建立差评核实机制", "measures": "每日调度", "issues": "需市大数据中心协调接口"}
	a.do(staffCall("report without a round", spjHead, "POST", entry(task2, "/reports"), progress, 409, "no_open_round"))
	a.do(staffCall("missing without a round", office, "GET", missingNow, nil, 409, "no_open_round"))
	if list := items(do(staffCall("no rounds", office, "GET", rounds, nil, 200, ""))); len(list) != 0 {
		t.Errorf("rounds before any: %v", list)
	}

	// Rounds: only the office opens them; one at a time.
	a.do(staffCall("round opened by a unit", spjHead, "POST", rounds, map[string]any{"title": "第一轮", "due_at": date(3)}, 403, "forbidden_role"))
	a.do(staffCall("round opened by an auditor", auditor, "POST", rounds, map[string]any{"title": "第一轮", "due_at": date(3)}, 403, "forbidden_role"))
	a.do(offSpec(staffCall("round without a title", office, "POST", rounds, map[string]any{"title": "", "due_at": date(3)}, 422, "invalid_title")))
	a.do(staffCall("round with a blank title", office, "POST", rounds, map[string]any{"title": "   ", "due_at": date(3)}, 422, "invalid_title"))
	a.do(offSpec(staffCall("round without a deadline", office, "POST", rounds, map[string]any{"title": "第一轮"}, 422, "invalid_due")))
	a.do(staffCall("round due on no date", office, "POST", rounds, map[string]any{"title": "第一轮", "due_at": "next friday"}, 422, "invalid_due"))
	a.do(staffCall("round due yesterday", office, "POST", rounds, map[string]any{"title": "第一轮", "due_at": date(-1)}, 422, "invalid_due"))
	a.do(offSpec(staffCall("round not JSON", office, "POST", rounds, "{", 400, "invalid_json")))
	first := idOf(t, "first round", do(staffCall("round opened", office, "POST", rounds,
		map[string]any{"title": "9月17日调度", "due_at": now.Add(72 * time.Hour).Format(time.RFC3339)}, 201, "")))
	second := do(staffCall("round opened by date", office, "POST", rounds, map[string]any{"title": "9月24日调度", "due_at": date(7)}, 201, ""))
	secondID := idOf(t, "second round", second)
	want := bjtime.StartOfDay(today.AddDate(0, 0, 8)).Add(-time.Nanosecond).Truncate(time.Microsecond)
	if got, err := time.Parse(time.RFC3339Nano, fmt.Sprint(second["due_at"])); err != nil || !got.Equal(want) {
		t.Errorf("a round due on %s: due_at %v, want the end of that Beijing day %v", date(7), second["due_at"], want)
	}
	list := items(do(staffCall("rounds", spjHead, "GET", rounds, nil, 200, "")))
	if len(list) != 2 || idOf(t, "newest round", list[0]) != secondID || list[0]["closed_at"] != nil || list[1]["closed_at"] == nil {
		t.Errorf("rounds: %v, want the second open and the first closed by it", list)
	}

	// Reports: a unit for itself (the path names the entry, whatever the body says), the office
	// for a unit; the refusals.
	body := map[string]any{"entry_id": task104}
	for k, v := range progress {
		body[k] = v
	}
	rep := do(staffCall("report", spjHead, "POST", entry(task2, "/reports"), body, 201, ""))
	if rep["department"] != "ZZ-SPJ" || rep["round_id"] != float64(secondID) || rep["entry_id"] != float64(task2) ||
		rep["source"] != "api" || rep["completed"] != false {
		t.Errorf("report: %v", rep)
	}
	a.do(staffCall("report by an auditor", auditor, "POST", entry(task2, "/reports"),
		map[string]any{"progress": "x", "department_code": "ZZ-SPJ"}, 403, "forbidden_role"))
	a.do(staffCall("empty report", spjHead, "POST", entry(task2, "/reports"), map[string]any{}, 422, "report_empty"))
	a.do(staffCall("blank report", spjHead, "POST", entry(task2, "/reports"), map[string]any{"progress": "  ", "completed": false}, 422, "report_empty"))
	a.do(offSpec(staffCall("report too long", spjHead, "POST", entry(task2, "/reports"),
		map[string]any{"issues": strings.Repeat("长", 4001)}, 422, "text_too_long")))
	a.do(staffCall("report by the office for nobody", office, "POST", entry(task2, "/reports"), map[string]any{"progress": "代报"}, 422, "department_required"))
	a.do(staffCall("report for no such unit", office, "POST", entry(task2, "/reports"),
		map[string]any{"progress": "代报", "department_code": "NOPE"}, 422, "department_not_found"))
	a.do(staffCall("report for another unit", spjHead, "POST", entry(task2, "/reports"),
		map[string]any{"progress": "代报", "department_code": "ZZ-GAJ"}, 403, "department_out_of_scope"))
	a.do(staffCall("report on another unit's entry", spjHead, "POST", entry(task104, "/reports"), map[string]any{"progress": "x"}, 404, "ledger_entry_not_found"))
	a.do(staffCall("report on no entry", spjHead, "POST", entry(999999, "/reports"), map[string]any{"progress": "x"}, 404, "ledger_entry_not_found"))
	a.do(offSpec(staffCall("report on a bad id", spjHead, "POST", entries+"/abc/reports", map[string]any{"progress": "x"}, 404, "not_found")))
	a.do(offSpec(staffCall("report not JSON", spjHead, "POST", entry(task2, "/reports"), "progress=x", 400, "invalid_json")))
	a.do(offSpec(staffCall("report completed as text", spjHead, "POST", entry(task2, "/reports"), map[string]any{"completed": "yes"}, 400, "invalid_json")))
	if rep := do(staffCall("report by the office for a unit", office, "POST", entry(task2, "/reports"),
		map[string]any{"department_code": "ZZ-GAJ", "progress": "代报：已部署", "completed": true}, 201, "")); rep["department"] != "ZZ-GAJ" {
		t.Errorf("report for 市公安局: %v", rep)
	}

	// The status, as the job computes it: the plan's 2021 dates are past.
	if _, err := srv.App.Ledger.UpdateStatus(ctx); err != nil {
		t.Fatal(err)
	}
	detail := do(staffCall("detail", spjHead, "GET", entry(task2, ""), nil, 200, ""))
	units, _ := detail["units"].([]any)
	if len(units) != 1 {
		t.Fatalf("市审批服务局 sees units %v of task 2, want itself only", units)
	}
	if u := units[0].(map[string]any); u["code"] != "ZZ-SPJ" || u["latest_report"].(map[string]any)["progress"] != progress["progress"] {
		t.Errorf("detail: unit %v", u)
	}
	status, _ := detail["status"].(string)
	statusName, _ := detail["status_name"].(string)
	if status != "ongoing" && status != "overdue" {
		t.Errorf("task 2, due in 2021 and reported on: status %q", status)
	}
	latest := map[string]any{}
	for _, u := range do(staffCall("detail for the office", office, "GET", entry(task2, ""), nil, 200, ""))["units"].([]any) {
		u := u.(map[string]any)
		if r, ok := u["latest_report"].(map[string]any); ok {
			latest[u["code"].(string)] = r["completed"]
		}
	}
	if len(latest) != 2 || latest["ZZ-SPJ"] != false || latest["ZZ-GAJ"] != true {
		t.Errorf("the office's detail: latest reports %v", latest)
	}
	a.do(staffCall("detail for an auditor", auditor, "GET", entry(task2, ""), nil, 200, ""))
	a.do(staffCall("detail of another unit's entry", gajHead, "GET", entry(task104, ""), nil, 404, "ledger_entry_not_found"))
	a.do(staffCall("detail of no entry", spjHead, "GET", entry(999999, ""), nil, 404, "ledger_entry_not_found"))
	a.do(offSpec(staffCall("detail of a bad id", spjHead, "GET", entries+"/abc", nil, 404, "not_found")))

	// The entries, with every filter.
	mine := items(do(staffCall("entries", spjHead, "GET", entries, nil, 200, "")))
	ids := map[float64]bool{}
	for _, e := range mine {
		ids[e["id"].(float64)] = true
	}
	if !ids[float64(task2)] || ids[float64(task104)] {
		t.Errorf("市审批服务局's entries: task 2 %v, task 104 %v", ids[float64(task2)], ids[float64(task104)])
	}
	if n := len(items(do(staffCall("entries of a unit", office, "GET", entries+"?department=ZZ-SPJ", nil, 200, "")))); n != len(mine) {
		t.Errorf("the office sees %d entries of 市审批服务局, the unit %d", n, len(mine))
	}
	filtered := entries + "?kind=work&status=" + url.QueryEscape(statusName) + "&due_from=2021-01-01&due_to=2021-12-31&department=ZZ-SPJ"
	byName := items(do(staffCall("entries with filters", office, "GET", filtered, nil, 200, "")))
	found := false
	for _, e := range byName {
		found = found || e["id"] == float64(task2)
		if e["kind"] != "work" || e["status"] != status || e["due"] == nil || !strings.HasPrefix(e["due"].(string), "2021-") {
			t.Errorf("entries with filters: %v", e)
		}
	}
	if !found {
		t.Errorf("entries with filters lack task 2")
	}
	if byCode := items(do(staffCall("entries by status code", office, "GET", strings.Replace(filtered, url.QueryEscape(statusName), status, 1),
		nil, 200, ""))); len(byCode) != len(byName) {
		t.Errorf("status %s lists %d, %s %d", status, len(byCode), statusName, len(byName))
	}
	for _, e := range items(do(staffCall("entries of the problem ledger", auditor, "GET", entries+"?kind=problem", nil, 200, ""))) {
		if e["kind"] != "problem" {
			t.Errorf("the problem ledger lists %v", e)
		}
	}
	a.do(call{name: "entries by cookie", method: "GET", path: entries + "?kind=work", status: 200,
		header: http.Header{"Cookie": {session.CookieName + "=" + spjHead}}})
	for _, c := range []struct {
		query, code, field string
		offSpec            bool
	}{
		{"kind=plan", "invalid_kind", "kind", true},
		{"status=done", "invalid_status", "status", true},
		{"due_from=yesterday", "invalid_date", "due_from", true},
		{"due_to=2021-02-30", "invalid_date", "due_to", true},
		{"due_from=2021-12-01&due_to=2021-01-01", "invalid_period", "due_to", false},
		{"department=NOPE", "unknown_department", "department", false},
	} {
		r := a.do(call{name: "entries?" + c.query, method: "GET", path: entries + "?" + c.query, header: bearer(office),
			status: 422, code: c.code, offSpec: c.offSpec})
		if fields, _ := r.JSON(t)["fields"].(map[string]any); r.Status == 422 && fields[c.field] == nil {
			t.Errorf("entries?%s: fields %v, want %s", c.query, fields, c.field)
		}
	}

	// The history: a unit sees its own reports, the office every unit's, newest first.
	do(staffCall("report again", spjHead, "POST", entry(task2, "/reports"), map[string]any{"progress": "机制运行良好", "completed": true}, 201, ""))
	if h := items(do(staffCall("history", spjHead, "GET", entry(task2, "/reports"), nil, 200, ""))); len(h) != 2 || h[0]["progress"] != "机制运行良好" {
		t.Errorf("市审批服务局's history of task 2: %v", h)
	}
	if h := items(do(staffCall("history for the office", office, "GET", entry(task2, "/reports"), nil, 200, ""))); len(h) != 3 {
		t.Errorf("the office's history of task 2: %d reports, want 3", len(h))
	}
	a.do(staffCall("history of another unit's entry", spjHead, "GET", entry(task104, "/reports"), nil, 404, "ledger_entry_not_found"))
	a.do(offSpec(staffCall("history of a bad id", spjHead, "GET", entries+"/0/reports", nil, 404, "not_found")))

	// The units yet to report: in the open round, and in the first (nobody reported in it).
	m := do(staffCall("missing", office, "GET", missingNow, nil, 200, ""))
	if r, _ := m["round"].(map[string]any); r["id"] != float64(secondID) {
		t.Errorf("missing: round %v, want the open one", m["round"])
	}
	byCode := map[any]map[string]any{}
	for _, u := range items(m) {
		byCode[u["code"]] = u
	}
	if spj, gaj := byCode["ZZ-SPJ"], byCode["ZZ-GAJ"]; spj == nil || spj["reported"] != 1.0 || gaj == nil || gaj["reported"] != 1.0 {
		t.Errorf("missing: 市审批服务局 %v, 市公安局 %v", spj, gaj)
	}
	if own := items(do(staffCall("missing for a unit", spjHead, "GET", missingNow, nil, 200, ""))); len(own) != 1 || own[0]["code"] != "ZZ-SPJ" {
		t.Errorf("市审批服务局's own view: %v", own)
	}
	for _, u := range items(do(staffCall("missing of a closed round", office, "GET", round(first, "/missing"), nil, 200, ""))) {
		if u["reported"] != 0.0 {
			t.Errorf("nobody reported in the first round: %v", u)
		}
	}
	a.do(staffCall("missing of no round", office, "GET", round(999999, "/missing"), nil, 404, "round_not_found"))
	a.do(offSpec(staffCall("missing of a bad id", office, "GET", rounds+"/latest/missing", nil, 404, "not_found")))

	// The rectification ledger: a bad review at 市审批服务局's window, dispatched.
	pad := srv.DemoDevice("demo-window-370400-zh01")
	rate := func(ticket, reason string) int64 {
		t.Helper()
		r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"ticket_no": ticket, "level": 1,
			"staff_no": apptest.CityStaff, "reasons": []string{reason}, "comment": "等候时间过长",
			"served_at": now.Add(-time.Hour).Format(time.RFC3339)})
		if r.Status != 201 {
			t.Fatalf("rating %s: %d %s", ticket, r.Status, r.Body)
		}
		return idOf(t, "rating", r.JSON(t))
	}
	if _, created, err := srv.App.Rectify.Dispatch(ctx, rate("L001", "办事环境")); err != nil || !created {
		t.Fatalf("dispatch: created %v, %v", created, err)
	}
	rows := items(do(staffCall("rectification ledger", office, "GET", rectification, nil, 200, "")))
	if len(rows) != 1 || rows[0]["state"] != "pending_callback" || rows[0]["state_name"] != "待回访" ||
		rows[0]["department"] != "市审批服务局" || rows[0]["reasons"] != "办事环境" {
		t.Errorf("rectification ledger: %v", rows)
	}
	withFilters := rectification + "?from=" + date(0) + "&to=" + date(0) + "&department=ZZ-SPJ&state=pending_callback,verified&open=true"
	if rows := items(do(staffCall("rectification ledger with filters", spjHead, "GET", withFilters, nil, 200, ""))); len(rows) != 1 {
		t.Errorf("rectification ledger with filters: %v", rows)
	}
	if rows := items(do(staffCall("rectification ledger of closed orders", office, "GET", rectification+"?state=closed", nil, 200, ""))); len(rows) != 0 {
		t.Errorf("closed orders: %v", rows)
	}
	if rows := items(do(staffCall("rectification ledger of another unit", gajHead, "GET", rectification, nil, 200, ""))); len(rows) != 0 {
		t.Errorf("市公安局 sees %v", rows)
	}
	for _, c := range []struct {
		query, code, field string
		offSpec            bool
	}{
		{"from=today", "invalid_date", "from", true},
		{"from=" + date(1) + "&to=" + date(0), "invalid_period", "to", false},
		{"department=NOPE", "unknown_department", "department", false},
		{"state=bogus", "invalid_state", "state", true},
		{"open=maybe", "invalid_open", "open", true},
	} {
		r := a.do(call{name: "rectification?" + c.query, method: "GET", path: rectification + "?" + c.query, header: bearer(office),
			status: 422, code: c.code, offSpec: c.offSpec})
		if fields, _ := r.JSON(t)["fields"].(map[string]any); r.Status == 422 && fields[c.field] == nil {
			t.Errorf("rectification?%s: fields %v, want %s", c.query, fields, c.field)
		}
	}

	// Recurring problems: five bad reviews on 服务态度 (the one on 办事环境 stays below the
	// threshold), proposed by the office, accepted into the ledger.
	for i := range 5 {
		rate(fmt.Sprintf("Q%03d", i), "服务态度")
	}
	if list := items(do(staffCall("no recurring problems", office, "GET", recurring, nil, 200, ""))); len(list) != 0 {
		t.Errorf("recurring problems before any: %v", list)
	}
	period := map[string]any{"from": date(-1), "to": date(1)}
	a.do(staffCall("propose by a unit", spjHead, "POST", propose, period, 403, "forbidden_role"))
	a.do(staffCall("propose by an auditor", auditor, "POST", propose, period, 403, "forbidden_role"))
	a.do(offSpec(staffCall("propose without an end", office, "POST", propose, map[string]any{"from": date(-1)}, 422, "invalid_date")))
	a.do(offSpec(staffCall("propose from no date", office, "POST", propose, map[string]any{"from": "yesterday", "to": date(1)}, 422, "invalid_date")))
	a.do(staffCall("propose backwards", office, "POST", propose, map[string]any{"from": date(1), "to": date(-1)}, 422, "invalid_period"))
	a.do(offSpec(staffCall("propose not JSON", office, "POST", propose, "{", 400, "invalid_json")))
	if p := do(staffCall("propose", office, "POST", propose, period, 200, "")); p["proposed"] != 1.0 {
		t.Errorf("proposed %v, want 1", p)
	}
	if p := do(staffCall("propose again", office, "POST", propose, period, 200, "")); p["proposed"] != 0.0 {
		t.Errorf("proposed again: %v", p)
	}
	proposed := items(do(staffCall("recurring problems proposed", spjHead, "GET", recurring+"?status=proposed", nil, 200, "")))
	if len(proposed) != 1 || proposed[0]["reason_name"] != "服务态度" || proposed[0]["bad_reviews"] != 5.0 || proposed[0]["department"] != "ZZ-SPJ" {
		t.Fatalf("recurring problems: %v", proposed)
	}
	problemID := idOf(t, "recurring problem", proposed[0])
	if list := items(do(staffCall("recurring problems of another unit", gajHead, "GET", recurring, nil, 200, ""))); len(list) != 0 {
		t.Errorf("市公安局 sees %v", list)
	}
	a.do(offSpec(staffCall("recurring problems by a bad status", office, "GET", recurring+"?status=open", nil, 422, "invalid_status")))
	accept := problemPath(problemID, "/accept")
	due := date(10)
	a.do(staffCall("accept by a unit", spjHead, "POST", accept, map[string]any{"due": due}, 403, "forbidden_role"))
	a.do(staffCall("accept due yesterday", office, "POST", accept, map[string]any{"due": date(-1)}, 422, "invalid_due"))
	a.do(offSpec(staffCall("accept due on no date", office, "POST", accept, map[string]any{"due": "next week"}, 422, "invalid_due")))
	a.do(offSpec(staffCall("accept without a deadline", office, "POST", accept, map[string]any{}, 422, "invalid_due")))
	a.do(staffCall("accept for no such unit", office, "POST", accept, map[string]any{"due": due, "department_code": "NOPE"}, 422, "department_not_found"))
	a.do(staffCall("accept no problem", office, "POST", problemPath(999999, "/accept"), map[string]any{"due": due}, 404, "recurring_problem_not_found"))
	a.do(offSpec(staffCall("accept a bad id", office, "POST", recurring+"/abc/accept", map[string]any{"due": due}, 404, "not_found")))
	e := do(staffCall("accept", office, "POST", accept, map[string]any{"due": due, "note": "请限期整改"}, 201, ""))
	if units, _ := e["units"].([]any); e["kind"] != "rectification" || e["due"] != due || e["remarks"] != "请限期整改" ||
		len(units) != 1 || units[0].(map[string]any)["code"] != "ZZ-SPJ" {
		t.Errorf("accepted: %v", e)
	}
	a.do(staffCall("accept twice", office, "POST", accept, map[string]any{"due": due}, 409, "already_decided"))
	if list := items(do(staffCall("the unit's rectification entries", spjHead, "GET", entries+"?kind=rectification", nil, 200, ""))); len(list) != 1 {
		t.Errorf("市审批服务局's rectification entries: %v", list)
	}

	// An overlapping period does not propose the accepted problem again; five bad reviews on
	// 服务效率 make a new one, which the office dismisses.
	for i := range 5 {
		rate(fmt.Sprintf("E%03d", i), "服务效率")
	}
	do(staffCall("propose over another period", office, "POST", propose, map[string]any{"from": date(-2), "to": date(1)}, 200, ""))
	proposed = items(do(staffCall("recurring problems proposed again", office, "GET", recurring+"?status=proposed", nil, 200, "")))
	if len(proposed) != 1 || proposed[0]["reason_name"] != "服务效率" {
		t.Fatalf("proposed over another period: %v", proposed)
	}
	dismiss := problemPath(idOf(t, "recurring problem", proposed[0]), "/dismiss")
	a.do(staffCall("dismiss by a unit", spjHead, "POST", dismiss, nil, 403, "forbidden_role"))
	a.do(staffCall("dismiss", office, "POST", dismiss, nil, 204, ""))
	a.do(staffCall("dismiss again", office, "POST", dismiss, nil, 409, "already_decided"))
	a.do(staffCall("dismiss the accepted one", office, "POST", problemPath(problemID, "/dismiss"), nil, 409, "already_decided"))
	a.do(staffCall("dismiss no problem", office, "POST", problemPath(999999, "/dismiss"), nil, 404, "recurring_problem_not_found"))
	a.do(offSpec(staffCall("dismiss a bad id", office, "POST", recurring+"/-1/dismiss", nil, 404, "not_found")))
	for query, n := range map[string]int{"?status=accepted": 1, "?status=dismissed": 1, "": 2} {
		if list := items(do(staffCall("recurring problems"+query, auditor, "GET", recurring+query, nil, 200, ""))); len(list) != n {
			t.Errorf("recurring problems%s: %d, want %d", query, len(list), n)
		}
	}

	// Closing the round: then nothing can be reported.
	closeSecond := round(secondID, "/close")
	a.do(staffCall("close by a unit", spjHead, "POST", closeSecond, nil, 403, "forbidden_role"))
	a.do(staffCall("close no round", office, "POST", round(999999, "/close"), nil, 404, "round_not_found"))
	a.do(offSpec(staffCall("close a bad id", office, "POST", rounds+"/abc/close", nil, 404, "not_found")))
	closed := do(staffCall("close", office, "POST", closeSecond, nil, 200, ""))
	if closed["closed_at"] == nil {
		t.Errorf("closed: %v", closed)
	}
	if again := do(staffCall("close again", office, "POST", closeSecond, nil, 200, "")); again["closed_at"] != closed["closed_at"] {
		t.Errorf("closed again: %v, was %v", again["closed_at"], closed["closed_at"])
	}
	a.do(staffCall("report after the round", spjHead, "POST", entry(task2, "/reports"), progress, 409, "no_open_round"))

	// The Excel workbooks are TestLedgerExcelMatchesOpenAPI's.
	a.checkCoverage(func(op *openapi3.Operation) bool { return ledgerOperation(op) && !ledgerExcelOperation(op) })
	a.logCoverage()
}

// ledgerExcelOperations are the ledger operations of Excel workbooks, which
// TestLedgerExcelMatchesOpenAPI exercises.
var ledgerExcelOperations = []string{"exportLedger", "importLedger"}

func ledgerExcelOperation(op *openapi3.Operation) bool {
	return ledgerOperation(op) && slices.Contains(ledgerExcelOperations, op.OperationID)
}

// xlsxType is the media type of an Excel workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// multipartFiles is a multipart/form-data body with a part for each file (field name → content,
// sent as an .xlsx workbook), and its Content-Type.
func multipartFiles(t *testing.T, field string, files ...[]byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i, data := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="工作台账-%d.xlsx"`, field, i+1))
		h.Set("Content-Type", xlsxType)
		p, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

// TestLedgerExcelMatchesOpenAPI downloads each ledger as an Excel workbook with and without
// filters, fills in a unit's sheet and sends it back (as multipart/form-data and as the body
// itself), and provokes the refusals of both — validating each request and answer against the
// document, and opening each workbook.
func TestLedgerExcelMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(openapiNow)
	apptest.Seed(env)
	// The import takes workbooks up to ledger.MaxImportBytes; so that its own refusal can be
	// provoked, the server's body limit here is above that (the default, 1 MiB, is below).
	env.Cfg.BodyLimit = ledger.MaxImportBytes + 1<<20
	srv := apptest.Start(env)
	a := newAPIChecker(t, srv)
	today := bjtime.Day(env.Clock.Now()).Format("20060102")

	office := srv.Login("office", "demo1234")
	auditor := srv.Login("auditor", "demo1234")
	spjHead := srv.Login("spj-head", "demo1234") // 市审批服务局
	gajHead := srv.Login("gaj-head", "demo1234") // 市公安局
	windowStaff := srv.Login("zh01", "demo1234") // a window of 市审批服务局
	const (
		export   = "/api/v1/ledgers/export"
		imp      = "/api/v1/ledgers/import"
		rounds   = "/api/v1/ledgers/rounds"
		entries  = "/api/v1/ledgers/entries"
		progress = 8 // column I, 进展情况, of the work ledger
	)
	offSpec := func(c call) call { c.offSpec = true; return c }
	reports := func() int { return env.Count(`SELECT count(*) FROM ledger_reports`) }

	// Without a session, both answer 401.
	a.do(offSpec(staffCall("export without a session", "", "GET", export+"?kind=work", nil, 401, "unauthenticated")))
	a.do(offSpec(staffCall("import without a session", "", "POST", imp, nil, 401, "unauthenticated")))

	// download checks a workbook's answer: the headers, and the sheet's title, unit line and
	// headings. It returns the workbook and its rows.
	download := func(name, token, query, sheet, file, ascii, unitLine string, headings []string) ([]byte, [][]string) {
		t.Helper()
		r := a.do(staffCall(name, token, "GET", export+"?"+query, nil, 200, ""))
		if r.Status != 200 {
			return nil, nil
		}
		if ct := r.Header.Get("Content-Type"); ct != xlsxType {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", name, cc)
		}
		file += "-" + today + ".xlsx"
		ascii += "-" + today + ".xlsx"
		cd := r.Header.Get("Content-Disposition")
		if want := `attachment; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(file); cd != want {
			t.Errorf("%s: Content-Disposition\n%s\nwant\n%s", name, cd, want)
		}
		if disp, params, err := mime.ParseMediaType(cd); err != nil || disp != "attachment" || params["filename"] != file {
			t.Errorf("%s: Content-Disposition %q reads as %q %v (%v), want the file name %q", name, cd, disp, params, err, file)
		}
		rows := testenv.XLSXRows(t, r.Body, sheet)
		n, err := strconv.Atoi(r.Header.Get("X-Ledger-Rows"))
		if err != nil || (sheet != "差评整改台账" && len(rows) != 3+n) {
			t.Errorf("%s: X-Ledger-Rows %q, %d rows in the sheet under 3 header rows", name, r.Header.Get("X-Ledger-Rows"), len(rows))
		}
		if len(rows) < 3 || rows[1][0] != unitLine || !slices.Equal(rows[2], headings) {
			t.Fatalf("%s: header block %q", name, rows[:min(3, len(rows))])
		}
		t.Logf("%s: %d bytes, %d data rows", name, len(r.Body), n)
		return r.Body, rows
	}
	workHeadings := []string{"重点工作", "一级指标", "二级指标", "三级指标", "评估要点", "任务序号", "任务目标", "责任单位", "进展情况", "需协调问题", "备注"}
	problemHeadings := []string{"序号", "存在问题", "整改要求", "牵头部门", "责任部门", "联系人及联系方式", "具体措施", "工作进展", "备注"}

	// Every ledger, as the office sees it: every unit of its scope.
	_, rows := download("work ledger", office, "kind=work", "工作台账", "工作台账-全部", "ledger-work-all", "部门：全部", workHeadings)
	if len(rows) != 3+113 || rows[0][0] != "山东省政务服务能力全面提升工作台账" {
		t.Errorf("work ledger: %d rows, title %q", len(rows), rows[0][0])
	}
	_, rows = download("problem ledger", office, "kind=problems", "问题整改台账", "问题整改台账-全部", "ledger-problem-all", "部门：全部", problemHeadings)
	if len(rows) != 3+18 {
		t.Errorf("problem ledger: %d rows", len(rows))
	}
	download("problem ledger by its API name", auditor, "kind=problem", "问题整改台账", "问题整改台账-全部", "ledger-problem-all", "部门：全部", problemHeadings)
	rect, rows := download("rectification ledger", office, "kind=rectification", "差评整改台账", "差评整改台账-全部", "ledger-rectification-all",
		"部门：全部", []string{"序号", "工单编号", "评价时间", "渠道", "承办单位", "窗口", "工作人员", "事项", "办件编号", "评价等级", "评价指标",
			"评价内容", "评价人（脱敏）", "实名", "状态", "处理方式", "回访时间", "回访方式", "核实情况", "整改措施", "整改时间", "反馈时间", "满意度",
			"办结时间", "整改期限", "是否逾期"})
	if rows[0][0] != "差评整改台账" {
		t.Errorf("rectification ledger: title %q", rows[0][0])
	}
	download("rectification ledger with filters", office, "kind=rectification&department=ZZ-SPJ&from=2026-01-01&to=2026-12-31&status=overdue",
		"差评整改台账", "差评整改台账-市审批服务局", "ledger-rectification-ZZ-SPJ", "部门：市审批服务局（ZZ-SPJ）　评价时间：2026-01-01 至 2026-12-31", rows[2])

	// A unit gets its own sheet; the office the same by department; filters narrow the rows.
	spjWork, spjRows := download("a unit's work ledger", spjHead, "kind=work", "工作台账", "工作台账-市审批服务局", "ledger-work-ZZ-SPJ",
		"部门：市审批服务局（ZZ-SPJ）", workHeadings)
	_, rows = download("a unit's work ledger for the office", office, "kind=work&department=ZZ-SPJ", "工作台账", "工作台账-市审批服务局",
		"ledger-work-ZZ-SPJ", "部门：市审批服务局（ZZ-SPJ）", workHeadings)
	if len(rows) != len(spjRows) || len(rows) <= 3 || len(rows) >= 3+113 {
		t.Errorf("市审批服务局's sheet: %d rows for the office, %d for the unit", len(rows), len(spjRows))
	}
	_, rows = download("work ledger with filters", office, "kind=work&department=ZZ-SPJ&status="+url.QueryEscape("未开始")+"&from=2021-09-01&to=2021-09-30",
		"工作台账", "工作台账-市审批服务局", "ledger-work-ZZ-SPJ", "部门：市审批服务局（ZZ-SPJ）", workHeadings)
	if want := env.Count(`SELECT count(*) FROM ledger_entries e JOIN ledger_assignments a ON a.entry_id = e.id JOIN departments d ON d.id = a.department_id
		WHERE e.kind = 'work' AND d.code = 'ZZ-SPJ' AND e.status = 'not_started' AND e.due BETWEEN '2021-09-01' AND '2021-09-30'`); len(rows) != 3+want {
		t.Errorf("work ledger with filters: %d rows, want %d", len(rows)-3, want)
	}
	spjProblems, _ := download("a unit's problem ledger", spjHead, "kind=problems", "问题整改台账", "问题整改台账-市审批服务局", "ledger-problem-ZZ-SPJ",
		"部门：市审批服务局（ZZ-SPJ）", problemHeadings)

	// The export's refusals.
	a.do(staffCall("export of another unit", spjHead, "GET", export+"?kind=work&department=ZZ-GAJ", nil, 404, "department_not_found"))
	for _, c := range []struct {
		query, code, field string
		offSpec            bool
	}{
		{"", "invalid_kind", "kind", true},
		{"kind=plan", "invalid_kind", "kind", true},
		{"kind=work&status=done", "invalid_status", "status", true},
		{"kind=work&from=yesterday", "invalid_date", "from", true},
		{"kind=problem&to=2021-02-30", "invalid_date", "to", true},
		{"kind=work&from=2021-12-01&to=2021-01-01", "invalid_period", "to", false},
		{"kind=rectification&department=NOPE", "unknown_department", "department", false},
	} {
		r := a.do(call{name: "export?" + c.query, method: "GET", path: export + "?" + c.query, header: bearer(office),
			status: 422, code: c.code, offSpec: c.offSpec})
		if fields, _ := r.JSON(t)["fields"].(map[string]any); r.Status == 422 && fields[c.field] == nil {
			t.Errorf("export?%s: fields %v, want %s", c.query, fields, c.field)
		}
	}

	// 市审批服务局 fills in two tasks of its sheet; a third row names a task it does not answer for.
	r1, r2, r13 := testenv.XLSXRowOf(t, spjRows, 5, 1), testenv.XLSXRowOf(t, spjRows, 5, 2), testenv.XLSXRowOf(t, spjRows, 5, 13)
	col := func(c, row int) string { return cell(c, row) }
	filled := testenv.XLSXEdit(t, spjWork, map[string]string{
		col(progress, r1):   "已梳理事项、对象、渠道",
		col(progress, r2):   "已建立差评核实机制，每日调度",
		col(progress+1, r2): "需市大数据中心协调接口",
		col(5, r13):         "104", col(progress, r13): "不是本单位的任务",
	})
	upload := func(name, token string, file []byte, status int, code string) map[string]any {
		t.Helper()
		body, ct := multipartFiles(t, "file", file)
		r := a.do(call{name: name, method: "POST", path: imp, header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {ct}},
			body: body, status: status, code: code})
		if r.Status != status {
			return map[string]any{}
		}
		return r.JSON(t)
	}
	raw := func(name, token, contentType string, file []byte, status int, code string) call {
		return call{name: name, method: "POST", path: imp, header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {contentType}},
			body: file, status: status, code: code}
	}

	// Before any round, nothing can be imported; nor by a role that may not report, nor another unit.
	upload("import without a round", spjHead, filled, 409, "no_open_round")
	if r := a.do(staffCall("open a round", office, "POST", rounds, map[string]any{"title": "9月17日调度", "due_at": env.Clock.Now().Add(72 * time.Hour).Format(time.RFC3339)}, 201, "")); r.Status != 201 {
		t.FailNow()
	}
	upload("import by an auditor", auditor, filled, 403, "forbidden_role")
	upload("import by window staff", windowStaff, filled, 403, "forbidden_role")
	upload("import of another unit's sheet", gajHead, filled, 403, "department_out_of_scope")
	if n := reports(); n != 0 {
		t.Fatalf("%d reports after refused imports", n)
	}

	// The import: two rows applied, one refused, the rest skipped.
	res := upload("import", spjHead, filled, 200, "")
	n := len(spjRows) - 3
	refused, _ := res["refused"].([]any)
	if res["kind"] != "work" || res["department"] != "ZZ-SPJ" || res["applied"] != 2.0 || res["skipped"] != float64(n-3) || len(refused) != 1 {
		t.Fatalf("import: %v (a sheet of %d tasks)", res, n)
	}
	if r := refused[0].(map[string]any); r["row"] != float64(r13) || r["no"] != "104" || r["code"] != "not_assigned" || !strings.Contains(r["reason"].(string), "104") {
		t.Errorf("refused row: %v, want row %d, no 104, not_assigned", r, r13)
	}
	history := do(t, a, staffCall("the imported report", spjHead, "GET", fmt.Sprintf("%s/%d/reports", entries,
		env.Count(`SELECT id FROM ledger_entries WHERE kind = 'work' AND no = 2`)), nil, 200, ""))
	if h, _ := history["items"].([]any); len(h) != 1 || h[0].(map[string]any)["progress"] != "已建立差评核实机制，每日调度" ||
		h[0].(map[string]any)["issues"] != "需市大数据中心协调接口" || h[0].(map[string]any)["source"] != "excel" {
		t.Errorf("task 2's reports after the import: %v", history)
	}
	if n := env.Count(`SELECT count(*) FROM ledger_reports r JOIN departments d ON d.id = r.department_id WHERE d.code = 'ZZ-SPJ' AND r.source = 'excel'`); n != 2 || reports() != 2 {
		t.Errorf("%d reports of 市审批服务局 from Excel, %d in all; want 2", n, reports())
	}

	// The same file again, as the body itself: nothing changed, nothing reported.
	if r := a.do(raw("import as the body", spjHead, xlsxType, filled, 200, "")); r.Status == 200 {
		if res := r.JSON(t); res["applied"] != 0.0 || res["unchanged"] != 2.0 || reports() != 2 {
			t.Errorf("the same sheet again: %v, %d reports", res, reports())
		}
	}
	// The problem ledger, as application/octet-stream, by the office for the unit.
	prow := testenv.XLSXRowOf(t, testenv.XLSXRows(t, spjProblems, "问题整改台账"), 0, 3)
	pfilled := testenv.XLSXEdit(t, spjProblems, map[string]string{cell(6, prow): "核查存量用户信息", cell(7, prow): "已补正 80%"})
	if r := a.do(raw("import as an octet stream", office, "application/octet-stream", pfilled, 200, "")); r.Status == 200 {
		if res := r.JSON(t); res["kind"] != "problem" || res["department"] != "ZZ-SPJ" || res["applied"] != 1.0 || reports() != 3 {
			t.Errorf("problem ledger import: %v, %d reports", res, reports())
		}
	}

	// Refused whole, nothing applied: the wrong layout, the rectification ledger, not a workbook.
	wrong := testenv.XLSXEdit(t, filled, map[string]string{"I3": "进度", col(progress, r1): "改过的进展"})
	if msg, _ := upload("import of the wrong layout", spjHead, wrong, 422, "wrong_layout")["message"].(string); !strings.Contains(msg, "“进度”不是本台账的列") {
		t.Errorf("wrong layout: message %q", msg)
	}
	a.do(raw("import of the wrong layout as the body", spjHead, xlsxType, wrong, 422, "wrong_layout"))
	a.do(raw("import of the rectification ledger", office, xlsxType, rect, 422, "wrong_layout"))
	a.do(raw("import of a CSV file", spjHead, xlsxType, []byte("任务序号,进展情况\n2,x\n"), 422, "not_a_workbook"))
	if reports() != 3 {
		t.Errorf("%d reports after refused sheets, want 3", reports())
	}

	// The requests the import cannot read.
	noFile, ct := func() ([]byte, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.WriteField("note", "忘了附文件")
		_ = w.Close()
		return b.Bytes(), w.FormDataContentType()
	}()
	a.do(offSpec(raw("import without a file", spjHead, ct, noFile, 422, "file_required")))
	two, ct := multipartFiles(t, "file", filled, pfilled)
	a.do(raw("import of two files", spjHead, ct, two, 422, "too_many_files"))
	a.do(offSpec(raw("import of an empty body", spjHead, xlsxType, nil, 422, "file_required")))
	// A broken form is refused as the server reads the request, before the route; one without
	// a boundary by the route.
	a.do(offSpec(raw("import of a broken form", spjHead, "multipart/form-data; boundary=xyz", []byte("--abc\r\nnot a form"), 400, "bad_request")))
	a.do(offSpec(raw("import of a form without a boundary", spjHead, "multipart/form-data", noFile, 400, "invalid_multipart")))
	a.do(offSpec(raw("import of CSV", spjHead, "text/csv", []byte("任务序号,进展情况\n2,x\n"), 415, "unsupported_media_type")))
	a.do(offSpec(staffCall("import of JSON", spjHead, "POST", imp, map[string]any{"file": "x"}, 415, "unsupported_media_type")))
	a.do(raw("import over the import's limit", spjHead, xlsxType, make([]byte, ledger.MaxImportBytes+1), 413, "file_too_large"))
	// Over the server's body limit: refused by its Content-Length, before the body is read.
	a.do(call{name: "import over the body limit", method: "POST", path: imp, header: bearer(spjHead),
		body: make([]byte, env.Cfg.BodyLimit+1), status: 413, code: "body_too_large", offSpec: true,
		send: func(raw []byte, h http.Header) *apptest.Response {
			return headersOnly(t, srv, "POST", imp, len(raw), h)
		}})
	if reports() != 3 {
		t.Errorf("%d reports after refused requests, want 3", reports())
	}

	a.checkCoverage(ledgerExcelOperation)
	a.logCoverage()
}

// cell names a cell by column index (from 0) and row number.
func cell(col, row int) string {
	c, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		panic(err)
	}
	return c
}

// do sends a call and returns its JSON answer (empty unless it answered as expected).
func do(t *testing.T, a *apiChecker, c call) map[string]any {
	t.Helper()
	r := a.do(c)
	if r.Status != c.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return map[string]any{}
	}
	return r.JSON(t)
}
