package httpserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
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

	"haochaping/channels"
	"haochaping/internal/testenv"
	"haochaping/web"
)

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

func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if _, err := gorillamux.NewRouter(doc); err != nil {
		t.Fatalf("router: %v", err)
	}
	srv := testenv.New(t).Start()

	served := map[string]bool{}
	for _, r := range srv.App.HTTP.GetRoutes(true) { // true: without the middleware of app.Use
		if r.Method == http.MethodHead { // fiber answers HEAD for every GET by itself
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

	signedCodes := []string{"signature_missing", "device_unknown", "device_disabled", "signature_invalid",
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
		// A signed operation answers every refusal of the signature check.
		for _, code := range signedCodes {
			if !slices.Contains(codes["401"], code) {
				t.Errorf("%s: signed, but x-error-codes 401 lacks %s", name, code)
			}
		}
		if !slices.Contains(codes["403"], "device_channel_mismatch") {
			t.Errorf("%s: signed, but x-error-codes 403 lacks device_channel_mismatch", name)
		}
		for _, req := range *op.Security {
			for _, scheme := range []string{"DeviceID", "Timestamp", "Signature"} {
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
	dev    *testenv.Device // signs the request; nil: unsigned
	header http.Header     // more headers (or, with dev nil, the signature headers as they are)
	body   any
	status int
	code   string // the error code answered, if any
	// offSpec: the request breaks the document on purpose (the server refuses it too); the
	// document must reject it.
	offSpec bool
	// send replaces testenv's Raw to send the request, when it needs to be sent differently.
	send func(raw []byte, h http.Header) *testenv.Response
}

// apiChecker sends requests to a running server and validates each request and its answer
// against the document.
type apiChecker struct {
	t       *testing.T
	srv     *testenv.Server
	doc     *openapi3.T
	router  routers.Router
	opts    *openapi3filter.Options
	signed  int
	covered map[string]map[int]bool // operation → statuses seen
}

func newAPIChecker(t *testing.T, srv *testenv.Server) *apiChecker {
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
			AuthenticationFunc:    headerPresent,
		},
		covered: map[string]map[int]bool{},
	}
}

// headerPresent checks that each apiKey header of the security requirement is sent; the
// signature itself is the server's to check.
func headerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s.Type != "apiKey" || s.In != "header" {
		return fmt.Errorf("security scheme %s: unexpected type %s in %s", in.SecuritySchemeName, s.Type, s.In)
	}
	if in.RequestValidationInput.Request.Header.Get(s.Name) == "" {
		return fmt.Errorf("header %s is missing", s.Name)
	}
	return nil
}

// sign returns the signature headers of dev for the request. Each request is signed with a
// timestamp a second earlier than the last, so that identical requests sent within one second
// carry different signatures (a signature is accepted once).
func (a *apiChecker) sign(dev testenv.Device, method, path string, body []byte) http.Header {
	a.signed++
	ts := time.Now().Unix() - int64(a.signed)
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
func (a *apiChecker) do(c call) *testenv.Response {
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
	var resp *testenv.Response
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
func (a *apiChecker) checkUndocumentedFields(name string, op *openapi3.Operation, resp *testenv.Response) {
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
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	a := newAPIChecker(t, srv)

	system := srv.DemoDevice("demo-system")
	pad := srv.DemoDevice("demo-window-370400-zh01")
	kiosk := srv.DemoDevice("demo-kiosk-370400")
	mobile := srv.DemoDevice("demo-mobile")
	portal := srv.DemoDevice("demo-pc")
	now := time.Now()
	done := now.Add(-30 * time.Minute)
	recent := now.Add(-5 * time.Minute).Format(time.RFC3339)

	// Operations.
	a.do(call{name: "healthz", method: "GET", path: "/healthz", status: 200})
	a.do(call{name: "readyz", method: "GET", path: "/readyz", status: 200})
	a.do(call{name: "metrics", method: "GET", path: "/metrics", status: 200})
	a.do(call{name: "openapi.yaml", method: "GET", path: "/api/openapi.yaml", status: 200})
	a.do(call{name: "reasons", method: "GET", path: "/api/v1/reasons", status: 200})

	// Cases: one, again, as an array, as {"cases": [...]} with a bad one, refusals.
	const cases = "/api/v1/cases"
	first := a.do(call{name: "case created", method: "POST", path: cases, dev: &system,
		body: testenv.Case("OA-CASE-0001", done), status: 201}).JSON(t)
	a.do(call{name: "case updated", method: "POST", path: cases, dev: &system,
		body: testenv.Case("OA-CASE-0001", done), status: 200})
	array := a.do(call{name: "cases as an array", method: "POST", path: cases, dev: &system,
		body: []any{testenv.Case("OA-CASE-0002", done), testenv.Case("OA-CASE-0003", done)}, status: 200}).JSON(t)
	if array["accepted"] != 2.0 {
		t.Fatalf("array of cases: %v", array)
	}
	results := array["results"].([]any)
	mobileCase := results[1].(map[string]any)
	badItem := testenv.Case("OA-CASE-0005", done)
	badItem["item_code"] = "000000-NOPE"
	batch := a.do(call{name: "batch with a bad case", method: "POST", path: cases, dev: &system,
		body: map[string]any{"cases": []any{testenv.Case("OA-CASE-0004", done), badItem}}, status: 200}).JSON(t)
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
	a.do(call{name: "cases unsigned", method: "POST", path: cases, body: testenv.Case("OA-CASE-0006", done),
		status: 401, code: "signature_missing", offSpec: true})
	a.do(call{name: "cases from a window pad", method: "POST", path: cases, dev: &pad,
		body: testenv.Case("OA-CASE-0006", done), status: 403, code: "device_channel_mismatch"})
	expired := a.do(call{name: "case served long ago", method: "POST", path: cases, dev: &system,
		body: testenv.Case("OA-CASE-OLD1", now.AddDate(0, 0, -10)), status: 201}).JSON(t)

	// Window pad.
	const window = "/api/v1/channels/window/evaluations"
	served := now.Add(-10 * time.Minute).Format(time.RFC3339)
	a.do(call{name: "window created", method: "POST", path: window, dev: &pad, status: 201,
		body: map[string]any{"ticket_no": "A017", "staff_no": testenv.CityStaff, "level": 2, "reasons": []string{"服务态度"},
			"comment": "等了很久", "served_at": served, "evaluator": map[string]any{"name": "李四", "phone": "13900001111"}}})
	a.do(call{name: "window repeat", method: "POST", path: window, dev: &pad, status: 200,
		body: map[string]any{"ticket_no": "A017", "level": 5, "served_at": served}})
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
	stranger := testenv.Device{ID: "no-such-device", Secret: "x"}
	a.do(call{name: "window unknown device", method: "POST", path: window, dev: &stranger, status: 401,
		code: "device_unknown", body: map[string]any{"ticket_no": "A022", "level": 5, "served_at": served}})
	disabled := srv.AddDevice("window", testenv.CityWindow, "")
	if err := srv.App.Devices.SetEnabled(context.Background(), disabled.ID, false); err != nil {
		t.Fatal(err)
	}
	a.do(call{name: "window disabled device", method: "POST", path: window, dev: &disabled, status: 401,
		code: "device_disabled", body: map[string]any{"ticket_no": "A022", "level": 5, "served_at": served}})
	skewedBody := map[string]any{"ticket_no": "A022", "level": 5, "served_at": served}
	skewedAt := now.Add(-time.Hour).Unix()
	skewed := http.Header{}
	skewed.Set(channels.HeaderDeviceID, pad.ID)
	skewed.Set(channels.HeaderTimestamp, strconv.FormatInt(skewedAt, 10))
	skewed.Set(channels.HeaderSignature, channels.Sign(pad.Secret, skewedAt, "POST", window, rawBody(t, skewedBody)))
	a.do(call{name: "window clock an hour behind", method: "POST", path: window, header: skewed, body: skewedBody,
		status: 401, code: "timestamp_skewed"})

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
		body: map[string]any{"token": token, "level": 4, "reasons": []string{"办事效率"}, "comment": "很方便"}})
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
			"user": map[string]any{"id": "u-1", "name": testenv.ApplicantName, "id_number": testenv.ApplicantID}}})
	a.do(call{name: "pc not the applicant", method: "POST", path: pcPath, dev: &portal, status: 403,
		code: "not_applicant", body: map[string]any{"case_no": "OA-CASE-0001", "level": 1, "reasons": []string{"办事效率"},
			"user": map[string]any{"id": "u-2", "name": "王五", "id_number": "370402199202021235"}}})
	a.do(call{name: "pc unknown case", method: "POST", path: pcPath, dev: &portal, status: 422, code: "case_not_found",
		body: map[string]any{"case_no": "OA-NO-SUCH-CASE", "level": 5,
			"user": map[string]any{"id_number": testenv.ApplicantID}}})
	a.do(call{name: "pc without user", method: "POST", path: pcPath, dev: &portal, status: 422, code: "user_required",
		body: map[string]any{"case_no": "OA-CASE-0001", "level": 5}, offSpec: true})
	a.do(call{name: "pc level as text", method: "POST", path: pcPath, dev: &portal, status: 400, code: "invalid_json",
		body:    map[string]any{"case_no": "OA-CASE-0001", "level": "5", "user": map[string]any{"phone": testenv.ApplicantTel}},
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
	a.do(call{name: "me without session", method: "GET", path: "/api/v1/auth/me", status: 401, code: "unauthenticated"})
	a.do(call{name: "logout", method: "POST", path: "/api/v1/auth/logout", header: bearer, status: 204})
	a.do(call{name: "logout again", method: "POST", path: "/api/v1/auth/logout", header: bearer, status: 401, code: "unauthenticated"})

	// Every documented operation was exercised.
	for op := range documentedOperations(a.doc) {
		if len(a.covered[op]) == 0 {
			t.Errorf("%s was not exercised", op)
		}
	}
	a.logCoverage()
}

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
	env.Seed()
	redis := testenv.StartRedis(t)
	env.Redis = redis.Client()
	srv := env.Start()
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
		send: func(raw []byte, h http.Header) *testenv.Response {
			return headersOnly(t, srv, "POST", window, len(raw), h)
		}})
	a.logCoverage()
}

// headersOnly sends a request's headers, announcing a body of n bytes that it never sends,
// and reads the answer.
func headersOnly(t *testing.T, srv *testenv.Server, method, path string, n int, h http.Header) *testenv.Response {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", method, path, u.Host, n)
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &testenv.Response{Status: resp.StatusCode, Body: body, Header: resp.Header}
}
