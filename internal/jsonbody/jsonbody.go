// Package jsonbody reads JSON request bodies the same way everywhere: unknown fields ignored
// (clients may add fields before the server knows them), a value of the wrong type refused with
// the field named, a string that is not text (NUL and other control characters, invalid UTF-8)
// refused with the field named, and every refusal a *problem.Error.
package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"haochaping/internal/problem"
)

// Decode reads a JSON request body into v. Fields v does not know are ignored, so that devices
// can add fields before the server knows them; a value of the wrong type is refused, naming
// the field (400 invalid_json); so is a string that is not text (422 invalid_text), which
// PostgreSQL would refuse or the people reading it could not.
func Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return problem.BadRequest("invalid_json", "请求体为空：须为 JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field := jsonPath(te.Field)
			e := problem.BadRequest("invalid_json", fmt.Sprintf("字段 %s 的类型不正确", field))
			return e.WithField(field, "类型不正确")
		}
		var pe *problem.Error
		if errors.As(err, &pe) {
			return pe
		}
		return problem.BadRequest("invalid_json", "请求体不是有效的 JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return problem.BadRequest("invalid_json", "请求体在 JSON 之后还有多余内容")
	}
	var badUTF8 []string
	if !utf8.Valid(body) {
		badUTF8 = invalidUTF8Paths(body)
	}
	if perr := checkText(v, badUTF8); perr != nil {
		return perr
	}
	return nil
}

// jsonPath drops the names of embedded Go structs ("Rating.level" → "level") from the path
// encoding/json reports, leaving the JSON keys.
func jsonPath(field string) string {
	parts := strings.Split(field, ".")
	keep := parts[:0]
	for _, p := range parts {
		if p != "" && !(p[0] >= 'A' && p[0] <= 'Z') {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ".")
}
