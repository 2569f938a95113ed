package web

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/internal/problem"
	"haochaping/internal/validtext"
)

// textHeaders are the request headers the app reads and passes on — to the database (the
// device ID, the idempotency key) or into what it checks (the signature, the session token).
var textHeaders = []string{
	channels.HeaderDeviceID, channels.HeaderTimestamp, channels.HeaderSignature, channels.IdempotencyKey,
	fiber.HeaderAuthorization,
}

// refuseInvalidText answers 400 invalid_text, naming the part at fault, for a request whose
// path, query (names or values, percent-decoded) or one of textHeaders is not text: NUL or
// another control character, or invalid UTF-8 (package validtext). PostgreSQL refuses NUL in
// text, so such a value would otherwise end as a 500 wherever a handler queries with it
// (`?state=%00`, `X-Device-ID`); refusing it here spares each handler the check. JSON bodies
// are checked field by field where they are decoded (package jsonbody).
func refuseInvalidText(c *fiber.Ctx) error {
	req := c.Request()
	uri := req.URI()
	if !validtext.Bytes(uri.Path()) { // decoded: /api/v1/workorders/%00 holds a NUL
		return invalidText("path", "请求路径")
	}
	if q := uri.QueryString(); len(q) > 0 && (bytes.IndexByte(q, '%') >= 0 || !validtext.Bytes(q)) {
		// Only an escape or a bad byte can make a bad argument; look at each, decoded.
		field, what := "", ""
		uri.QueryArgs().VisitAll(func(k, v []byte) {
			switch {
			case field != "":
			case !validtext.Bytes(k):
				field, what = "query", "查询参数名" // the name itself cannot name the field
			case !validtext.Bytes(v):
				field, what = string(k), "查询参数 "+string(k)
			}
		})
		if field != "" {
			return invalidText(field, what)
		}
	}
	for _, h := range textHeaders {
		if !validtext.Bytes(req.Header.Peek(h)) {
			return invalidText(h, "请求头 "+h)
		}
	}
	return c.Next()
}

func invalidText(field, what string) *problem.Error {
	msg := what + "含有控制字符（如 NUL）或无效的 UTF-8 文本"
	return problem.BadRequest("invalid_text", msg).WithField(field, "含有控制字符或无效文本")
}
