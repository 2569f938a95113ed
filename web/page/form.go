package page

import (
	"slices"
	"strings"

	"haochaping/internal/problem"

	"github.com/gofiber/fiber/v2"
)

// Form is a submitted form as the page shows it back: what was entered, and the errors, each
// beside its field and listed in the summary at the top.
type Form struct {
	Values map[string][]string
	Errors []FieldError
}

// FieldError is one message, for the field whose element has the ID Field.
type FieldError struct {
	Field   string
	Message string
}

// Value is the first value entered for field.
func (f *Form) Value(field string) string {
	if f == nil || len(f.Values[field]) == 0 {
		return ""
	}
	return f.Values[field][0]
}

// Has reports whether v is among the values of field (a ticked box, a chosen radio).
func (f *Form) Has(field, v string) bool {
	return f != nil && slices.Contains(f.Values[field], v)
}

// Error is the message for field, if any.
func (f *Form) Error(field string) string {
	if f == nil {
		return ""
	}
	for _, e := range f.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Add records a message for field.
func (f *Form) Add(field, msg string) { f.Errors = append(f.Errors, FieldError{field, msg}) }

// Failed reports whether any message was recorded.
func (f *Form) Failed() bool { return f != nil && len(f.Errors) > 0 }

// AddProblem records a domain refusal: beside each field it names (mapped to the form's own
// field names by fields), or at the top under field "" when it names none the form has.
func (f *Form) AddProblem(p *problem.Error, fields map[string]string) {
	placed := false
	for k, msg := range p.Fields {
		if name, ok := fields[k]; ok {
			f.Add(name, msg)
			placed = true
		}
	}
	if !placed {
		f.Add("", p.Message)
	}
}

// FormValues copies what a form posted: fiber's views of the body do not outlive the handler.
func FormValues(c *fiber.Ctx, fields ...string) map[string][]string {
	v := map[string][]string{}
	if mf, err := c.MultipartForm(); err == nil { // a form with files
		for _, f := range fields {
			for _, s := range mf.Value[f] {
				v[f] = append(v[f], strings.Clone(s))
			}
		}
		return v
	}
	args := c.Request().PostArgs()
	for _, f := range fields {
		for _, b := range args.PeekMulti(f) {
			v[f] = append(v[f], strings.Clone(string(b)))
		}
	}
	return v
}
