package admin

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/internal/problem"
	"haochaping/web/page"
)

// What the organisation's forms share: the options of their selects, and showing a refusal
// beside its field.

// option is one choice of a select.
type option struct{ Value, Label string }

// optionGroup is the options under one heading (an optgroup); Label "" for none.
type optionGroup struct {
	Label   string
	Options []option
}

// choiceGroups are the choices of the evaluation package as one group.
func choiceGroups(choices []evaluation.Choice) []optionGroup {
	g := optionGroup{}
	for _, c := range choices {
		g.Options = append(g.Options, option{c.Value, c.Name})
	}
	return []optionGroup{g}
}

// regionGroups are the regions in scope, indented by depth for the reader.
func regionGroups(regions []evaluation.OrgRegion) []optionGroup {
	g := optionGroup{}
	for _, r := range regions {
		g.Options = append(g.Options, option{r.Code, strings.Repeat("　", r.Depth) + r.Name})
	}
	return []optionGroup{g}
}

// departmentGroups are the departments in scope under their regions.
func departmentGroups(list []evaluation.OrgDepartment) []optionGroup {
	var out []optionGroup
	for _, d := range list {
		if len(out) == 0 || out[len(out)-1].Label != d.Region.Name {
			out = append(out, optionGroup{Label: d.Region.Name})
		}
		out[len(out)-1].Options = append(out[len(out)-1].Options, option{d.Code, d.Name})
	}
	return out
}

// hallGroups are the halls in scope.
func hallGroups(list []evaluation.OrgHall) []optionGroup {
	g := optionGroup{}
	for _, h := range list {
		g.Options = append(g.Options, option{h.Code, h.Name})
	}
	return []optionGroup{g}
}

// windowGroups are the windows in scope under their halls.
func windowGroups(list []evaluation.OrgWindow) []optionGroup {
	var out []optionGroup
	for _, w := range list {
		if len(out) == 0 || out[len(out)-1].Label != w.Hall.Name {
			out = append(out, optionGroup{Label: w.Hall.Name})
		}
		out[len(out)-1].Options = append(out[len(out)-1].Options, option{w.Code, w.Name + "（" + w.Code + "）"})
	}
	return out
}

// refuse places a domain refusal on the form — beside each field it names, in the form's
// order (fields), so that the summary reads top to bottom; a code taken beside the code — and
// reports whether it was one. A record out of reach (404, 403) and any other error are the
// caller's to return: the error page says so.
func refuse(form *page.Form, err error, fields []string, codeField string) bool {
	var p *problem.Error
	if !errors.As(err, &p) || p.Status == fiber.StatusNotFound || p.Status == fiber.StatusForbidden || p.Status >= 500 {
		return false
	}
	if p.Status == fiber.StatusConflict && codeField != "" {
		form.Add(codeField, p.Message)
		return true
	}
	placed := false
	for _, f := range fields { // the forms' fields are named as the API's
		if msg, ok := p.Fields[f]; ok {
			form.Add(f, msg)
			placed = true
		}
	}
	if !placed {
		form.Add("", p.Message)
	}
	return true
}

// urlQuery escapes a value for a query string.
func urlQuery(v string) string { return url.QueryEscape(v) }

// pathParam is a path parameter, copied: fiber's strings do not outlive the handler.
func pathParam(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }
