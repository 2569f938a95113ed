// Package page renders the pages people meet — citizens rating, staff, the office — with
// html/template from templates shipped in the binary: one layout, one file a page. It also
// holds what every page needs: the security headers and their strict Content-Security-Policy
// (no inline script or style), CSRF protection of forms, the large-text (适老) switch, and the
// error page.
package page

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed templates
var templateFiles embed.FS

// Renderer holds the parsed pages.
type Renderer struct {
	pages map[string]*template.Template
}

// NewRenderer parses every page: templates/layout.html and templates/partials/*.html with each
// templates/*.html. A page defines "title" and "main" (and may define "head" and "scripts").
func NewRenderer() (*Renderer, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	r := &Renderer{pages: map[string]*template.Template{}}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, file)
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

// MustRenderer is NewRenderer for the server's start: the templates are part of the binary,
// so a parse error is a bug that no configuration can cause.
func MustRenderer() *Renderer {
	r, err := NewRenderer()
	if err != nil {
		panic(err)
	}
	return r
}

// View is what a page's template sees: its own Data, and what the layout needs.
type View struct {
	Title string
	// Layout: "" for the citizen's narrow column, "wide" for tables and dashboards, "screen" for
	// the full-screen pad and kiosk.
	Layout string
	Large  bool   // the 适老 large-text mode is on
	CSRF   string // the token every form sends back
	Path   string // the page's own path and query, for the large-text switch to return to
	Form   *Form  // the submitted form's values and errors, if any
	Staff  *Staff // on a staff page, who is logged in
	Data   any
}

// Render answers a page with status.
func (r *Renderer) Render(c *fiber.Ctx, status int, name string, v View) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("page: no template %q", name)
	}
	v.Large = LargeText(c)
	v.CSRF = CSRFToken(c)
	v.Path = string(c.Request().URI().RequestURI())
	v.Staff = staffOf(c)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("render page %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if len(c.Response().Header.Peek(fiber.HeaderCacheControl)) == 0 {
		// Pages carry a CSRF token and often a case: no shared cache may keep them.
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return c.Send(buf.Bytes())
}
