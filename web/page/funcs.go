package page

import (
	"cmp"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"haochaping/evaluation"
	"haochaping/internal/audit"
	"haochaping/internal/bjtime"
	"haochaping/web/assets"
)

// funcs are the helpers every template may call.
var funcs = template.FuncMap{
	"asset":       assets.URL,
	"icon":        assets.Icon,
	"datetime":    DateTime,
	"date":        Date,
	"clock":       Clock,
	"hasPrefix":   strings.HasPrefix,
	"even":        func(i int) bool { return i%2 == 0 },
	"list":        func(xs ...string) []string { return xs },
	"dict":        dict,
	"thousands":   thousands,
	"percent":     Percent,
	"channelName": func(c string) string { return evaluation.Channel(c).Name() },
	"share":       func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
	"add":         func(a, b int) int { return a + b },
	"errorFor":    func(f *Form, field string) string { return f.Error(field) },
	"valueOf":     func(f *Form, field string) string { return f.Value(field) },
	"checked":     func(f *Form, field, v string) bool { return f.Has(field, v) },
	"excerpt":     Excerpt,
	"auditKind":   func(k string) string { return cmp.Or(audit.KindNames[k], k) },
}

// DateTime is an instant as people read it here: Beijing time, 2026年12月1日 14:05.
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	b := t.In(bjtime.Location)
	return fmt.Sprintf("%d年%d月%d日 %02d:%02d", b.Year(), b.Month(), b.Day(), b.Hour(), b.Minute())
}

// dict makes a map of key-value pairs, for a partial that takes several values.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: %d arguments, want pairs", len(kv))
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// Clock is an instant of the coming hours as people read it: 12月2日 08:05, Beijing time.
func Clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	b := t.In(bjtime.Location)
	return fmt.Sprintf("%d月%d日 %02d:%02d", b.Month(), b.Day(), b.Hour(), b.Minute())
}

// Date is the Beijing day of an instant, 2026年12月1日.
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	b := t.In(bjtime.Location)
	return fmt.Sprintf("%d年%d月%d日", b.Year(), b.Month(), b.Day())
}

// Thousands writes a count with thousands separators: 12,345.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// Percent writes num/den as 71.3%; "—" when there is nothing to divide.
func Percent(num, den int64) string {
	if den == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(num)*100/float64(den), 'f', 1, 64) + "%"
}

// Excerpt is the start of a long text for a list — its first line, at most n characters —
// ending in "…" when cut; the whole text is on the item's own page.
func Excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	cut := false
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s, cut = s[:i], true
	}
	if r := []rune(s); len(r) > n {
		s, cut = string(r[:n]), true
	}
	if cut {
		return s + "…"
	}
	return s
}

// thousands is Thousands of a count of any integer type, for the templates, which cannot
// convert; anything else is an error of the template.
func thousands(n any) (string, error) {
	switch v := n.(type) {
	case int:
		return Thousands(int64(v)), nil
	case int64:
		return Thousands(v), nil
	case int32:
		return Thousands(int64(v)), nil
	}
	return "", fmt.Errorf("thousands: %T is not an integer", n)
}
