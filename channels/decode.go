package channels

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
)

// DecodeJSON reads a JSON body into v. Fields v does not know are ignored, so that devices
// can add fields before the server knows them; a value of the wrong type is refused, naming
// the field.
func DecodeJSON(body []byte, v any) error {
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

// Time is a timestamp as devices send it: RFC 3339 ("2026-11-26T09:30:00+08:00"), or
// "2006-01-02 15:04:05" read as Beijing time, which many counter systems print.
type Time struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return problem.BadRequest("invalid_time", "时间须为字符串，如 2026-11-26T09:30:00+08:00")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		var parsed time.Time
		var err error
		if layout == time.RFC3339Nano {
			parsed, err = time.Parse(layout, s)
		} else {
			parsed, err = time.ParseInLocation(layout, s, bjtime.Location)
		}
		if err == nil && parsed.Year() >= 2000 && parsed.Year() < 3000 {
			t.Time = parsed
			return nil
		}
	}
	return problem.BadRequest("invalid_time", fmt.Sprintf("无法识别的时间“%.40s”：请用 2026-11-26T09:30:00+08:00", s))
}
