package upward

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"haochaping/internal/bjtime"
)

// Record is one evaluation as our side knows it, by the names a profile's fields are made of
// (Field.From): "channel" is pc, window, mobile_app, mobile_qr or kiosk; "level" 1–5; "reasons"
// our reason codes as set.code, comma-separated (offline.efficiency); instants in RFC 3339.
// A value left out is not sent.
type Record map[string]string

// Problem is one thing wrong with a record, as the platform would refuse it.
type Problem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Reason
	}
	return p.Field + ": " + p.Reason
}

// Build makes the platform's fields of r as a record of kind k: each value translated by its
// code list, instants written in the profile's layout in Beijing time, the case number
// prefixed. A record the platform would refuse is refused here, with every problem, so that it
// never leaves.
func (p *Profile) Build(k Kind, r Record) (map[string]string, []Problem) {
	out := map[string]string{}
	var problems []Problem
	for _, f := range p.Fields(k) {
		v := strings.TrimSpace(r[f.From])
		if v == "" {
			if f.Required {
				problems = append(problems, Problem{f.Name, "必填项缺失 (" + f.From + ")"})
			}
			continue
		}
		switch {
		case f.From == "project_no":
			v = p.ProjectPrefix + v
		case f.Time:
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				problems = append(problems, Problem{f.Name, "不是时间: " + v})
				continue
			}
			v = t.In(bjtime.Location).Format(p.TimeLayout)
		case f.Codes != "":
			coded, bad := p.translate(f, v)
			if bad != "" {
				problems = append(problems, Problem{f.Name, "没有对应代码: " + bad})
				continue
			}
			v = coded
		}
		out[f.Name] = v
	}
	problems = append(problems, p.Check(k, out)...)
	return out, problems
}

func (p *Profile) translate(f Field, v string) (coded, bad string) {
	list := p.Codes[f.Codes]
	if !f.List {
		c, ok := list[v]
		if !ok {
			return "", v
		}
		return c, ""
	}
	var codes []string
	for _, one := range strings.Split(v, ",") {
		c, ok := list[strings.TrimSpace(one)]
		if !ok {
			return "", one
		}
		codes = append(codes, c)
	}
	return strings.Join(codes, ","), ""
}

// Check is what the platform checks of a record of kind k it receives: the required fields,
// each code in its list, the lengths, the patterns, the instants in the profile's layout, and
// no field the profile does not name. The simulator refuses with these; Build never sends a
// record with any.
func (p *Profile) Check(k Kind, m map[string]string) []Problem {
	var problems []Problem
	named := map[string]bool{}
	for _, f := range p.Fields(k) {
		named[f.Name] = true
		v, ok := m[f.Name]
		if !ok || v == "" {
			if f.Required {
				problems = append(problems, Problem{f.Name, "必填项缺失"})
			}
			continue
		}
		if f.Max > 0 && utf8.RuneCountInString(v) > f.Max {
			problems = append(problems, Problem{f.Name, fmt.Sprintf("超过 %d 个字符", f.Max)})
		}
		if re := p.patterns[k][f.Name]; re != nil && !re.MatchString(v) {
			problems = append(problems, Problem{f.Name, "格式不符: " + v})
		}
		if f.Time {
			if _, err := time.ParseInLocation(p.TimeLayout, v, bjtime.Location); err != nil {
				problems = append(problems, Problem{f.Name, "时间格式应为 " + p.TimeLayout})
			}
		}
		if f.Codes != "" && !p.isCode(f, v) {
			problems = append(problems, Problem{f.Name, "代码不在代码表中: " + v})
		}
	}
	for name := range m {
		if !named[name] {
			problems = append(problems, Problem{name, "未定义的字段"})
		}
	}
	return problems
}

func (p *Profile) isCode(f Field, v string) bool {
	valid := map[string]bool{}
	for _, c := range p.Codes[f.Codes] {
		valid[c] = true
	}
	if !f.List {
		return valid[v]
	}
	for _, one := range strings.Split(v, ",") {
		if !valid[one] {
			return false
		}
	}
	return true
}

// IdentityFields are the platform's names of the fields that carry a person's identity, in
// either kind of record: they travel only inside the encrypted body, and are never written to a
// log.
func (p *Profile) IdentityFields() []string {
	var out []string
	for _, k := range kinds {
		for _, f := range p.Fields(k) {
			if f.Identity && !slices.Contains(out, f.Name) {
				out = append(out, f.Name)
			}
		}
	}
	return out
}

func beijing() *time.Location { return bjtime.Location }
