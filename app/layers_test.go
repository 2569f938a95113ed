package app_test

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// The layers of docs/ARCHITECTURE.md, held by the compiler's view of the imports: the domain
// imports no HTTP, and the plumbing under internal/ imports no domain package.

// domain are the packages of the rules: no HTTP below them.
var domain = []string{"evaluation", "rectify", "ledger", "measures", "jobs", "calendar", "access", "upward"}

func load(t *testing.T, mode packages.LoadMode, patterns ...string) []*packages.Package {
	t.Helper()
	pkgs, err := packages.Load(&packages.Config{Mode: mode, Dir: ".."}, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Fatalf("load %s: %v", p.PkgPath, e)
		}
	}
	return pkgs
}

func TestTheDomainImportsNoHTTP(t *testing.T) {
	t.Parallel()
	patterns := make([]string, len(domain))
	for i, d := range domain {
		patterns[i] = "haochaping/" + d
	}
	for _, p := range load(t, packages.NeedName|packages.NeedImports|packages.NeedDeps, patterns...) {
		var http []string
		packages.Visit([]*packages.Package{p}, nil, func(dep *packages.Package) {
			if strings.HasPrefix(dep.PkgPath, "github.com/gofiber/") || strings.HasPrefix(dep.PkgPath, "github.com/valyala/fasthttp") ||
				dep.PkgPath == "haochaping/web" || strings.HasPrefix(dep.PkgPath, "haochaping/web/") {
				http = append(http, dep.PkgPath)
			}
		})
		if len(http) > 0 {
			slices.Sort(http)
			t.Errorf("%s depends on HTTP: %s", p.PkgPath, strings.Join(http, ", "))
		}
	}
}

func TestPlumbingImportsNoDomain(t *testing.T) {
	t.Parallel()
	pkgs := load(t, packages.NeedName|packages.NeedImports, "haochaping/internal/...")
	if len(pkgs) < 8 {
		t.Fatalf("found %d packages under internal/: the pattern is wrong", len(pkgs))
	}
	for _, p := range pkgs {
		for path := range p.Imports {
			// The plumbing may import plumbing, and the schema's SQL (migrations), nothing else of ours.
			if strings.HasPrefix(path, "haochaping/") && !strings.HasPrefix(path, "haochaping/internal/") && path != "haochaping/migrations" {
				t.Errorf("%s imports %s: plumbing must not import the domain", p.PkgPath, path)
			}
		}
	}
}
