package channels

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
)

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
