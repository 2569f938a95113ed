// Package assets holds what the pages load besides their HTML — the style sheet, the few
// scripts (the pad's live prompts, the kiosk's offline buffer) and the icons — all shipped in
// the binary, since government intranets are closed: nothing is fetched from another host.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed static
var files embed.FS

// Static are the files served under /static/.
var Static, _ = fs.Sub(files, "static")

// versions maps a file to a hash of its content: URLs carry it, so a file can be cached for a
// year and a new release is fetched at once.
var versions = func() map[string]string {
	v := map[string]string{}
	_ = fs.WalkDir(Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		v[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return v
}()

// URL is the address of a static file, with its version; it panics on a name that does not
// exist, so that a template naming a missing file fails its test rather than a citizen's page.
func URL(name string) string {
	v, ok := versions[name]
	if !ok {
		panic(fmt.Sprintf("assets: no static file %q", name))
	}
	return "/static/" + name + "?v=" + v
}

// Icon is an icon of static/icons as inline SVG: it takes the text's colour and needs no
// request of its own. The files are ours, so they are trusted HTML.
func Icon(name string) template.HTML {
	b, err := fs.ReadFile(Static, "icons/"+name+".svg")
	if err != nil {
		panic(fmt.Sprintf("assets: no icon %q", name))
	}
	return template.HTML(b) //nolint:gosec // our own files, embedded at build time
}

// Register serves the files under /static/. A versioned URL is immutable; any other is
// revalidated.
func Register(r fiber.Router) {
	r.Get("/static/*", func(c *fiber.Ctx) error {
		name := path.Clean(c.Params("*"))
		if strings.HasPrefix(name, ".") || versions[name] == "" {
			return fiber.ErrNotFound
		}
		b, err := fs.ReadFile(Static, name)
		if err != nil {
			return fiber.ErrNotFound
		}
		c.Set(fiber.HeaderContentType, contentType(name))
		if c.Query("v") == versions[name] {
			c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		} else {
			c.Set(fiber.HeaderCacheControl, "public, max-age=300")
		}
		return c.Send(b)
	})
}

func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		if strings.HasPrefix(t, "text/") || strings.Contains(t, "javascript") {
			return strings.Split(t, ";")[0] + "; charset=utf-8"
		}
		return t
	}
	return "application/octet-stream"
}
